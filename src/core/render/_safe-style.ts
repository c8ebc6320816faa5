/**
 * Cleans an inline `style` attribute: drops each declaration that could run script or load something other
 * than an image. Internal to the render folder; sanitize.ts applies it to every element.
 */

/** Image data a mail client may show inline; SVG is excluded because it can carry script. */
const DATA_IMAGE = /^data:image\/(?:png|jpe?g|gif)[;,]/;
const SAFE_URL_SCHEME = /^(?:https?:|cid:)/;

/**
 * Splits on `;` outside quotes and parentheses, so `url(data:image/png;base64,…)` stays one declaration.
 */
function splitDeclarations(style: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < style.length; i++) {
    const ch = style[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")") depth = Math.max(0, depth - 1);
    else if (ch === ";" && depth === 0) {
      parts.push(style.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(style.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== "");
}

/**
 * What a browser sees once comments and escapes are gone: `e\78 pression(` and `ex/**\/pression(` are the
 * classic ways past a naive filter (old IE evaluated `expression()` as JavaScript).
 */
function normalise(declaration: string): string {
  return declaration
    .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, "")
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_m, hex: string) => {
      const code = Number.parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\ufffd";
    })
    .replace(/\\(.)/g, "$1")
    .replace(/\s+/g, "")
    .toLowerCase();
}

function isDangerous(declaration: string): boolean {
  const css = normalise(declaration);
  if (
    css.includes("expression(") ||
    css.includes("javascript:") ||
    css.includes("vbscript:") ||
    css.includes("-moz-binding") ||
    css.includes("@import") ||
    css.startsWith("behavior:") ||
    css.startsWith("-ms-behavior:")
  ) {
    return true;
  }
  for (const match of css.matchAll(/url\(['"]?([^'")]*)/g)) {
    const target = match[1] ?? "";
    if (/^[a-z][a-z0-9+.-]*:/.test(target) && !SAFE_URL_SCHEME.test(target) && !DATA_IMAGE.test(target)) {
      return true;
    }
  }
  return false;
}

/**
 * Returns the style attribute without its dangerous declarations (`expression()`, `behavior:`,
 * `url(javascript:…)`, `-moz-binding`, non-image `data:` URLs); safe declarations are kept as written.
 *
 * @example
 * safeStyle("color:red; width:expression(alert(1))") // "color:red"
 */
export function safeStyle(style: string): string {
  return splitDeclarations(style)
    .filter((declaration) => !isDangerous(declaration))
    .join("; ");
}

/** True when a `src` is an image mail clients show: http(s), cid, or inline PNG/JPEG/GIF data. */
export function isSafeImageSource(src: string): boolean {
  const value = src.trim().toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*:/.test(value)) return true;
  return SAFE_URL_SCHEME.test(value) || DATA_IMAGE.test(value);
}
