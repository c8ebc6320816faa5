/**
 * A next hop that speaks SMTP from a script, for protocol faults smtp-server will not produce: refusing the DATA
 * command itself, answering it with 2xx, or holding a transaction open the way Postfix does ("503 nested MAIL").
 */
import net from "node:net";

export interface ScriptedHop {
  port: number;
  /** Every command line the hop received, in order, and `<message>` for each message body. */
  log: string[];
  close(): Promise<void>;
}

/** `reply(command)` answers a command (CRLF added), or undefined for the default answer. */
export async function startScriptedHop(reply: (command: string) => string | undefined): Promise<ScriptedHop> {
  const log: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.write("220 hop ESMTP\r\n");
    let buffer = Buffer.alloc(0);
    let inData = false;
    let inTransaction = false;
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          buffer = buffer.subarray(end + 5);
          inData = false;
          inTransaction = false;
          log.push("<message>");
          socket.write("250 2.0.0 Ok: queued as S1\r\n");
          continue;
        }
        const lf = buffer.indexOf("\n");
        if (lf < 0) return;
        const line = buffer.subarray(0, lf).toString("latin1").replace(/\r$/, "");
        buffer = buffer.subarray(lf + 1);
        log.push(line);
        const verb = line.slice(0, 4).toUpperCase();
        const custom = reply(line);
        if (custom !== undefined) {
          socket.write(`${custom}\r\n`);
          continue;
        }
        if (verb === "EHLO") socket.write("250-hop\r\n250 8BITMIME\r\n");
        else if (verb === "MAIL") {
          socket.write(inTransaction ? "503 5.5.1 Error: nested MAIL command\r\n" : "250 2.1.0 Ok\r\n");
          inTransaction = true;
        } else if (verb === "RSET") {
          inTransaction = false;
          socket.write("250 2.0.0 Ok\r\n");
        } else if (verb === "DATA") {
          inData = true;
          socket.write("354 End data with <CR><LF>.<CR><LF>\r\n");
        } else if (verb === "QUIT") {
          socket.end("221 2.0.0 Bye\r\n");
        } else socket.write("250 2.1.5 Ok\r\n");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
