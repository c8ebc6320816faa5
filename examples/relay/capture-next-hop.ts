/**
 * A local next hop for the example relay: an SMTP server on 127.0.0.1 that writes every message it accepts
 * to a folder as `<n>-<queue id>.eml`, with the envelope in a `.json` beside it. Nothing leaves the machine.
 *
 *   npx tsx examples/relay/capture-next-hop.ts [PORT] [FOLDER]     (defaults: 2526, out/relay)
 */
import { mkdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SMTPServer } from "smtp-server";

/** A running capture server. */
export interface CaptureNextHop {
  port: number;
  folder: string;
  /** Files written so far. */
  files: string[];
  close(): Promise<void>;
}

/** Starts the capture server; port 0 picks a free one. */
export async function startCaptureNextHop(port: number, folder: string): Promise<CaptureNextHop> {
  await mkdir(folder, { recursive: true });
  const files: string[] = [];
  let counter = 0;
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    // Loopback only and no TLS: this stands in for your mail server during a local trial, nothing more.
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        counter++;
        const queueId = `CAPTURE${String(counter).padStart(4, "0")}`;
        const base = path.join(folder, `${String(counter).padStart(2, "0")}-${queueId}`);
        const envelope = {
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          receivedAt: new Date().toISOString(),
        };
        Promise.all([
          writeFile(`${base}.eml`, Buffer.concat(chunks)),
          writeFile(`${base}.json`, `${JSON.stringify(envelope, null, 2)}\n`),
        ]).then(
          () => {
            files.push(`${base}.eml`);
            callback(null, `2.0.0 Ok: queued as ${queueId}`);
          },
          (err: Error) =>
            callback(Object.assign(new Error(`4.3.0 cannot write: ${err.message}`), { responseCode: 451 })),
        );
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    folder,
    files,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? 2526);
  const folder = path.resolve(process.argv[3] ?? "out/relay");
  const hop = await startCaptureNextHop(port, folder);
  process.stdout.write(`capture next hop on 127.0.0.1:${hop.port}, writing to ${folder} (Ctrl-C to stop)\n`);
  process.once("SIGINT", () => void hop.close());
  process.once("SIGTERM", () => void hop.close());
}
