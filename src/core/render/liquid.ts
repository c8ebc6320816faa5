/**
 * The one place where mailstamp's Liquid engines are configured. Templates come from an admin's config, but
 * they render directory data that users can edit (a display name, a job title) into mail that leaves the
 * organisation, on a relay that must keep moving: every setting below is pinned for that, and says why.
 */
import { Liquid, LiquidError, Tag, filters as liquidFilters } from "liquidjs";
import type { Context, FS, Template, TagToken, TopLevelToken } from "liquidjs";
import { TemplateError } from "../errors.js";
import { MAILSTAMP_FILTERS } from "./filters.js";
import { LineBlock, noteOutput } from "./line-block.js";

/** Which stamp a template source produces: HTML output is escaped, plain text is not. */
export type TemplateKind = "html" | "text";

/** Longest template source accepted, in characters; a signature is a few kilobytes. */
const PARSE_LIMIT = 1_000_000;

/**
 * Allocation budget per render, in liquidjs units (characters escaped or joined, range elements): a signature
 * uses a few thousand; `(1..1000000000)` or a runaway `join` stops here before it takes the relay's memory.
 */
const MEMORY_LIMIT = 2_000_000;

/** Render time budget when the caller sets none, in milliseconds (matches `limits.renderTimeoutMs`). */
export const DEFAULT_RENDER_TIMEOUT_MS = 1000;

/**
 * A file system that refuses everything: templates live in the config, and a template that could read files
 * (`{% include "/etc/passwd" %}`) would mail them to the world. Defence in depth behind the tags below.
 */
const NO_FILES: FS = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: (file) => Promise.reject(new Error(`templates cannot read files (${file})`)),
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir, file) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
};

/** `include`, `render` and `layout` read files; they fail at parse time so `mailstamp check` reports them. */
class NoFileTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new Error(
      `{% ${token.name} %} is not available: mailstamp templates cannot read files; put the markup in the template`,
    );
  }

  render(): void {}
}

type OutputHook = (this: { context: Context }, value: unknown) => string;

/** liquidjs's own `escape` filter: same stringification and memory accounting as `outputEscape: "escape"`. */
const liquidEscape = liquidFilters["escape"] as OutputHook;

/** Output hook for HTML: note the value for `{% line %}`, then HTML-escape it exactly as liquidjs does. */
function escapeHtmlOutput(this: { context: Context }, value: unknown): string {
  noteOutput(this.context, value);
  return liquidEscape.call(this, value);
}

/** Output hook for text: note the value for `{% line %}`; plain text is written as it is. */
function passTextOutput(this: { context: Context }, value: unknown): string {
  noteOutput(this.context, value);
  // liquidjs stringifies whatever the hook returns when it writes the output.
  return value as string;
}

function createEngine(kind: TemplateKind): Liquid {
  const engine = new Liquid({
    // Every `{{ }}` is HTML-escaped in HTML stamps: a display name like `<script>` or `Smith & Co` is data, not
    // markup. `| raw` opts out for admin-written markup (the sanitiser still runs after).
    // Plain text is not HTML, so escaping it would put `&amp;` into the text part.
    outputEscape: kind === "html" ? escapeHtmlOutput : passTextOutput,
    // `{{ user.constructor }}` / `{{ user.__proto__ }}` must not reach JavaScript internals: only the data's
    // own properties exist for a template.
    ownPropertyOnly: true,
    // A typo in a filter name is a config error found when the config is parsed, not a silently empty stamp.
    strictFilters: true,
    // A directory attribute that one user lacks renders empty: templates are shared by users with uneven data.
    strictVariables: false,
    // `{% if user.mobilePhone %}` should be false for "" (Graph returns empty strings), as authors expect;
    // Shopify's "only nil and false are falsy" surprises everyone who writes a signature.
    jsTruthy: true,
    // No file system: no root, no partials, no layouts, and an fs that refuses (see NO_FILES).
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    fs: NO_FILES,
    // We cache compiled templates ourselves, keyed by source; liquidjs's cache is keyed by file name.
    cache: false,
    // `{%- -%}` trims all adjacent whitespace including newlines (liquidjs default, stated to pin it); tags and
    // outputs do not trim unless asked, so a text template keeps the line breaks the admin wrote.
    greedy: true,
    trimTagLeft: false,
    trimTagRight: false,
    trimOutputLeft: false,
    trimOutputRight: false,
    // The relay's time zone and locale are accidents of deployment; stamps must not change with them.
    // `{{ now | date: "%Y", "Europe/Berlin" }}` picks a zone explicitly.
    timezoneOffset: 0,
    locale: "en-US",
    // DoS limits: see PARSE_LIMIT and MEMORY_LIMIT; the time limit is set per render from the caller's options.
    parseLimit: PARSE_LIMIT,
    memoryLimit: MEMORY_LIMIT,
    renderLimit: DEFAULT_RENDER_TIMEOUT_MS,
    // Report the first error with its position instead of a bag of them.
    catchAllErrors: false,
  });
  for (const [name, handler] of Object.entries(MAILSTAMP_FILTERS)) engine.registerFilter(name, handler);
  // `| raw` skips the output hook, so it notes the value for `{% line %}` itself.
  engine.registerFilter("raw", {
    raw: true,
    handler(value: unknown) {
      noteOutput(this.context, value);
      return value;
    },
  });
  engine.registerTag("line", LineBlock);
  for (const name of ["include", "render", "layout"]) engine.registerTag(name, NoFileTag);
  return engine;
}

const engines: Record<TemplateKind, Liquid> = { html: createEngine("html"), text: createEngine("text") };

/** Splits liquidjs's "message, line:3, col:7" into the message and the position. */
function describe(err: unknown): { detail: string; line?: number; column?: number } {
  const message = err instanceof Error ? err.message : String(err);
  const detail = message.replace(/, (?:file:.*?, )?line:\d+, col:\d+$/, "");
  if (LiquidError.is(err)) {
    const token = (err as LiquidError & { token?: { getPosition?: () => number[] } }).token;
    const [line, column] = token?.getPosition?.() ?? [];
    if (line !== undefined && column !== undefined) return { detail, line, column };
  }
  return { detail };
}

/**
 * Compiles a template source with the engine for its kind.
 *
 * @example
 * const compiled = compileTemplate("standard", "html", "<b>{{ user.displayName }}</b>");
 * @throws TemplateError `TEMPLATE_PARSE` with the line and column of the first problem.
 */
export function compileTemplate(name: string, kind: TemplateKind, source: string): Template[] {
  try {
    return engines[kind].parse(source);
  } catch (err) {
    const { detail, line, column } = describe(err);
    throw new TemplateError("TEMPLATE_PARSE", name, `${kind}: ${detail}`, { line, column }, { cause: err });
  }
}

/**
 * Checks that a template source parses with mailstamp's settings (filters, `{% line %}`, no file tags).
 *
 * @example
 * parseTemplateSource("standard", "html", config.templates.standard.html);
 * @throws TemplateError `TEMPLATE_PARSE` with the line and column of the first problem.
 */
export function parseTemplateSource(name: string, kind: "html" | "text", source: string): void {
  compileTemplate(name, kind, source);
}

/**
 * Renders compiled templates against a scope within a time budget.
 *
 * @example
 * const html = await renderCompiled("standard", "html", compiled, { user }, 1000);
 * @throws TemplateError `TEMPLATE_RENDER` when rendering fails or exceeds the time or memory limit.
 */
export async function renderCompiled(
  name: string,
  kind: TemplateKind,
  templates: Template[],
  scope: Record<string, unknown>,
  timeoutMs: number = DEFAULT_RENDER_TIMEOUT_MS,
): Promise<string> {
  try {
    const output: unknown = await engines[kind].render(templates, scope, {
      renderLimit: timeoutMs,
      memoryLimit: MEMORY_LIMIT,
    });
    return typeof output === "string" ? output : String(output ?? "");
  } catch (err) {
    const { detail, line, column } = describe(err);
    throw new TemplateError("TEMPLATE_RENDER", name, `${kind}: ${detail}`, { line, column }, { cause: err });
  }
}
