/**
 * Derives the plain-text stamp from the HTML stamp when a template has no `text` source: what a reader of
 * the text/plain alternative should see, not a dump of markup.
 */
import { compile } from "html-to-text";
import type { DomNode, FormatCallback, HtmlToTextOptions } from "html-to-text";

const BLOCK_TAGS = new Set([
  "br",
  "p",
  "div",
  "table",
  "tr",
  "ul",
  "ol",
  "li",
  "blockquote",
  "hr",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "center",
]);

function hasBlockContent(node: DomNode): boolean {
  // Text nodes carry no `children` at run time, whatever the type says.
  return (node.children ?? []).some(
    (child) => (child.name !== undefined && BLOCK_TAGS.has(child.name)) || hasBlockContent(child),
  );
}

function isCell(node: DomNode): boolean {
  return node.type === "tag" && (node.name === "td" || node.name === "th");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The link target as a reader should see it, or "" when the label already says it. */
function linkSuffix(href: string, label: string): string {
  const plainLabel = label.replace(/\s+/g, "").toLowerCase();
  const lower = href.toLowerCase();
  if (href === "" || href.startsWith("#") || lower.startsWith("cid:")) return "";
  if (lower.startsWith("mailto:")) {
    const address = safeDecode(href.slice("mailto:".length).split("?")[0] ?? "");
    return address === "" || address.replace(/\s+/g, "").toLowerCase() === plainLabel ? "" : address;
  }
  if (lower.startsWith("tel:")) {
    const digits = (text: string) => text.replace(/[^\d]/g, "");
    return digits(href) === digits(label) ? "" : href.slice("tel:".length);
  }
  const bare = lower.replace(/^https?:\/\//, "").replace(/\/$/, "");
  return lower === plainLabel || bare === plainLabel.replace(/\/$/, "") ? "" : href;
}

/** `label <url>`; the URL alone when there is no label; the label alone when it already is the target. */
const formatLink: FormatCallback = (elem, walk, builder) => {
  const href = String(elem.attribs?.href ?? "").trim();
  let label = "";
  builder.pushWordTransform((word) => {
    label += `${word} `;
    return word;
  });
  walk(elem.children, builder);
  builder.popWordTransform();
  const suffix = linkSuffix(href, label.trim());
  if (suffix === "") return;
  builder.addInline(label.trim() === "" ? suffix : ` <${suffix}>`, { noWordTransform: true });
};

/** Images become their alt text; an image without one says nothing (a logo is not content). */
const formatImage: FormatCallback = (elem, _walk, builder) => {
  const alt = String(elem.attribs?.alt ?? "").trim();
  if (alt !== "") builder.addInline(alt);
};

/** Signature paragraphs often carry `margin:0` to sit line under line; keep them that close in text. */
const formatParagraph: FormatCallback = (elem, walk, builder) => {
  const style = String(elem.attribs?.style ?? "");
  const tight = /(?:^|;)\s*margin(?:-bottom)?\s*:\s*0(?:px|em|pt)?\s*(?:!important\s*)?(?:;|$)/i.test(style);
  const breaks = tight ? 1 : 2;
  builder.openBlock({ leadingLineBreaks: breaks });
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: breaks });
};

/**
 * Tables in signatures are layout (logo | details) far more often than data. A row of short cells stays on
 * one line ("Phone  +1 415 555 0100"); a row whose cells hold several lines puts each cell under the last,
 * so columns never interleave.
 */
const formatRow: FormatCallback = (elem, walk, builder) => {
  const cells = (elem.children ?? []).filter(isCell);
  builder.openBlock({ leadingLineBreaks: 1 });
  if (cells.some(hasBlockContent)) {
    for (const cell of cells) {
      builder.openBlock({ leadingLineBreaks: 1 });
      walk(cell.children, builder);
      builder.closeBlock({ trailingLineBreaks: 1 });
    }
  } else {
    let first = true;
    for (const cell of cells) {
      let written = false;
      builder.pushWordTransform((word) => {
        if (!written && !first) {
          written = true;
          return `  ${word}`;
        }
        written = true;
        return word;
      });
      walk(cell.children, builder);
      builder.popWordTransform();
      if (written) first = false;
    }
  }
  builder.closeBlock({ trailingLineBreaks: 1 });
};

const formatTable: FormatCallback = (elem, walk, builder) => {
  builder.openBlock({ leadingLineBreaks: 1 });
  walk(elem.children, builder);
  builder.closeBlock({ trailingLineBreaks: 1 });
};

const OPTIONS: HtmlToTextOptions = {
  // A stamp goes into an existing text part; wrapping at 80 columns would break URLs and the sender's layout.
  wordwrap: false,
  formatters: {
    stampLink: formatLink,
    stampImage: formatImage,
    stampParagraph: formatParagraph,
    stampRow: formatRow,
    stampTable: formatTable,
  },
  selectors: [
    { selector: "a", format: "stampLink" },
    { selector: "img", format: "stampImage" },
    { selector: "p", format: "stampParagraph" },
    { selector: "table", format: "stampTable" },
    { selector: "tr", format: "stampRow" },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "h4", options: { uppercase: false } },
    { selector: "h5", options: { uppercase: false } },
    { selector: "h6", options: { uppercase: false } },
    { selector: "hr", options: { length: 20 } },
  ],
};

// html-to-text's `convert` compiles its options (selectors, formatters) on every call; compiled once here, a
// conversion costs only the walk over the document.
const toText = compile(OPTIONS);

/**
 * Converts stamp HTML to readable plain text: links as `label <url>` (the label alone when it already is
 * the address or URL), images as their alt text, layout tables line by line, no word wrap, runs of blank
 * lines collapsed to one, trimmed.
 *
 * @example
 * htmlToText('<p><b>Alice</b><br><a href="https://example.com/about">About us</a></p>')
 * // "Alice\nAbout us <https://example.com/about>"
 */
export function htmlToText(html: string): string {
  return toText(html)
    .replace(/\u00a0/g, " ")
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
