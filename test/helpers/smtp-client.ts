/** A bare SMTP client for relay tests that need to see every reply (RSET, second EHLO, AUTH, pipelining). */
import net from "node:net";
import tls from "node:tls";

export interface Reply {
  code: number;
  text: string;
}

export interface RawSmtpSession {
  greeting: Reply;
  /** Sends one line and returns its reply. */
  command(line: string): Promise<Reply>;
  /** Sends raw bytes (a DATA payload ending in CRLF.CRLF) and returns the reply. */
  data(payload: string | Buffer): Promise<Reply>;
  /** Upgrades with STARTTLS, trusting `ca`. */
  startTls(ca: Buffer): Promise<Reply>;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
  close(): void;
}

/** Connects and reads the greeting (or the refusal in its place). */
export function connectSmtp(port: number, host = "127.0.0.1"): Promise<RawSmtpSession> {
  return new Promise((resolveSession, rejectSession) => {
    let socket: net.Socket = net.connect({ port, host });
    let buffer = "";
    let lines: string[] = [];
    const waiting: Array<(reply: Reply) => void> = [];
    const queued: Reply[] = [];
    let resolveClosed: () => void = () => {};
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const deliver = (reply: Reply): void => {
      const next = waiting.shift();
      if (next) next(reply);
      else queued.push(reply);
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString("utf8");
      let lf: number;
      while ((lf = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, lf).replace(/\r$/, "");
        buffer = buffer.slice(lf + 1);
        lines.push(line);
        if (line[3] !== "-") {
          deliver({ code: Number(line.slice(0, 3)), text: lines.map((l) => l.slice(4)).join("\n") });
          lines = [];
        }
      }
    };
    const next = (): Promise<Reply> =>
      new Promise((resolve) => {
        const ready = queued.shift();
        if (ready) resolve(ready);
        else waiting.push(resolve);
      });
    const attach = (s: net.Socket): void => {
      s.on("data", onData);
      s.on("error", () => {});
      s.on("close", () => {
        resolveClosed();
        // Anyone still waiting learns that the connection is gone.
        for (const w of waiting.splice(0)) w({ code: 0, text: "connection closed" });
      });
    };
    attach(socket);
    socket.once("error", rejectSession);
    const session: Omit<RawSmtpSession, "greeting"> = {
      command(line) {
        socket.write(`${line}\r\n`);
        return next();
      },
      data(payload) {
        socket.write(payload);
        return next();
      },
      async startTls(ca) {
        const reply = await session.command("STARTTLS");
        if (reply.code !== 220) return reply;
        socket.removeAllListeners("data");
        socket.removeAllListeners("close");
        const secured = tls.connect({ socket, ca, servername: "localhost" });
        await new Promise<void>((resolve, reject) => {
          secured.once("secureConnect", () => resolve());
          secured.once("error", reject);
        });
        socket = secured;
        attach(secured);
        return reply;
      },
      closed,
      close() {
        socket.destroy();
      },
    };
    void next().then((greeting) => resolveSession({ ...session, greeting }));
  });
}
