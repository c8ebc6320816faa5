/**
 * Renders a stamp template for one message: Liquid (escaped) → CSS inlined (juice) → sanitised HTML, plus the
 * plain-text version and the inline images the HTML references. The building block `createStamper` uses,
 * exported for hosts that render stamps themselves (previews, other transports).
 */
import type { Template } from "liquidjs";
import type { ResolvedTemplate } from "../config/types.js";
import { MailstampError, TemplateError } from "../errors.js";
import { htmlToText } from "./html-to-text.js";
import { inlineCss } from "./inline-css.js";
import { compileTemplate, DEFAULT_RENDER_TIMEOUT_MS, renderCompiled } from "./liquid.js";
import type { TemplateKind } from "./liquid.js";
import { sanitizeStampHtml } from "./sanitize.js";
import { resolveImages } from "./_images.js";
import { Lru } from "./_lru.js";
import { hashBytes, stableHash } from "./_stable-hash.js";
import { escapeHtml } from "../escape-html.js";

/** What a template can read: `{{ user.displayName }}`, `{{ recipients[0].address }}`, `{{ org.name }}`, …. */
export interface TemplateData {
  /** The sender's directory record (flat attributes, `groups`, optional `photo`); `{}` when unknown. */
  user: Record<string, unknown>;
  sender: { address?: string; name?: string; domain?: string };
  recipients: Array<{ address: string; name?: string; domain: string; internal: boolean }>;
  message: { subject: string; date?: string; messageId?: string; type: "new" | "reply" | "forward" };
  /** The config's `organization` section, free keys included. */
  org: Record<string, unknown>;
  /** The processing time; templates see it at minute resolution (see {@link TemplateRenderer}). */
  now: Date;
}

/** An image the stamp's HTML references by `cid:`; the MIME layer adds it as an inline related part. */
export interface EmbeddedImage {
  /** The template's image name (`logo`), or `photo` for the directory photo. */
  name: string;
  /** The Content-ID without angle brackets: `logo.3f2a9c0b1d4e@mailstamp`. */
  cid: string;
  contentType: string;
  data: Uint8Array;
  /** A file name for the part's Content-Disposition: `logo.png`. */
  filename: string;
}

/** One rendered stamp, ready to be injected into the HTML and plain-text bodies. */
export interface RenderedStamp {
  /** The template's name. */
  template: string;
  /** Sanitised HTML with inline CSS. */
  html: string;
  /** The plain-text stamp: the `text` template, or the HTML converted to readable text. */
  text: string;
  /** Embedded images referenced by `html`, in template order. */
  images: EmbeddedImage[];
}

export interface TemplateRendererOptions {
  /**
   * Time budget for one template's Liquid rendering, in milliseconds; beyond it rendering fails with
   * `TEMPLATE_RENDER`. Set from `options.limits.renderTimeoutMs`.
   * @default 1000
   */
  timeoutMs?: number;
  /**
   * How many rendered stamps to keep (least recently used are dropped); 0 turns the cache off.
   * @default 500
   */
  cacheSize?: number;
}

/**
 * Renders templates with a cache: a busy relay renders each (template, data) pair once.
 *
 * The cache key is the template's name, a hash of its sources (html, text, css, images) and a stable hash of
 * the data with `now` truncated to the minute. Templates render with that truncated `now` too, so a cached
 * stamp is exactly what a fresh render would give: output is deterministic for equal keys. Cached stamps are
 * frozen and shared between callers.
 */
export interface TemplateRenderer {
  /**
   * Renders a template for one message.
   * @throws TemplateError `TEMPLATE_PARSE` for a source that does not parse, `TEMPLATE_RENDER` when rendering
   * fails or exceeds the time or memory limit.
   */
  render(template: ResolvedTemplate, data: TemplateData): Promise<RenderedStamp>;
  /** Forgets every cached stamp (e.g. after the directory or config changed). */
  clear(): void;
}

/** Compiled templates are shared by every renderer: the same source compiles to the same tree. */
const compiled = new Lru<string, Template[]>(256);

function compile(name: string, kind: TemplateKind, source: string): Template[] {
  const key = `${kind}\0${source}`;
  let templates = compiled.get(key);
  if (!templates) {
    templates = compileTemplate(name, kind, source);
    compiled.set(key, templates);
  }
  return templates;
}

const templateHashes = new WeakMap<ResolvedTemplate, string>();

/** Hash of everything in a template that shapes its output; resolved configs are not mutated in place. */
function templateHash(template: ResolvedTemplate): string {
  let hash = templateHashes.get(template);
  if (hash === undefined) {
    const images = Object.entries(template.images).map(([name, image]) => [
      name,
      image.embed,
      image.url ?? null,
      image.contentType ?? null,
      image.data ? hashBytes(image.data) : null,
    ]);
    hash = stableHash([template.html ?? null, template.text ?? null, template.css ?? null, images]);
    templateHashes.set(template, hash);
  }
  return hash;
}

const DATA_ROOTS = ["user", "sender", "recipients", "message", "org", "now"] as const;
const usedRootsCache = new WeakMap<ResolvedTemplate, ReadonlySet<string> | null>();

/**
 * The data roots a template can read, found by name in its sources, so a signature that shows only `user.*`
 * is rendered once per user — not once per message because every subject differs. Conservative: a root
 * whose name appears anywhere (text, CSS, a string such as `"now" | date`) counts, `images` reads
 * `user.photo`, and a template with a computed lookup (`{{ [name] }}`) keys on everything (null).
 */
function usedRoots(template: ResolvedTemplate): ReadonlySet<string> | null {
  let roots = usedRootsCache.get(template);
  if (roots === undefined) {
    const source = [template.html ?? "", template.text ?? "", template.css ?? ""].join("\n");
    if (/\{[{%][^}]*\[/.test(source)) roots = null;
    else {
      const found = new Set<string>(DATA_ROOTS.filter((root) => new RegExp(`\\b${root}\\b`).test(source)));
      if (/\bimages\b/.test(source)) found.add("user");
      roots = found;
    }
    usedRootsCache.set(template, roots);
  }
  return roots;
}

function keyData(template: ResolvedTemplate, data: TemplateData): unknown {
  const roots = usedRoots(template);
  if (roots === null) return data;
  return DATA_ROOTS.map((root) => (roots.has(root) ? data[root] : null));
}

function toMinute(now: Date): Date {
  const time = now instanceof Date ? now.getTime() : Number.NaN;
  return new Date(Number.isFinite(time) ? time - (((time % 60_000) + 60_000) % 60_000) : 0);
}

/** A text-only template still needs an HTML stamp for the HTML body: the same lines, escaped. */
function textToHtml(text: string): string {
  return `<div>${text.split("\n").map(escapeHtml).join("<br>")}</div>`;
}

/** Line breaks as LF (the MIME layer writes the message's own), no leading blank lines, no trailing space. */
function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(/^(?:[ \t]*\n)+/, "")
    .trimEnd();
}

function checkOptions(options: TemplateRendererOptions): { timeoutMs: number; cacheSize: number } {
  const { timeoutMs = DEFAULT_RENDER_TIMEOUT_MS, cacheSize = 500 } = options;
  // Strict on purpose: a falsy or NaN limit must not quietly become "no limit".
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new MailstampError(
      "OPTIONS_INVALID",
      `timeoutMs: expected a positive number of milliseconds, got ${String(timeoutMs)}`,
    );
  }
  if (typeof cacheSize !== "number" || !Number.isInteger(cacheSize) || cacheSize < 0) {
    throw new MailstampError(
      "OPTIONS_INVALID",
      `cacheSize: expected a whole number ≥ 0, got ${String(cacheSize)}`,
    );
  }
  return { timeoutMs, cacheSize };
}

async function renderStamp(
  template: ResolvedTemplate,
  data: TemplateData,
  timeoutMs: number,
): Promise<RenderedStamp> {
  const { name } = template;
  if (template.html === undefined && template.text === undefined) {
    throw new TemplateError("TEMPLATE_RENDER", name, "the template has neither html nor text");
  }
  const user = data.user ?? {};
  const images = resolveImages(template, user);
  // A fresh scope per render: `{% increment %}` writes into the scope it is given, and the text render must
  // not see what the HTML render did.
  const scope = (): Record<string, unknown> => ({
    user,
    sender: data.sender ?? {},
    recipients: data.recipients ?? [],
    message: data.message ?? {},
    org: data.org ?? {},
    now: data.now,
    images: images.urls,
  });
  // One budget for the whole stamp: the text render gets what the HTML render left.
  const deadline = performance.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - performance.now());

  let html = "";
  if (template.html !== undefined) {
    const raw = await renderCompiled(
      name,
      "html",
      compile(name, "html", template.html),
      scope(),
      remaining(),
    );
    try {
      html = sanitizeStampHtml(inlineCss(raw, template.css)).trim();
    } catch (err) {
      // juice and sanitize-html are lenient parsers; should one still give up, it is this template's fault.
      const detail = err instanceof Error ? err.message : String(err);
      throw new TemplateError("TEMPLATE_RENDER", name, `html: ${detail}`, undefined, { cause: err });
    }
  }
  let text: string;
  if (template.text !== undefined) {
    text = tidyText(
      await renderCompiled(name, "text", compile(name, "text", template.text), scope(), remaining()),
    );
    if (template.html === undefined) html = text === "" ? "" : textToHtml(text);
  } else {
    text = htmlToText(html);
  }
  const used = images.embedded.filter((image) => html.includes(`cid:${image.cid}`));
  return { template: name, html, text, images: used };
}

function freeze(stamp: RenderedStamp): RenderedStamp {
  return Object.freeze({
    ...stamp,
    images: Object.freeze(stamp.images.map((image) => Object.freeze({ ...image }))) as EmbeddedImage[],
  });
}

/**
 * Creates a template renderer with its own cache of rendered stamps.
 *
 * @example
 * const renderer = createTemplateRenderer({ timeoutMs: config.options.limits.renderTimeoutMs });
 * const stamp = await renderer.render(config.templates.standard, data);
 * stamp.html; stamp.text; stamp.images // inline parts for cid: references
 * @throws MailstampError `OPTIONS_INVALID` for a timeout that is not a positive number or a cache size that is
 * not a whole number ≥ 0.
 */
export function createTemplateRenderer(options: TemplateRendererOptions = {}): TemplateRenderer {
  const { timeoutMs, cacheSize } = checkOptions(options);
  const cache = new Lru<string, Promise<RenderedStamp>>(cacheSize);
  return {
    render(template, data) {
      const minuteData: TemplateData = { ...data, now: toMinute(data.now) };
      if (cacheSize === 0) return renderStamp(template, minuteData, timeoutMs).then(freeze);
      const key = `${template.name}\0${templateHash(template)}\0${stableHash(keyData(template, minuteData))}`;
      const hit = cache.get(key);
      if (hit) return hit;
      // The promise is cached, so concurrent messages for the same stamp share one render.
      const pending = renderStamp(template, minuteData, timeoutMs).then(freeze);
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
      return pending;
    },
    clear() {
      cache.clear();
    },
  };
}

const sharedRenderers = new Map<string, TemplateRenderer>();

/**
 * Renders one template for one message (HTML escaped, CSS inlined, sanitised; text from the `text` template or
 * derived from the HTML). Calls with the same options share one cached renderer; use
 * {@link createTemplateRenderer} to own the cache.
 *
 * @example
 * const stamp = await renderTemplate(config.templates.standard, {
 *   user: { displayName: "Alice Example", mobilePhone: "+1 415 555 0100" },
 *   sender: { address: "alice@example.com", domain: "example.com" },
 *   recipients: [{ address: "bob@example.net", domain: "example.net", internal: false }],
 *   message: { subject: "Hello", type: "new" },
 *   org: { name: "Example Corp" },
 *   now: new Date(),
 * });
 * @throws TemplateError `TEMPLATE_PARSE` / `TEMPLATE_RENDER`; MailstampError `OPTIONS_INVALID` for bad options.
 */
export async function renderTemplate(
  template: ResolvedTemplate,
  data: TemplateData,
  options: TemplateRendererOptions = {},
): Promise<RenderedStamp> {
  const { timeoutMs, cacheSize } = checkOptions(options);
  const key = `${timeoutMs}/${cacheSize}`;
  let renderer = sharedRenderers.get(key);
  if (!renderer) {
    renderer = createTemplateRenderer({ timeoutMs, cacheSize });
    // Bounded: callers pass options from a handful of configs, not per message.
    if (sharedRenderers.size >= 16) sharedRenderers.clear();
    sharedRenderers.set(key, renderer);
  }
  return renderer.render(template, data);
}
