/**
 * The reply-boundary decision shared by the text and HTML scanners: both turn a body into lines, and this
 * walks them once, top to bottom, keeping track of the sender's last own line and of the quote that follows it.
 */
import {
  canStartAttribution,
  matchAttribution,
  MAX_ATTRIBUTION_LENGTH,
  mayEndAttribution,
  startsLikeAttribution,
} from "./patterns/attribution.js";
import { fromLabelLanguage, matchHeaderBlock } from "./patterns/header-block.js";
import { isRule, isSignatureStart, matchSeparator } from "./patterns/separators.js";

/** One visual line of a body. */
export interface _Line {
  /** Where a stamp placed before this line goes (a position between tags, in HTML). */
  start: number;
  /** The line's visible text (for text bodies: the raw line, `>` prefixes included). */
  text: string;
  /** Inside the quoted conversation already: `>`-prefixed, or inside a quote element. */
  quoted: boolean;
  /** What made it quoted ("quote-prefix", "gmail-quote", "blockquote:cite", …). */
  quotePattern?: string;
  /** An element that starts the quote and runs to the end of the body (Outlook's header block markup). */
  cut?: string;
  /** The line starts a signature element (Gmail's `gmail_signature`). */
  signature?: boolean;
}

interface HeaderHit {
  pattern: string;
  /** How many lines the header occupies. */
  span: number;
  /** "unprefixed": everything after it is quoted; "attribution": a `>` quote may follow and end. */
  kind: "unprefixed" | "attribution";
  /**
   * False when only a quote below makes it an attribution ("On Monday John wrote:" without a date, "As I wrote
   * on 3 May:"); true when it may open an unprefixed quote by itself.
   */
  strong: boolean;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0xa0 && c !== 0x200b && c !== 0xfeff) return false;
  }
  return true;
}

function nextNonBlank(lines: readonly _Line[], from: number): number {
  let j = from;
  while (j < lines.length && isBlank((lines[j] as _Line).text) && (lines[j] as _Line).cut === undefined) j++;
  return j;
}

/**
 * An unprefixed line glued between two quoted lines is a quoted line the client re-wrapped without adding the
 * ">" (Gmail on Android does), not the sender's interleaved reply, which always stands apart by a blank line.
 */
function isWrappedQuoteLine(lines: readonly _Line[], at: number): boolean {
  const before = lines[at - 1];
  const after = lines[at + 1];
  return (
    before !== undefined &&
    after !== undefined &&
    before.quoted &&
    after.quoted &&
    !isBlank(before.text) &&
    !isBlank(after.text)
  );
}

/** The texts of the next `count` non-blank, unquoted lines from `from` (header blocks may hold blank lines). */
function upcoming(lines: readonly _Line[], from: number, count: number): string[] {
  const out: string[] = [];
  for (let j = from; j < lines.length && out.length < count && j < from + count * 3; j++) {
    const line = lines[j] as _Line;
    if (line.quoted || line.cut !== undefined) break;
    if (!isBlank(line.text)) out.push(line.text);
  }
  return out;
}

function joined(lines: readonly _Line[], from: number, span: number): string | undefined {
  let text = "";
  for (let k = 0; k < span; k++) {
    const line = lines[from + k];
    if (!line || line.quoted || line.cut !== undefined || isBlank(line.text)) return undefined;
    text += (k === 0 ? "" : " ") + line.text.trim();
    if (text.length > MAX_ATTRIBUTION_LENGTH) return undefined;
  }
  return text;
}

/**
 * Whether each line may end an attribution, asked once per line (every line is the last line of up to three
 * candidate spans): 0 not asked yet, 1 no, 2 yes.
 */
type EndCache = Uint8Array;

function mayEndAt(lines: readonly _Line[], at: number, cache: EndCache): boolean {
  let known = cache[at];
  if (known === 0) {
    known = mayEndAttribution((lines[at] as _Line).text) ? 2 : 1;
    cache[at] = known;
  }
  return known === 2;
}

/** Attribution lines wrap: try the line alone, then joined with the next one or two. */
function attributionAt(lines: readonly _Line[], at: number, cache: EndCache): HeaderHit | undefined {
  const first = lines[at] as _Line;
  for (let span = 1; span <= 3; span++) {
    const last = lines[at + span - 1];
    if (last === undefined || last.quoted || last.cut !== undefined) return undefined;
    // An attribution ends in a colon or a verb: a line that ends otherwise cannot close one, and is skipped
    // before any joining or matching — the cheap test that keeps hostile bodies of "On x" lines linear and fast.
    if (!mayEndAt(lines, at + span - 1, cache)) continue;
    // Asked once per line, not once per span: it is the same line either way.
    if (span > 1 && !canStartAttribution(first.text)) return undefined;
    const text = joined(lines, at, span);
    if (text === undefined) return undefined;
    const hit = matchAttribution(text);
    if (!hit) continue;
    if (span > 1) {
      // "Thanks, see you at 10:30\nOn … wrote:" — the attribution starts on the next line, not on this one.
      const second = (lines[at + 1] as _Line).text;
      const rest = joined(lines, at + 1, span - 1);
      if (rest !== undefined && startsLikeAttribution(second) && matchAttribution(rest)) return undefined;
    }
    return { pattern: hit.pattern, span, kind: "attribution", strong: hit.strong };
  }
  return undefined;
}

/**
 * A cheap first look before the separator and header-block tests: a separator or rule starts with a dash,
 * underscore, "=" or "*", Apple's forward line ends in a colon, and a header label has its colon within the
 * first few characters. Most lines of prose have none of these.
 */
function mayOpenBlock(text: string): boolean {
  let start = 0;
  while (start < text.length && isSpaceCode(text.charCodeAt(start))) start++;
  const first = text.charCodeAt(start);
  // - _ = * — –
  if (
    first === 0x2d ||
    first === 0x5f ||
    first === 0x3d ||
    first === 0x2a ||
    first === 0x2014 ||
    first === 0x2013
  )
    return true;
  let end = text.length;
  while (end > start && isSpaceCode(text.charCodeAt(end - 1))) end--;
  const last = text.charCodeAt(end - 1);
  if (last === 0x3a || last === 0xff1a) return true;
  // A colon within the first 40 characters, found natively rather than character by character.
  const limit = Math.min(end, start + 40);
  const colon = text.indexOf(":", start);
  if (colon >= 0 && colon < limit) return true;
  const wide = text.indexOf("\uff1a", start);
  return wide >= 0 && wide < limit;
}

/** What `String.prototype.trim` removes (ASCII controls and spaces, and the Unicode spaces). */
function isSpaceCode(c: number): boolean {
  if (c <= 0x20) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** A separator, or a header block with or without Outlook's rule above it: an unprefixed quote starts here. */
function blockAt(lines: readonly _Line[], at: number): HeaderHit | undefined {
  const text = (lines[at] as _Line).text;
  if (!mayOpenBlock(text)) return undefined;
  const separator = matchSeparator(text);
  if (separator) return { pattern: separator, span: 1, kind: "unprefixed", strong: true };
  if (isRule(text)) {
    // Outlook's "____…" (or "----…") line right above a "From:" header block.
    const next = upcoming(lines, at + 1, 6);
    if (next[0] !== undefined && fromLabelLanguage(next[0]) !== undefined) {
      return {
        pattern: matchHeaderBlock(next, 0) ?? "outlook-separator",
        span: 1,
        kind: "unprefixed",
        strong: true,
      };
    }
    return undefined;
  }
  if (fromLabelLanguage(text) !== undefined) {
    const block = matchHeaderBlock(upcoming(lines, at, 6), 0);
    if (block) return { pattern: block, span: 1, kind: "unprefixed", strong: true };
  }
  return undefined;
}

function headerAt(lines: readonly _Line[], at: number, cache: EndCache): HeaderHit | undefined {
  return blockAt(lines, at) ?? attributionAt(lines, at, cache);
}

/** What follows an attribution line: a quote with a visible end (`>` lines, a quote element), a header block or separator, or nothing quoted. */
function quoteAfter(lines: readonly _Line[], j: number): "visible" | "unprefixed" | undefined {
  const next = lines[j];
  if (next === undefined) return undefined;
  if (next.quoted || next.cut !== undefined) return "visible";
  return blockAt(lines, j) ? "unprefixed" : undefined;
}

/** A boundary as the scanners report it (see `ReplyBoundary`). */
export interface _Located {
  index: number;
  pattern: string;
  /** Only an attribution line, with nothing quoted below it, marks the quote. */
  attributionOnly?: true;
}

/**
 * Where the stamp goes: before the quote that follows the sender's last own line, and which pattern started
 * that quote; undefined when no quote follows the sender's text (a new message, or a bottom-posted reply).
 *
 * @example
 * _locate([{ start: 0, text: "Hi", quoted: false }, { start: 3, text: "> q", quoted: true, quotePattern: "quote-prefix" }]);
 * // { index: 3, pattern: "quote-prefix" }
 */
export function _locate(lines: readonly _Line[]): _Located | undefined {
  let region = -1;
  let pattern = "";
  let unmarked = false;
  const endCache: EndCache = new Uint8Array(lines.length);
  const open = (at: number, p: string): void => {
    if (region < 0) {
      region = at;
      pattern = p;
    }
  };
  for (let i = 0; i < lines.length;) {
    const line = lines[i] as _Line;
    if (line.cut !== undefined) {
      open(i, line.cut);
      break;
    }
    if (line.quoted) {
      if (!isBlank(line.text)) open(i, line.quotePattern ?? "quote-prefix");
      i++;
      continue;
    }
    if (isBlank(line.text)) {
      i++;
      continue;
    }
    if (isWrappedQuoteLine(lines, i)) {
      i++;
      continue;
    }
    const header = headerAt(lines, i, endCache);
    if (header) {
      const j = nextNonBlank(lines, i + header.span);
      // An attribution counts only above quoted material; with nothing quoted below, only a line that
      // proves itself (date, sender, the shape clients write) opens an unprefixed quote.
      const after = header.kind === "attribution" ? quoteAfter(lines, j) : undefined;
      if (header.kind === "unprefixed" || after !== undefined || header.strong) {
        open(i, header.pattern);
        if (after === undefined && header.kind === "attribution") unmarked = region === i;
        if (after === "visible") {
          // The quote is `>`-prefixed (or a quote element): its end is visible, and sender text after it is a
          // bottom-posted or interleaved reply.
          i = j;
          continue;
        }
        break; // an unprefixed quote or forward runs to the end of the body
      }
    }
    // The sender's own text — unless it is a signature right below a quote, which the stamp goes above.
    if (region >= 0 && (line.signature === true || isSignatureStart(line.text))) break;
    region = -1;
    i++;
  }
  if (region < 0) return undefined;
  const index = (lines[region] as _Line).start;
  return unmarked ? { index, pattern, attributionOnly: true } : { index, pattern };
}
