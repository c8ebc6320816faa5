/**
 * The mailstamp demo: `npm run demo`.
 *
 * Starts the real SMTP relay (mailstamp/smtp) on 127.0.0.1 in front of a local capture next hop, sends every
 * message in examples/messages/ through it over SMTP, and writes, into out/demo/:
 * - `relay/<n>-<queue id>.eml`: each message as the next hop received it from the relay (stamped, or the
 *   original bytes plus the processed-marker header when nothing applied), with its envelope in a `.json`;
 * - `<message>.json`: the StampResult without the message bytes — status, reason, stamps, and the rule trace;
 * - `preview.html`: every template rendered for every directory user, HTML and plain text side by side.
 *
 * Then it prints one line per message with the relay's outcome and the next hop's reply. Nothing leaves the
 * machine: both servers listen on 127.0.0.1 and stop when the demo ends.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import nodemailer from "nodemailer";
import { addressParser } from "postal-mime";
import { createStamper, isMailstampError, loadConfig, renderTemplate } from "../src/index.js";
import { createRelay } from "../src/adapters/smtp/index.js";
import { startCaptureNextHop } from "./relay/capture-next-hop.js";
import type { RenderedStamp, ResolvedConfig, StampResult, TemplateData } from "../src/index.js";

const examplesDir = path.dirname(fileURLToPath(import.meta.url));
const configPath = path.join(examplesDir, "mailstamp.config.yaml");
const messagesDir = path.join(examplesDir, "messages");
const outDir = path.resolve(examplesDir, "..", "out", "demo");

// A fixed processing time inside the example's campaign window (2026–2027), so the Sales banner shows and
// every run writes the same bytes. Drop the `clock` option to use the real time, as a relay does.
const DEMO_NOW = new Date("2026-03-09T09:00:00Z");

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** The report is the result minus the bytes, which are in the .eml next to it. */
function toReport(file: string, input: Uint8Array, result: StampResult): Record<string, unknown> {
  const { message, ...rest } = result;
  return { file, bytesIn: input.byteLength, bytesOut: message.byteLength, ...rest };
}

/** A browser cannot resolve `cid:` links; show embedded images as data: URLs in the preview. */
function withDataUrls(stamp: RenderedStamp): string {
  let html = stamp.html;
  for (const image of stamp.images) {
    const url = `data:${image.contentType};base64,${Buffer.from(image.data).toString("base64")}`;
    html = html.split(`cid:${image.cid}`).join(url);
  }
  return html;
}

async function buildPreview(config: ResolvedConfig): Promise<string> {
  const sections: string[] = [];
  for (const user of config.directory.users) {
    const address = user.mail ?? "";
    const data: TemplateData = {
      user: { ...user },
      sender: {
        address,
        domain: address.slice(address.lastIndexOf("@") + 1).toLowerCase(),
        ...(typeof user.displayName === "string" ? { name: user.displayName } : {}),
      },
      recipients: [
        {
          address: "priya.natarajan@northwind-traders.net",
          domain: "northwind-traders.net",
          internal: false,
        },
      ],
      message: { subject: "Preview", type: "new" },
      org: { ...config.organization },
      now: DEMO_NOW,
    };
    const cards: string[] = [];
    for (const [name, template] of Object.entries(config.templates)) {
      const stamp = await renderTemplate(template, data);
      cards.push(
        `<div class="card"><h3>${escapeHtml(name)}</h3>` +
          `<div class="html">${withDataUrls(stamp)}</div>` +
          `<pre>${escapeHtml(stamp.text)}</pre></div>`,
      );
    }
    sections.push(
      `<section><h2>${escapeHtml(String(user.displayName ?? address))} ` +
        `<small>&lt;${escapeHtml(address)}&gt; · groups: ${escapeHtml(user.groups.join(", ") || "none")}</small></h2>` +
        `${cards.join("\n")}</section>`,
    );
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mailstamp demo: template preview</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 64em; padding: 0 1em; color: #222; }
  h2 small { font-weight: normal; color: #666; font-size: 0.7em; }
  section { border-top: 1px solid #ccc; margin-top: 2em; }
  .card { margin: 1em 0 2em; }
  .card h3 { font-size: 0.9em; text-transform: uppercase; letter-spacing: 0.05em; color: #666; }
  .html { border: 1px dashed #aaa; padding: 1em; background: #fff; }
  pre { background: #f6f6f6; padding: 1em; white-space: pre-wrap; margin-top: 0.5em; }
</style>
</head>
<body>
<h1>mailstamp demo: template preview</h1>
<p>Every template of <code>examples/mailstamp.config.yaml</code> rendered for every directory user: the HTML
stamp (sanitised, CSS inlined) in the dashed box, the plain-text stamp below it. Rendered at
${escapeHtml(DEMO_NOW.toISOString())}.</p>
${sections.join("\n")}
</body>
</html>
`;
}

/** Pads a table of strings into aligned columns. */
function formatTable(rows: string[][]): string {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, col) => cell.padEnd(widths[col] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function describeStamps(result: StampResult): string {
  return result.stamps.map((s) => `${s.template}@${s.placement}`).join(", ") || "-";
}

/** The envelope a mail server would use: From for MAIL FROM, To/Cc for RCPT TO. */
function envelopeOf(raw: Uint8Array): { from: string; to: string[] } {
  const text = Buffer.from(raw).toString("utf8");
  const head = text.slice(0, Math.max(0, text.search(/\r?\n\r?\n/)));
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const field = (name: string): string[] =>
    unfolded
      .split(/\r?\n/)
      .filter((line) => line.toLowerCase().startsWith(`${name}:`))
      .map((line) => line.slice(name.length + 1));
  const addresses = (values: string[]): string[] =>
    values
      .flatMap((value) => addressParser(value).flatMap((a) => (a.group ?? [a]).map((m) => m.address ?? "")))
      .filter(Boolean);
  return { from: addresses(field("from"))[0] ?? "", to: addresses([...field("to"), ...field("cc")]) };
}

async function main(): Promise<void> {
  const config = await loadConfig(configPath);
  const stamper = createStamper(config, { clock: () => DEMO_NOW });

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  // The real relay over real SMTP, on loopback: capture next hop ← relay ← this script (as a mail server would).
  const hop = await startCaptureNextHop(0, path.join(outDir, "relay"));
  const transactions: Array<Record<string, unknown>> = [];
  const relay = createRelay({
    stamper,
    listen: "127.0.0.1:0",
    upstream: { host: "127.0.0.1", port: hop.port, tls: "none" },
    logger: { info: (msg, data) => void (msg === "transaction" && data && transactions.push(data)) },
  });
  const { port } = await relay.listen();
  const client = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true });

  const files = (await readdir(messagesDir)).filter((name) => name.endsWith(".eml")).sort();
  const rows: string[][] = [["file", "status", "reason", "stamps", "next hop"]];
  try {
    for (const file of files) {
      const raw = new Uint8Array(await readFile(path.join(messagesDir, file)));
      const envelope = envelopeOf(raw);
      let reply: string;
      try {
        reply = (await client.sendMail({ envelope, raw: Buffer.from(raw) })).response;
      } catch (err) {
        reply = (err as { response?: string }).response ?? String(err);
      }
      // The same stamper, called directly, for the report with the full rule trace.
      const result = await stamper.stamp(raw, { envelope: { mailFrom: envelope.from, rcptTo: envelope.to } });
      const report = toReport(file, raw, result);
      await writeFile(
        path.join(outDir, file.replace(/\.eml$/, ".json")),
        `${JSON.stringify({ ...report, relay: transactions.at(-1) }, null, 2)}\n`,
      );
      rows.push([file, result.status, result.reason ?? "-", describeStamps(result), reply]);
    }
  } finally {
    client.close();
    await relay.close({ timeoutMs: 2000 });
    await hop.close();
  }

  await writeFile(path.join(outDir, "preview.html"), await buildPreview(config));

  process.stdout.write(`${formatTable(rows)}\n\n`);
  // Relative when run from the repository (the usual `npm run demo`), absolute from anywhere else.
  const shown = (p: string): string => {
    const rel = path.relative(process.cwd(), p);
    return rel === "" || rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
  };
  process.stdout.write(
    `Sent ${files.length} messages through the mailstamp relay (SMTP on 127.0.0.1) to a local capture next hop.\n` +
      `What the next hop received: ${shown(hop.folder)}\n` +
      `JSON reports and preview.html: ${shown(outDir)}\n`,
  );
}

main().catch((err: unknown) => {
  // A bad config or template is the only thing that stops the demo; say what and where, without a stack.
  if (isMailstampError(err)) {
    process.stderr.write(`demo: ${err.message}\n`);
  } else {
    process.stderr.write(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exitCode = 1;
});
