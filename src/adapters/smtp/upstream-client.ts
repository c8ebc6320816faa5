/**
 * The relay's SMTP client to the next hop: one command at a time (no pipelining), so the relay can pass every
 * reply back to its own client before it sends the next command (the lockstep of SPEC §8).
 * nodemailer's SMTPConnection sends MAIL, RCPT and DATA as one `send()` call, which is exactly what the
 * lockstep must not do, so this small client speaks the protocol itself over node:net / node:tls.
 */
import net from "node:net";
import tls from "node:tls";
import { replyText, type SmtpReply } from "./smtp-reply.js";
import { _encodeDataPieces } from "./_wire.js";

/** How the next hop's certificate is treated (like Postfix's `smtp_tls_security_level`). */
export type UpstreamTlsMode = "required" | "opportunistic" | "none";

/** Connection settings for the next hop, every default applied. */
export interface ResolvedUpstreamOptions {
  host: string;
  port: number;
  /** `required`: STARTTLS (or implicit TLS) with a verified certificate; `opportunistic`: STARTTLS when offered, unverified; `none`: plain text. */
  tls: UpstreamTlsMode;
  /** Implicit TLS from the first byte (SMTPS, port 465). */
  secure: boolean;
  ca?: string | Buffer | Array<string | Buffer>;
  servername: string;
  auth?: { user: string; pass: string };
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  dataTimeoutMs: number;
}

/** Why talking to the next hop failed (never a reply of the next hop: those are {@link SmtpReply}). */
export type UpstreamFailure = "connect" | "timeout" | "closed" | "protocol" | "tls" | "auth";

/** The next hop could not be reached, went silent, hung up or spoke no SMTP. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly kind: UpstreamFailure;
  /** The reply that ended the exchange, when there was one (a 421, a failed STARTTLS or AUTH). */
  readonly reply: SmtpReply | undefined;

  constructor(kind: UpstreamFailure, message: string, reply?: SmtpReply, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.reply = reply;
  }
}

/** TLS settings shared by implicit TLS and STARTTLS. */
function _tlsOptions(options: ResolvedUpstreamOptions): tls.ConnectionOptions {
  const name = options.servername;
  return {
    // SNI carries host names only (RFC 6066 §3); an IP address is still checked against the certificate.
    ...(net.isIP(name) ? {} : { servername: name }),
    // The name to verify is the configured one, not whatever the socket was opened with (STARTTLS sockets
    // have no host, and Node would check "localhost").
    checkServerIdentity: (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(name, cert),
    rejectUnauthorized: options.tls === "required",
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    minVersion: "TLSv1.2",
  };
}

// A reply line longer than this, or a multi-line reply with more lines, is not SMTP (RFC 5321 §4.5.3.1.5
// says 512 octets per line; generous slack for servers that exceed it).
const MAX_LINE = 8192;
const MAX_LINES = 256;

/** One open SMTP session to the next hop. */
export class UpstreamConnection {
  /** EHLO keywords in upper case (`SIZE`, `8BITMIME`, `SMTPUTF8`, `STARTTLS`, `AUTH`). */
  features = new Map<string, string>();
  /** Whether the session is encrypted, and with a verified certificate. */
  secure = false;
  verified = false;
  private socket: net.Socket;
  private buffer = "";
  private lines: string[] = [];
  private waiter: { resolve(r: SmtpReply): void; reject(e: Error): void; timer: NodeJS.Timeout } | undefined;
  private failure: UpstreamError | undefined;
  private readonly options: ResolvedUpstreamOptions;

  private constructor(socket: net.Socket, options: ResolvedUpstreamOptions) {
    this.socket = socket;
    this.options = options;
    this.attach(socket);
  }

  /** False once the session failed, was closed or the next hop hung up. */
  get usable(): boolean {
    return this.failure === undefined && !this.socket.destroyed;
  }

  /**
   * Connects, reads the greeting, says EHLO (HELO for servers that refuse it), upgrades with STARTTLS as the
   * TLS mode says, and authenticates when credentials are configured.
   * @throws UpstreamError when any step fails.
   */
  static async open(options: ResolvedUpstreamOptions, helo: string): Promise<UpstreamConnection> {
    const socket = await UpstreamConnection.connectSocket(options);
    const conn = new UpstreamConnection(socket, options);
    try {
      if (options.secure) conn.markSecure(socket as tls.TLSSocket);
      const greeting = await conn.read(options.commandTimeoutMs);
      if (greeting.code !== 220) {
        throw new UpstreamError("protocol", `greeting was ${greeting.code} ${replyText(greeting)}`, greeting);
      }
      await conn.hello(helo);
      if (!conn.secure && options.tls !== "none") {
        if (conn.features.has("STARTTLS")) {
          await conn.startTls(helo);
        } else if (options.tls === "required") {
          throw new UpstreamError("tls", "the next hop does not offer STARTTLS and upstream.tls is required");
        }
      }
      if (options.auth) await conn.authenticate(options.auth);
      return conn;
    } catch (err) {
      conn.destroy();
      throw err;
    }
  }

  private static connectSocket(options: ResolvedUpstreamOptions): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = options.secure
        ? tls.connect({
            host: options.host,
            port: options.port,
            ..._tlsOptions(options),
          })
        : net.connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new UpstreamError(
            "connect",
            `no connection to ${options.host}:${options.port} within ${options.connectTimeoutMs} ms`,
          ),
        );
      }, options.connectTimeoutMs);
      const ready = options.secure ? "secureConnect" : "connect";
      socket.once(ready, () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        const kind = options.secure && !(err as NodeJS.ErrnoException).syscall ? "tls" : "connect";
        reject(
          new UpstreamError(kind, `${options.host}:${options.port}: ${err.message}`, undefined, {
            cause: err,
          }),
        );
      });
    });
  }

  private attach(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (err) =>
      this.fail(new UpstreamError("closed", `connection error: ${err.message}`, undefined, { cause: err })),
    );
    socket.on("close", () => this.fail(new UpstreamError("closed", "the next hop closed the connection")));
  }

  private detach(socket: net.Socket): void {
    socket.removeAllListeners("data");
    socket.removeAllListeners("error");
    socket.removeAllListeners("close");
  }

  private onData(chunk: Buffer): void {
    // Replies are ASCII (UTF-8 with SMTPUTF8); latin1 keeps every byte and cannot throw.
    this.buffer += chunk.toString("latin1");
    let lf: number;
    while ((lf = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, lf).replace(/\r$/, "");
      this.buffer = this.buffer.slice(lf + 1);
      this.onLine(line);
    }
    if (this.buffer.length > MAX_LINE) this.fail(new UpstreamError("protocol", "reply line too long"));
  }

  private onLine(line: string): void {
    const match = /^(\d{3})([ -])?(.*)$/.exec(line);
    if (!match) {
      this.fail(new UpstreamError("protocol", `not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`));
      return;
    }
    this.lines.push(line);
    if (this.lines.length > MAX_LINES) {
      this.fail(new UpstreamError("protocol", "reply has too many lines"));
      return;
    }
    if (match[2] === "-") return;
    const code = Number(match[1]);
    const reply: SmtpReply = { code, lines: this.lines.map((l) => l.slice(4)) };
    this.lines = [];
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      clearTimeout(waiter.timer);
      waiter.resolve(reply);
    } else if (code === 421) {
      // An unsolicited 421 (the next hop is shutting down or timed us out): RFC 5321 §3.8.
      this.fail(new UpstreamError("closed", `the next hop closed the session: ${replyText(reply)}`, reply));
    } else {
      this.fail(new UpstreamError("protocol", `unexpected reply ${code} ${replyText(reply)}`, reply));
    }
  }

  private fail(error: UpstreamError): void {
    if (this.failure) return;
    this.failure = error;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.socket.destroy();
  }

  private read(timeoutMs: number): Promise<SmtpReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new UpstreamError("timeout", `no reply from the next hop within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = { resolve, reject, timer };
    });
  }

  /**
   * Sends one command line and reads its reply.
   * @throws UpstreamError when the connection fails or the reply does not come in time.
   */
  async command(line: string, timeoutMs = this.options.commandTimeoutMs): Promise<SmtpReply> {
    if (this.failure) throw this.failure;
    // A CR or LF inside a command would smuggle a second command; smtp-server never hands us one, but this
    // client must not depend on its caller for that.
    if (/[\r\n]/.test(line)) throw new UpstreamError("protocol", "command contains a line break");
    const reply = this.read(timeoutMs);
    this.socket.write(`${line}\r\n`);
    return reply;
  }

  private async hello(helo: string): Promise<void> {
    let reply = await this.command(`EHLO ${helo}`);
    if (reply.code >= 500 && reply.code < 600) {
      reply = await this.command(`HELO ${helo}`);
      this.features = new Map();
    } else {
      this.features = new Map();
      for (const line of reply.lines.slice(1)) {
        const [keyword = "", ...rest] = line.trim().split(/\s+/);
        if (keyword) this.features.set(keyword.toUpperCase(), rest.join(" "));
      }
    }
    if (reply.code !== 250) {
      throw new UpstreamError("protocol", `HELO/EHLO refused: ${reply.code} ${replyText(reply)}`, reply);
    }
  }

  private markSecure(socket: tls.TLSSocket): void {
    this.secure = true;
    this.verified = socket.authorized;
  }

  private async startTls(helo: string): Promise<void> {
    const reply = await this.command("STARTTLS");
    if (reply.code !== 220) {
      if (this.options.tls === "required") {
        throw new UpstreamError("tls", `STARTTLS refused: ${reply.code} ${replyText(reply)}`, reply);
      }
      return; // opportunistic: carry on in plain text, as Postfix's "may" does
    }
    const plain = this.socket;
    this.detach(plain);
    const secured = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const socket = tls.connect({
        socket: plain,
        ..._tlsOptions(this.options),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new UpstreamError("timeout", "TLS handshake with the next hop timed out"));
      }, this.options.commandTimeoutMs);
      socket.once("secureConnect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(socket);
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        plain.destroy();
        reject(
          new UpstreamError("tls", `TLS with the next hop failed: ${err.message}`, undefined, { cause: err }),
        );
      });
    });
    this.socket = secured;
    this.attach(secured);
    this.markSecure(secured);
    // RFC 3207 §4.2: everything learnt before TLS is discarded, the EHLO is repeated.
    await this.hello(helo);
  }

  private async authenticate(auth: { user: string; pass: string }): Promise<void> {
    // Credentials never cross the network in the clear, whatever the TLS mode says.
    if (!this.secure) throw new UpstreamError("auth", "refusing to send upstream credentials without TLS");
    const methods = (this.features.get("AUTH") ?? "").toUpperCase().split(/\s+/);
    let reply: SmtpReply;
    if (methods.includes("PLAIN")) {
      const token = Buffer.from(`\0${auth.user}\0${auth.pass}`, "utf8").toString("base64");
      reply = await this.command(`AUTH PLAIN ${token}`);
    } else if (methods.includes("LOGIN")) {
      reply = await this.command("AUTH LOGIN");
      if (reply.code === 334) reply = await this.command(Buffer.from(auth.user, "utf8").toString("base64"));
      if (reply.code === 334) reply = await this.command(Buffer.from(auth.pass, "utf8").toString("base64"));
    } else {
      throw new UpstreamError("auth", "the next hop offers neither AUTH PLAIN nor AUTH LOGIN");
    }
    if (reply.code !== 235) {
      throw new UpstreamError(
        "auth",
        `authentication at the next hop failed: ${reply.code} ${replyText(reply)}`,
        reply,
      );
    }
  }

  /**
   * Sends DATA, the message (CRLF, dot-stuffed) and the terminator, and returns the final reply (or the
   * refusal of DATA itself).
   * @throws UpstreamError when the connection fails or the final reply does not come within dataTimeoutMs.
   */
  async data(message: Uint8Array): Promise<SmtpReply> {
    // Encoded before DATA is sent: whatever could go wrong with the bytes goes wrong before the next hop has
    // been told a message is coming.
    const pieces = _encodeDataPieces(message);
    const go = await this.command("DATA");
    // Only 354 invites the message. A refusal (4xx/5xx) goes back to the caller; any other answer — a 2xx
    // to DATA itself — would let a caller report acceptance for bytes never sent, so it is a protocol error.
    if (go.code !== 354 && go.code < 400) {
      throw new UpstreamError("protocol", `the next hop answered DATA with ${go.code} instead of 354`);
    }
    if (go.code !== 354) return go;
    if (this.failure) throw this.failure;
    const reply = this.read(this.options.dataTimeoutMs);
    // The message goes out as it is when it is already in wire form (no copy), then the terminator.
    this.socket.cork();
    for (const piece of pieces) this.socket.write(piece);
    this.socket.uncork();
    return reply;
  }

  /** Ends the session politely (QUIT), without waiting long for the answer. */
  async quit(): Promise<void> {
    if (!this.usable) return;
    try {
      await this.command("QUIT", Math.min(this.options.commandTimeoutMs, 5000));
    } catch {
      // the next hop may hang up before it answers QUIT; nothing is lost either way
    }
    this.socket.end();
    this.destroy();
  }

  /** Drops the connection at once (the next hop discards an unfinished transaction). */
  destroy(): void {
    this.fail(new UpstreamError("closed", "connection closed by the relay"));
  }
}
