/** A real SMTP next hop for relay tests (smtp-server on 127.0.0.1:0) that records what it accepts. */
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

const tlsDir = fileURLToPath(new URL("../fixtures/tls/", import.meta.url));

/** The checked-in test PKI: a CA and a certificate for localhost / 127.0.0.1 / ::1, valid until 2126. */
export const TEST_TLS = {
  ca: readFileSync(`${tlsDir}ca.crt`),
  key: readFileSync(`${tlsDir}server.key`),
  cert: readFileSync(`${tlsDir}server.crt`),
};

/** One message as the next hop received it. */
export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
  secure: boolean;
  queueId: string;
}

export interface NextHopOptions {
  /** Per recipient: an SMTP error to refuse it with, or undefined to accept. */
  rcpt?: (address: string) => { code: number; message: string } | undefined;
  /** What to do once the message is in: accept (default), refuse, hang up, or never answer. */
  data?: (raw: Buffer) => "accept" | "drop" | "hang" | { code: number; message: string };
  /** Offer STARTTLS with the test certificate. */
  tls?: boolean;
  /** Hang up right after MAIL FROM. */
  dropAtMail?: boolean;
  /** Require AUTH with this user and password. */
  auth?: { user: string; pass: string };
}

export interface NextHop {
  port: number;
  messages: ReceivedMessage[];
  /** Connections the next hop has seen. */
  connections: number;
  close(): Promise<void>;
}

/**
 * Starts a next hop. Its DATA reply carries an enhanced code and a queue id (`250 2.0.0 Ok: queued as Q1`),
 * so tests can see that the relay passes the next hop's own reply back.
 */
export async function startNextHop(options: NextHopOptions = {}): Promise<NextHop> {
  const messages: ReceivedMessage[] = [];
  let counter = 0;
  const hop: NextHop = { port: 0, messages, connections: 0, close: async () => {} };
  const refuse = (code: number, message: string): Error =>
    Object.assign(new Error(message), { responseCode: code });
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    // Real next hops (Postfix, Exchange) write one enhanced code per reply; smtp-server's own would be guessed
    // from the basic code, so the texts below carry theirs.
    hideENHANCEDSTATUSCODES: true,
    authOptional: !options.auth,
    ...(options.tls
      ? { key: TEST_TLS.key, cert: TEST_TLS.cert }
      : { disabledCommands: ["STARTTLS"], hideSTARTTLS: true }),
    ...(options.auth ? {} : { disabledCommands: ["AUTH", ...(options.tls ? [] : ["STARTTLS"])] }),
    onConnect(_session, callback) {
      hop.connections++;
      callback();
    },
    onAuth(auth, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) {
        return callback(null, { user: auth.username });
      }
      callback(refuse(535, "5.7.8 bad credentials"));
    },
    onMailFrom(_address, session: SMTPServerSession, callback) {
      if (options.dropAtMail) {
        for (const conn of server.connections) if (conn.id === session.id) conn.close();
        return;
      }
      callback();
    },
    onRcptTo(address, _session, callback) {
      const verdict = options.rcpt?.(address.address);
      callback(verdict ? refuse(verdict.code, verdict.message) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks);
        const decision = options.data?.(raw) ?? "accept";
        if (decision === "hang") return; // never answers: the relay's data timeout must fire
        if (decision === "drop") {
          for (const conn of server.connections) if (conn.id === session.id) conn.close();
          return;
        }
        if (decision !== "accept") return callback(refuse(decision.code, decision.message));
        counter++;
        const queueId = `Q${counter}`;
        messages.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw,
          secure: session.secure,
          queueId,
        });
        callback(null, `2.0.0 Ok: queued as ${queueId}`);
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  hop.port = (server.server.address() as AddressInfo).port;
  hop.close = () =>
    new Promise<void>((resolve) => {
      for (const conn of server.connections) conn.close();
      server.close(() => resolve());
    });
  return hop;
}
