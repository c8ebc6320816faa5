/**
 * The mailstamp demo: `npm run demo`.
 *
 * Loads examples/mailstamp.config.yaml, stamps every message in examples/messages/ and writes, into out/demo/:
 * - `<message>.eml`: the message as it would leave the relay (the original bytes when it was skipped);
 * - `<message>.json`: the StampResult without the message bytes — status, reason, stamps, and the rule trace;
 * - `preview.html`: every template rendered for every directory user, HTML and plain text side by side.
 *
 * Then it prints one line per message. Open the .eml files in a mail client (or a text editor) to see that
 * nothing but the body parts changed.
 */
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createStamper, isMailstampError, loadConfig, renderTemplate } from "../src/index.js";
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

async function main(): Promise<void> {
  const config = await loadConfig(configPath);
  const stamper = createStamper(config, { clock: () => DEMO_NOW });

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });

  const files = (await readdir(messagesDir)).filter((name) => name.endsWith(".eml")).sort();
  const rows: string[][] = [["file", "status", "reason", "stamps"]];
  for (const file of files) {
    const raw = new Uint8Array(await readFile(path.join(messagesDir, file)));
    // No envelope: the demo has no SMTP session, so the From/To/Cc headers stand in for it.
    const result = await stamper.stamp(raw);
    await writeFile(path.join(outDir, file), result.message);
    const report = toReport(file, raw, result);
    await writeFile(
      path.join(outDir, file.replace(/\.eml$/, ".json")),
      `${JSON.stringify(report, null, 2)}\n`,
    );
    rows.push([file, result.status, result.reason ?? "-", describeStamps(result)]);
  }

  await writeFile(path.join(outDir, "preview.html"), await buildPreview(config));

  process.stdout.write(`${formatTable(rows)}\n\n`);
  // Relative when run from the repository (the usual `npm run demo`), absolute from anywhere else.
  const shown = path.relative(process.cwd(), outDir);
  const where = shown === "" || shown.startsWith("..") || path.isAbsolute(shown) ? outDir : shown;
  process.stdout.write(`Stamped messages, JSON reports and preview.html: ${where}\n`);
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
