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

/** What a tag without any of the attributes the markers read carries; shared, never written to. */
const NO_ATTRIBUTES: MarkerAttributes = Object.freeze({});

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

/** The tag {@link readTag} read last: one object per scan, filled in place, so a tag allocates nothing. */
interface Tag {
  name: string;
  closing: boolean;
  end: number;
  attrs: MarkerAttributes;
}

/**
 * The attribute name in s[start, end), lower-cased, when it is one the markers read; undefined for any other.
 * ASCII names (all of them in practice) are compared in place, without building the lower-cased name.
 */
function readAttributeName(s: string, start: number, end: number): string | undefined {
  for (let k = start; k < end; k++) {
    if (s.charCodeAt(k) >= 0x80) {
      const key = s.slice(start, end).toLowerCase();
      return READ_ATTRIBUTES.has(key) ? key : undefined;
    }
  }
  switch (end - start) {
    case 2:
      return startsWithCi(s, start, "id") ? "id" : undefined;
    case 4:
      return startsWithCi(s, start, "type") ? "type" : undefined;
    case 5:
      return startsWithCi(s, start, "class") ? "class" : undefined;
    case 11:
      return startsWithCi(s, start, "data-marker") ? "data-marker" : undefined;
    default:
      return undefined;
  }
}

/**
 * Reads the tag at `at` (s[at] === "<") into `tag`; false when it never closes (the rest of the body is inside
 * it). Only the values of the attributes the markers read are sliced out of the markup.
 */
function readTag(s: string, at: number, tag: Tag): boolean {
  let i = at + 1;
  const closing = s[i] === "/";
  if (closing) i++;
  const nameStart = i;
  while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
  tag.name = s.slice(nameStart, i).toLowerCase();
  tag.closing = closing;
  let attrs: Record<string, string> | undefined;
  for (;;) {
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
    if (i >= s.length) return false;
    if (s.charCodeAt(i) === 0x3e) {
      tag.end = i + 1;
      tag.attrs = attrs ?? NO_ATTRIBUTES;
      return true;
    }
    const keyStart = i;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (isSpace(c) || c === 0x3e || c === 0x3d) break;
    }
    const key = readAttributeName(s, keyStart, i);
    while (i < s.length && isSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 0x2f) i++;
    if (s.charCodeAt(i) !== 0x3d) continue;
    i++;
    while (i < s.length && isSpace(s.charCodeAt(i)) && s.charCodeAt(i) !== 0x2f) i++;
    let valueStart: number;
    let valueEnd: number;
    const q = s.charCodeAt(i);
    if (q === 0x22 || q === 0x27) {
      const close = s.indexOf(q === 0x22 ? '"' : "'", i + 1);
      if (close < 0) return false;
      valueStart = i + 1;
      valueEnd = close;
      i = close + 1;
    } else {
      valueStart = i;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (isSpace(c) || c === 0x3e) break;
      }
      valueEnd = i;
    }
    if (key !== undefined && !(attrs !== undefined && key in attrs)) {
      attrs ??= {};
      attrs[key] = _decodeEntities(s.slice(valueStart, valueEnd));
    }
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

  const tag: Tag = { name: "", closing: false, end: 0, attrs: NO_ATTRIBUTES };
  const needles = findNeedles(s);
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf("<", i);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > i) {
      const text = collapsedText(s, i, textEnd, needles);
      if (text === " ") {
        // Only white space between two tags (the line breaks of the markup): nothing to show, nothing to decode.
        if (current) current.text += text;
      } else if (hasVisibleText(text)) {
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
    if (!readTag(s, i, tag)) break; // an unterminated tag swallows the rest of the document, as in a browser
    const { name } = tag;
    i = tag.end;
    if (!tag.closing && SKIP_CONTENT.has(name)) {
      const close = findClosing(s, name, tag.end);
      if (close < 0) break;
      if (!readTag(s, close, tag)) break;
      i = tag.end;
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

/**
 * Where the next CR, LF, tab, double space and "&" are, for a scan that only moves forward: each is looked up
 * with `indexOf` when the scan passes the last one found, so the whole body is searched once per needle
 * (natively) instead of once per character in a loop. -1: none left.
 */
interface Needles {
  cr: number;
  lf: number;
  tab: number;
  spaces: number;
  amp: number;
}

function findNeedles(s: string): Needles {
  return {
    cr: s.indexOf("\r"),
    lf: s.indexOf("\n"),
    tab: s.indexOf("\t"),
    spaces: s.indexOf("  "),
    amp: s.indexOf("&"),
  };
}

/** True when `needle` (as `Needles` tracks it) occurs in s[from, end); moves its position up to `from` first. */
function occursIn(
  s: string,
  needles: Needles,
  key: keyof Needles,
  needle: string,
  from: number,
  end: number,
): boolean {
  let at = needles[key];
  if (at >= 0 && at < from) needles[key] = at = s.indexOf(needle, from);
  return at >= 0 && at < end;
}

/**
 * The text run s[start, end) as a browser lays it out: each run of CR, LF, tab and space one space, character
 * references decoded. A run that needs no change is sliced once; one of white space only is " ".
 */
function collapsedText(s: string, start: number, end: number, needles: Needles): string {
  let k = start;
  for (; k < end; k++) {
    const c = s.charCodeAt(k);
    if (c !== 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x09) break;
  }
  if (k === end) return " ";
  const collapse =
    occursIn(s, needles, "lf", "\n", start, end) ||
    occursIn(s, needles, "cr", "\r", start, end) ||
    occursIn(s, needles, "tab", "\t", start, end) ||
    occursIn(s, needles, "spaces", "  ", start, end);
  const run = s.slice(start, end);
  const text = collapse ? run.replace(/[\r\n\t ]+/g, " ") : run;
  return occursIn(s, needles, "amp", "&", start, end) ? _decodeEntities(text) : text;
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
