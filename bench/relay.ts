/**
 * `npm run bench:relay`: throughput of the mailstamp relay against a relay that does nothing (smtp-server in,
 * nodemailer out, 250 only after the next hop's 250 — the same promise), in the same run, on loopback.
 *
 *   npx tsx bench/relay.ts [--messages 400] [--connections 8] [--size 102400] [--workers 1] [--relay-directory]
 *
 * `--workers N` is the relay's `stampWorkers` (default 1: stamping in one worker thread beside the event loop;
 * 0: stamping on the event loop). `--relay-directory` passes the config's users as the relay's `directory`, so
 * every sender lookup of a worker is a round trip to the relay's thread, as with `directory.graph`.
 *
 * Prints messages per second for both, the ratio (target ≥ 0.8 at 100 KB), and what smtp-server's fixed
 * 100 ms greeting delay costs per connection.
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { createStamper, createStaticDirectory, loadConfig } from "../src/index.js";
import { createRelay } from "../src/adapters/smtp/index.js";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "400" },
    connections: { type: "string", default: "8" },
    size: { type: "string", default: "102400" },
    workers: { type: "string", default: "1" },
    "relay-directory": { type: "boolean", default: false },
  },
});
const MESSAGES = Number(values.messages);
const CONNECTIONS = Number(values.connections);
const SIZE = Number(values.size);
const WORKERS = Number(values.workers);
const RELAY_DIRECTORY = values["relay-directory"] === true;

/** A realistic new message from a directory user to an external recipient, about SIZE bytes. */
function message(i: number): string {
  const paragraph =
    "Please find the quarterly figures below; the totals include the adjustments we discussed. ";
  const lines: string[] = [];
  let text = "";
  while (text.length < SIZE / 2) {
    const line = `${paragraph.slice(0, 72)}`;
    lines.push(line);
    text += `${line}\r\n`;
  }
  const html = `<html><body>${lines.map((l) => `<p>${l}</p>`).join("\r\n")}</body></html>`;
  return [
    "From: Alice Example <alice@example.com>",
    "To: Priya <priya@northwind-traders.net>",
    `Subject: Figures ${i}`,
    "Date: Mon, 9 Mar 2026 09:00:00 +0000",
    `Message-ID: <bench-${i}@example.com>`,
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="b"',
    "",
    "--b",
    "Content-Type: text/plain; charset=utf-8",
    "",
    text,
    "--b",
    "Content-Type: text/html; charset=utf-8",
    "",
    html,
    "--b--",
    "",
  ].join("\r\n");
}

async function listen(server: SMTPServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return (server.server.address() as AddressInfo).port;
}

function close(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The next hop: accepts and discards. */
async function startSink(): Promise<{ port: number; count: () => number; server: SMTPServer }> {
  let count = 0;
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    onData(stream, _session, callback) {
      stream.on("data", () => {});
      stream.on("end", () => {
        count++;
        callback(null, "2.0.0 Ok: queued");
      });
    },
  });
  return { port: await listen(server), count: () => count, server };
}

/** The baseline: receive, forward unchanged with nodemailer (pooled), answer with the next hop's verdict. */
async function startBaseline(nextHop: number): Promise<{ port: number; stop: () => Promise<void> }> {
  const out = nodemailer.createTransport({
    host: "127.0.0.1",
    port: nextHop,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Infinity,
  });
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        out
          .sendMail({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            raw: Buffer.concat(chunks),
          })
          .then(
            (info) => callback(null, info.response),
            (err: Error) => callback(Object.assign(new Error(err.message), { responseCode: 451 })),
          );
      });
    },
  });
  const port = await listen(server);
  return {
    port,
    stop: async () => {
      out.close();
      await close(server);
    },
  };
}

async function drive(port: number, label: string, opts: { quiet?: boolean } = {}): Promise<number> {
  const client = nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    ignoreTLS: true,
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: Infinity,
  });
  const bodies = Array.from({ length: MESSAGES }, (_, i) => message(i));
  // Warm-up: open the pooled connections and let caches fill, outside the measurement.
  await Promise.all(
    bodies.slice(0, CONNECTIONS).map((raw) =>
      client.sendMail({
        envelope: { from: "alice@example.com", to: ["priya@northwind-traders.net"] },
        raw,
      }),
    ),
  );
  const start = performance.now();
  await Promise.all(
    bodies.map((raw) =>
      client.sendMail({ envelope: { from: "alice@example.com", to: ["priya@northwind-traders.net"] }, raw }),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  client.close();
  const rate = MESSAGES / seconds;
  if (opts.quiet) return rate;
  process.stdout.write(
    `${label.padEnd(28)} ${rate.toFixed(1).padStart(8)} msg/s  (${MESSAGES} × ${(Buffer.byteLength(bodies[0] ?? "") / 1024).toFixed(0)} KB over ${CONNECTIONS} connections, ${seconds.toFixed(2)} s)\n`,
  );
  return rate;
}

/** Connect → 220, averaged: what smtp-server's fixed 100 ms "early talker" delay costs per connection. */
async function greetingMs(port: number, rounds = 5): Promise<number> {
  let total = 0;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("data", () => {
        total += performance.now() - start;
        socket.end("QUIT\r\n");
        resolve();
      });
      socket.once("error", reject);
    });
  }
  return total / rounds;
}

async function main(): Promise<void> {
  const examples = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    "..",
    "examples",
    "mailstamp.config.yaml",
  );
  const config = await loadConfig(examples);
  const stamper = createStamper(config, { clock: () => new Date("2026-03-09T09:00:00Z") });

  const sink = await startSink();
  const baseline = await startBaseline(sink.port);
  const relay = createRelay({
    ...(WORKERS > 0 || RELAY_DIRECTORY ? { stamperConfig: config, stampWorkers: WORKERS } : { stamper }),
    ...(RELAY_DIRECTORY ? { directory: createStaticDirectory(config.directory.users) } : {}),
    listen: "127.0.0.1:0",
    upstream: { host: "127.0.0.1", port: sink.port, tls: "none" },
    logger: false,
  });
  const { port } = await relay.listen();
  process.stdout.write(
    `${RELAY_DIRECTORY ? "directory: in the relay's thread (--relay-directory)\n" : ""}stamping: ${WORKERS > 0 ? `${WORKERS} worker thread${WORKERS > 1 ? "s" : ""} (stampWorkers: ${WORKERS})` : "on the event loop (stampWorkers: 0)"}\n`,
  );

  const check = await stamper.stamp(message(0), {
    envelope: { mailFrom: "alice@example.com", rcptTo: ["priya@northwind-traders.net"] },
  });
  process.stdout.write(
    `stamp check: ${check.status}${check.reason ? ` (${check.reason})` : ""}, ${check.stamps.map((s) => s.template).join(", ")}\n`,
  );

  // One unmeasured round of each first: the client and the next hop are shared code, and whichever side ran
  // first would otherwise pay for their JIT warm-up. Then the sides alternate (A B B A A B), so neither always
  // runs on a colder or busier machine, and the ratio is of the summed rates.
  await drive(baseline.port, "warm-up: do-nothing relay", { quiet: true });
  await drive(port, "warm-up: mailstamp relay", { quiet: true });
  const order: Array<"base" | "ms"> = ["base", "ms", "ms", "base", "base", "ms"];
  const rates = { base: [] as number[], ms: [] as number[] };
  for (const side of order) {
    const label = side === "base" ? "do-nothing relay" : "mailstamp relay";
    rates[side].push(await drive(side === "base" ? baseline.port : port, label));
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const ratio = sum(rates.ms) / sum(rates.base);
  const each = rates.ms.map((r, i) => (r / (rates.base[i] ?? r)).toFixed(2)).join(", ");
  process.stdout.write(
    `\nratio mailstamp / do-nothing: ${ratio.toFixed(2)} (target ≥ 0.80; pairwise ${each})\n`,
  );
  process.stdout.write(
    `greeting (connect → 220): ${(await greetingMs(port)).toFixed(1)} ms — smtp-server waits a fixed 100 ms before it greets\n`,
  );
  process.stdout.write(`next hop received ${sink.count()} messages\n`);

  await relay.close({ timeoutMs: 1000 });
  await baseline.stop();
  await close(sink.server);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:relay: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
