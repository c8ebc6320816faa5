/**
 * The reply boundary of an HTML body. One linear pass over the markup — no DOM, no backtracking regular
 * expression — turns it into visual lines (block elements and `<br>` break lines), notes which lines sit inside
 * a quote element (Gmail's `gmail_quote`, `<blockquote>`, Yahoo's `yahoo_quoted`, …) or after one that cuts the
 * body (Outlook's `divRplyFwdMsg`), and leaves the decision to the same line walk as plain text.
 */
import { _decodeEntities } from "./_html-text.js";
import { _locate, type _Line, type _Located } from "./_locate.js";
import { htmlMarker, type MarkerAttributes } from "./patterns/html-markers.js";

/** Elements that end a visual line where they open or close. */
const BLOCK = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "br",
  "center",
  "dd",
  "div",
  "dl",
  "dt",
  "fieldset",
  "figure",
  "footer",
  "form",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "nav",
  "ol",
  "p",
  "pre",
  "section",
  "table",
  "tbody",
  "td",
  "th",
  "thead",
  "tfoot",
  "tr",
  "ul",
]);

/** Elements without content: they never close, so they never end a quote element either. */
const VOID = new Set([
  "area",
  "base",
  "br",
  "col",
  "embed",
  "hr",
  "img",
  "input",
  "link",
  "meta",
  "param",
  "source",
  "track",
  "wbr",
]);

/** Elements a stamp may be moved in front of (they show nothing by themselves). */
const INVISIBLE_VOID = new Set([
  "br",
  "hr",
  "meta",
  "link",
  "wbr",
  "col",
  "base",
  "param",
  "source",
  "track",
]);

/** Raw-text elements: their content is not markup and not visible text; `head` is skipped whole. */
const SKIP_CONTENT = new Set(["script", "style", "head", "title", "textarea", "xml", "template", "noscript"]);

const READ_ATTRIBUTES = new Set(["class", "id", "type", "data-marker"]);

function startsWithCi(s: string, at: number, word: string): boolean {
  if (at + word.length > s.length) return false;
  for (let j = 0; j < word.length; j++) {
    let c = s.charCodeAt(at + j);
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== word.charCodeAt(j)) return false;
  }
  return true;
}

function isNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x3a || // o:p, v:shape (Word HTML)
    c === 0x2d ||
    c === 0x5f
  );
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x2f;
}

interface Tag {
  name: string;
  closing: boolean;
  end: number;
  attrs: MarkerAttributes;
}

/** Reads the tag at `at` (s[at] === "<"); undefined when it never closes (the rest of the body is inside it). */
function readTag(s: string, at: number): Tag | undefined {
  let i = at + 1;
  const closing = s[i] === "/";
  if (closing) i++;
  const nameStart = i;
  while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
  const name = s.slice(nameStart, i).toLowerCase();
  const attrs: Record<string, string> = {};
  for (;;) {
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    if (i >= s.length) return undefined;
    if (s[i] === ">") return { name, closing, end: i + 1, attrs };
    const keyStart = i;
    while (i < s.length && !isSpace(s.charCodeAt(i)) && s[i] !== ">" && s[i] !== "=") i++;
    const key = s.slice(keyStart, i).toLowerCase();
    while (i < s.length && isSpace(s.charCodeAt(i)) && s[i] !== "/") i++;
    if (s[i] !== "=") continue;
    i++;
    while (i < s.length && isSpace(s.charCodeAt(i)) && s[i] !== "/") i++;
    let value: string;
    const q = s[i];
    if (q === '"' || q === "'") {
      const close = s.indexOf(q, i + 1);
      if (close < 0) return undefined;
      value = s.slice(i + 1, close);
      i = close + 1;
    } else {
      const valueStart = i;
      while (i < s.length && !isSpace(s.charCodeAt(i)) && s[i] !== ">") i++;
      value = s.slice(valueStart, i);
    }
    if (READ_ATTRIBUTES.has(key) && !(key in attrs)) attrs[key] = _decodeEntities(value);
  }
}

/** Start of the closing tag `</name` at or after `from`, or -1. */
function findClosing(s: string, name: string, from: number): number {
  for (let i = s.indexOf("</", from); i >= 0; i = s.indexOf("</", i + 2)) {
    if (startsWithCi(s, i + 2, name) && !isNameChar(s.charCodeAt(i + 2 + name.length))) return i;
  }
  return -1;
}

/** The quote element the scanner is inside: its tag name and how many same-named elements are open in it. */
interface OpenQuote {
  name: string;
  depth: number;
  pattern: string;
}

/**
 * Finds where the sender's latest text ends in an HTML body: a position between two tags, outside any quote
 * element, before the attribution line or separator markup that leads into the quote.
 *
 * @example
 * findHtmlBoundary('<div>Yes.</div><div class="gmail_quote">On … wrote:<blockquote>…</blockquote></div>');
 * // { index: 15, pattern: "gmail-quote" }
 */
export function findHtmlBoundary(s: string): _Located | undefined {
  const lines: _Line[] = [];
  let current: _Line | undefined;
  let quote: OpenQuote | undefined;
  let signaturePending = false;
  // The stamp may move back over opening tags, comments, whitespace and line breaks that open an element —
  // nothing visible — but never over text, an image or a closing tag: `anchor` is the end of the last token
  // it may not cross, so the stamp lands outside the elements that wrap the quote and never inside a tag.
  let anchor = 0;

  const endLine = (): void => {
    current = undefined;
  };
  const addText = (text: string): void => {
    if (!current) {
      current = quote
        ? { start: anchor, text: "", quoted: true, quotePattern: quote.pattern }
        : { start: anchor, text: "", quoted: false };
      if (signaturePending) current.signature = true;
      lines.push(current);
    }
    current.text += text;
  };

  // What the previous token was, for the rules above: "open" (an opening tag, named `openName`), "soft"
  // (something the stamp may cross) or "hard".
  let prev: "open" | "soft" | "hard" = "hard";
  let openName = "";
  const hard = (end: number): void => {
    anchor = end;
    prev = "hard";
  };

  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > i) {
      const text = _decodeEntities(s.slice(i, textEnd).replace(/[\r\n\t ]+/g, " "));
      if (hasVisibleText(text)) {
        addText(text);
        hard(textEnd);
        signaturePending = false;
      } else if (current) current.text += text;
    }
    if (lt < 0) break;
    i = lt;
    if (s.startsWith("<!--", i)) {
      // Outlook's conditional comments (`<!--[if !mso]>`) included: nothing inside counts.
      const close = s.indexOf("-->", i + 4);
      if (close < 0) break;
      i = close + 3;
      continue;
    }
    const next = s.charCodeAt(i + 1);
    if (next === 0x21 || next === 0x3f) {
      // <!DOCTYPE …>, <![CDATA[ … ]]>, <?xml …?>: declarations, not content.
      const close = s.indexOf(">", i + 2);
      if (close < 0) break;
      i = close + 1;
      hard(i);
      continue;
    }
    if (!(next === 0x2f || (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a))) {
      // A "<" that starts no tag is text ("a < b").
      addText("<");
      i++;
      hard(i);
      continue;
    }
    const tag = readTag(s, i);
    if (!tag) break; // an unterminated tag swallows the rest of the document, as in a browser
    const { name } = tag;
    i = tag.end;
    if (!tag.closing && SKIP_CONTENT.has(name)) {
      const close = findClosing(s, name, tag.end);
      if (close < 0) break;
      const after = readTag(s, close);
      if (!after) break;
      i = after.end;
      hard(i);
      continue;
    }
    if (BLOCK.has(name)) endLine();
    if (tag.closing) {
      if (quote && name === quote.name && --quote.depth === 0) quote = undefined;
      // An element closed right after it opened (`<div id="SkyDrivePlaceholder"></div>`) held nothing.
      if (prev === "open" && openName === name) prev = "soft";
      else hard(i);
      continue;
    }
    if (name === "body" || name === "html") {
      hard(i);
      continue;
    }
    const marker = htmlMarker(name, tag.attrs);
    if (quote) {
      if (name === quote.name && !VOID.has(name)) quote.depth++;
    } else if (marker) {
      if (marker.kind === "cut") {
        lines.push({ start: anchor, text: "", quoted: false, cut: marker.pattern });
        return _locate(markPrefixQuotes(lines));
      }
      if (marker.kind === "container" && !VOID.has(name)) {
        quote = { name, depth: 1, pattern: marker.pattern };
        endLine();
      }
      if (marker.kind === "signature") {
        signaturePending = true;
        endLine();
      }
    }
    if (!VOID.has(name)) {
      prev = "open";
      openName = name;
    } else if (!INVISIBLE_VOID.has(name)) {
      // An image is content: the stamp does not move in front of it.
      addText("\ufffc");
      hard(i);
    } else if (prev === "hard" && name !== "hr") {
      // "Thanks,<br><br>" — line breaks right after text belong to it; after an opening tag they belong to
      // the element that follows (Gmail's `<div class="gmail_extra"><br><div class="gmail_quote">`). A rule
      // (`<hr>`) always belongs to the quote below it (Outlook's `<hr><div id="divRplyFwdMsg">`).
      hard(i);
    } else prev = "soft";
  }
  return _locate(markPrefixQuotes(lines));
}

/** Any character but whitespace, NBSP, zero-width space and BOM: a loop, not a replace, as it runs per text run. */
function hasVisibleText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0xa0 || c === 0x200b || c === 0xfeff || (c >= 0x09 && c <= 0x0d)) continue;
    if (c < 0x80 || !/\s/u.test(text.charAt(i))) return true;
  }
  return false;
}

/** Quoting by ">" survives in HTML too (Hotmail 2012 wrote `&gt; Subject: …` lines). */
function markPrefixQuotes(lines: _Line[]): _Line[] {
  for (const line of lines) {
    if (line.quoted || line.cut !== undefined) continue;
    const text = line.text.trimStart();
    if (text.startsWith(">")) {
      line.quoted = true;
      line.quotePattern = "quote-prefix";
    }
  }
  return lines;
}
