import { resolve } from "node:path";
import { createStaticDirectory, renderTemplate, type RenderedStamp, type ResolvedConfig } from "../index.js";
import { loadCliConfig } from "./_config.js";
import { CliError, writeAtomic } from "./_io.js";
import type { CliIo, CliValues } from "./run.js";

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Embedded images are `cid:` references in mail; a browser needs them as data: URLs. */
function withDataUrls(stamp: RenderedStamp): string {
  let html = stamp.html;
  for (const image of stamp.images) {
    const url = `data:${image.contentType};base64,${Buffer.from(image.data).toString("base64")}`;
    html = html.split(`cid:${image.cid}`).join(url);
  }
  return html;
}

/** Renders every chosen template for one directory user as a standalone HTML page. */
export async function buildPreview(config: ResolvedConfig, address: string, only?: string): Promise<string> {
  const user = await createStaticDirectory(config.directory.users).lookup(address);
  if (!user) throw new CliError(`${address} is not in the config's directory`, 1);
  const names = only ? [only] : Object.keys(config.templates);
  const sections: string[] = [];
  for (const name of names) {
    const template = config.templates[name];
    if (!template)
      throw new CliError(
        `no template named "${name}" (have: ${Object.keys(config.templates).join(", ")})`,
        1,
      );
    const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
    const stamp = await renderTemplate(template, {
      user: { ...user },
      sender: {
        address,
        domain,
        ...(typeof user.displayName === "string" ? { name: user.displayName } : {}),
      },
      recipients: [{ address: "recipient@partner.test", domain: "partner.test", internal: false }],
      message: { subject: "Preview", type: "new" },
      org: { ...config.organization },
      now: new Date(),
    });
    sections.push(
      `<section><h2>${escapeHtml(name)}</h2>` +
        `<h3>HTML</h3><div class="html">${withDataUrls(stamp)}</div>` +
        `<h3>Text</h3><pre>${escapeHtml(stamp.text)}</pre></section>`,
    );
  }
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>mailstamp preview: ${escapeHtml(address)}</title>` +
    `<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}section{border-top:1px solid #ccc;margin-top:1.5em}` +
    `.html{border:1px dashed #aaa;padding:1em}pre{background:#f6f6f6;padding:1em;white-space:pre-wrap}</style></head>` +
    `<body><h1>mailstamp preview for ${escapeHtml(address)}</h1>${sections.join("\n")}</body></html>\n`
  );
}

/** `mailstamp preview`: an HTML page with the rendered HTML and text stamps for one user. */
export async function previewCommand(values: CliValues, args: string[], io: CliIo): Promise<number> {
  if (args.length > 0) throw new CliError("preview takes no positional arguments", 2);
  if (!values.user) throw new CliError("preview needs --user ADDR", 2);
  const config = await loadCliConfig(values.config && resolve(io.cwd, values.config), io.cwd);
  const page = await buildPreview(config, values.user, values.template);
  if (values.output) await writeAtomic(resolve(io.cwd, values.output), page);
  else io.stdout.write(page);
  return 0;
}
