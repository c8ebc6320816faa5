/**
 * The HTML allowlist for stamps: what email signatures use (layout tables, text formatting, links, images)
 * and nothing that runs, submits or loads a document. Applied after CSS inlining, so `<style>` is gone by
 * design: mail clients (Gmail, Outlook.com) drop or mangle `<style>` blocks anyway.
 */
import sanitizeHtml from "sanitize-html";
import type { IOptions } from "sanitize-html";
import { isSafeImageSource, safeStyle } from "./_safe-style.js";

const TABLE_ATTRIBUTES = [
  "width",
  "height",
  "align",
  "valign",
  "cellpadding",
  "cellspacing",
  "border",
  "bgcolor",
  "colspan",
  "rowspan",
];

const OPTIONS: IOptions = {
  allowedTags: [
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "p",
    "div",
    "span",
    "br",
    "hr",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "s",
    "small",
    "sup",
    "sub",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "img",
    "center",
  ],
  allowedAttributes: {
    "*": ["style", "class", "dir", "lang"],
    table: TABLE_ATTRIBUTES,
    thead: TABLE_ATTRIBUTES,
    tbody: TABLE_ATTRIBUTES,
    tfoot: TABLE_ATTRIBUTES,
    tr: TABLE_ATTRIBUTES,
    td: TABLE_ATTRIBUTES,
    th: TABLE_ATTRIBUTES,
    font: ["color", "face", "size"],
    a: ["href", "title", "target", "name"],
    img: ["src", "alt", "width", "height", "title", "border"],
  },
  allowedSchemes: ["http", "https", "mailto", "tel", "cid"],
  // `data:` only for images, and only the raster types (see isSafeImageSource: SVG can carry script).
  allowedSchemesByTag: { img: ["http", "https", "cid", "data"] },
  allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
  // A message has no base URL; `//host/x` would be resolved differently by every client.
  allowProtocolRelative: false,
  // Text of these is never content: scripts, styles (already inlined), and document chrome juice may add.
  nonTextTags: [
    "script",
    "style",
    "textarea",
    "option",
    "noscript",
    "title",
    "head",
    "template",
    "xmp",
    "iframe",
    "object",
  ],
  disallowedTagsMode: "discard",
  transformTags: {
    "*": (tagName, attribs) => {
      if (attribs["style"] === undefined) return { tagName, attribs };
      const style = safeStyle(attribs["style"]);
      const { style: _dropped, ...rest } = attribs;
      return { tagName, attribs: style === "" ? rest : { ...rest, style } };
    },
    img: (tagName, attribs) => {
      const src = attribs["src"];
      if (src === undefined || isSafeImageSource(src)) return { tagName, attribs };
      const { src: _dropped, ...rest } = attribs;
      return { tagName, attribs: rest };
    },
  },
};

/**
 * Reduces rendered stamp HTML to the email-safe allowlist: no script, style, iframe, object or form elements,
 * no event handlers, no `javascript:` (or any scheme but http, https, mailto, tel, cid) in links, images only
 * from http(s), `cid:` or inline PNG/JPEG/GIF, and no script-capable CSS in `style` attributes.
 *
 * @example
 * sanitizeStampHtml('<a href="javascript:alert(1)" onclick="x()">Hi</a>') // "<a>Hi</a>"
 */
export function sanitizeStampHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
