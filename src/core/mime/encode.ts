/** Transfer encodings for a stamped part (RFC 2045 §6): lines within limits, in the message's line ending. */
import { isAscii } from "node:buffer";
import { CR, LF } from "./_bytes.js";

const HEX = "0123456789ABCDEF";

/** Bytes that stand for themselves in quoted-printable: printable ASCII but "=", and tab (1 in the table). */
const LITERAL = new Uint8Array(256);
for (let b = 0x20; b <= 0x7e; b++) LITERAL[b] = 1;
LITERAL[0x3d] = 0;
LITERAL[0x09] = 1;

/**
 * Base64 in lines of 76 characters (RFC 2045 §6.8) joined by `eol`, without a final line break.
 *
 * @example
 * encodeBase64(new TextEncoder().encode("hi"), "\r\n") // "aGk="
 */
export function encodeBase64(bytes: Uint8Array, eol: "\r\n" | "\n"): string {
  const flat = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < flat.length; i += 76) lines.push(flat.slice(i, i + 76));
  return lines.join(eol);
}

/** Options for the quoted-printable encoders. */
export interface QuotedPrintableOptions {
  /**
   * The caller ends the output with a soft break ("=" + line break): the last line then leaves room for the
   * "=" (75 characters), as every line that continues does.
   */
  softEnd?: boolean;
}

/**
 * Quoted-printable (RFC 2045 §6.7): encoded lines of at most 76 characters with soft breaks, whitespace before a
 * line break encoded, `=` and 8-bit bytes escaped. A line break in the data that is the message's own `eol`
 * becomes a hard line break; any other CR or LF (a bare LF in a CRLF message, the CR of a CRLF in an LF
 * message) is escaped, so decoding gives back exactly these bytes. A leading "--" and "From " are escaped too,
 * so no encoded line can look like a MIME boundary or an mbox separator.
 *
 * @example
 * encodeQuotedPrintable(new TextEncoder().encode("café \r\n"), "\r\n") // "caf=C3=A9=20\r\n"
 */
export function encodeQuotedPrintable(
  bytes: Uint8Array,
  eol: "\r\n" | "\n",
  options: QuotedPrintableOptions = {},
): string {
  const softEnd = options.softEnd === true;
  const start = literalPrefix(bytes, eol, softEnd);
  const prefix = Buffer.from(bytes.buffer, bytes.byteOffset, start).toString("latin1");
  if (start >= bytes.length) return prefix;
  return prefix + encodeQuotedPrintableSlow(bytes.subarray(start), eol, softEnd);
}

/**
 * {@link encodeQuotedPrintable} as bytes (the same octets, as Latin-1): the leading lines that are their own
 * encoding are the input's bytes, copied once, without a detour through a string.
 *
 * @example
 * encodeQuotedPrintableBytes(new TextEncoder().encode("café \r\n"), "\r\n") // bytes of "caf=C3=A9=20\r\n"
 */
export function encodeQuotedPrintableBytes(bytes: Uint8Array, eol: "\r\n" | "\n"): Uint8Array {
  const start = literalPrefix(bytes, eol, false);
  if (start >= bytes.length) return bytes.slice();
  const rest = Buffer.from(encodeQuotedPrintableSlow(bytes.subarray(start), eol, false), "latin1");
  const out = new Uint8Array(start + rest.length);
  out.set(bytes.subarray(0, start));
  out.set(rest, start);
  return out;
}

/**
 * How many leading bytes are their own quoted-printable encoding, whole lines with their line breaks: a line of
 * at most 76 printable ASCII characters without "=", trailing whitespace or a leading "--" / "From ", ended by
 * `eol`. Mail bodies are mostly such lines (a 7bit part moved to quoted-printable for a non-ASCII stamp is all
 * of them), and the byte-by-byte path is only needed for the rest.
 */
function literalPrefix(bytes: Uint8Array, eol: "\r\n" | "\n", softEnd: boolean): number {
  const n = bytes.length;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, n);
  // 8-bit data is walked byte by byte; ASCII (checked natively) needs only native searches.
  if (!isAscii(buf)) return literalPrefixBytes(bytes, eol, softEnd);
  // The first byte that is never literal: "=", DEL or a control character (but tab, CR and LF, which depend on
  // where they stand). Each search stops at its first hit; in a clean body each runs once through it.
  let stop = n;
  for (const c of NEVER_LITERAL_ASCII) {
    const at = buf.indexOf(c);
    if (at >= 0 && at < stop) stop = at;
  }
  const crlf = eol === "\r\n";
  // The next CR at or after the current line: in a CRLF body the one that ends it, anywhere else a bare CR.
  let cr = buf.indexOf(CR);
  let start = 0;
  while (start < n) {
    const lf = buf.indexOf(LF, start);
    const last = lf < 0;
    const lineEnd = last ? n : lf;
    if (stop < lineEnd) break;
    let end = lineEnd;
    if (!last && crlf) {
      // In a CRLF message a bare LF is data, not a line break.
      if (lf === start || buf[lf - 1] !== CR) break;
      end = lf - 1;
    }
    if (cr >= 0 && cr < start) cr = buf.indexOf(CR, start);
    if (cr >= 0 && cr < end) break;
    if (!fitsAsLiteralLine(buf, start, end, last && softEnd)) break;
    start = last ? n : lf + 1;
  }
  return start;
}

/**
 * Whether the line bytes[start, end) — its bytes all literal already — may stand as it is: at most 76
 * characters (75 when a soft break will follow it), no whitespace before the line break, no leading "--" or
 * "From ".
 */
function fitsAsLiteralLine(bytes: Uint8Array, start: number, end: number, softBreakAfter: boolean): boolean {
  if (end - start > (softBreakAfter ? 75 : 76)) return false;
  if (end === start) return true;
  const tail = bytes[end - 1];
  if (tail === 0x20 || tail === 0x09) return false;
  if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) return false;
  return !(bytes[start] === 0x46 && startsWithFrom(bytes, start));
}

/** ASCII bytes that are never their own encoding: "=", DEL, and controls other than tab, CR and LF. */
const NEVER_LITERAL_ASCII: number[] = [0x3d, 0x7f];
for (let b = 0; b < 0x20; b++) if (b !== 0x09 && b !== CR && b !== LF) NEVER_LITERAL_ASCII.push(b);

/** {@link literalPrefix} byte by byte, for data with 8-bit bytes. */
function literalPrefixBytes(bytes: Uint8Array, eol: "\r\n" | "\n", softEnd: boolean): number {
  const crlf = eol === "\r\n";
  const n = bytes.length;
  let start = 0;
  // One pass, each byte looked at once.
  while (start < n) {
    let i = start;
    for (; i < n; i++) {
      const b = bytes[i] as number;
      if (LITERAL[b] === 1) continue;
      // The CR of a CRLF line break; in a CRLF message a bare LF is data, not a line break.
      if (b === CR && crlf && bytes[i + 1] === LF) continue;
      break;
    }
    const lf = i;
    if (lf < n && bytes[lf] !== LF) break;
    const last = lf === n;
    let end = lf;
    if (!last && crlf) {
      if (lf === start || bytes[lf - 1] !== CR) break;
      end = lf - 1;
    }
    if (!fitsAsLiteralLine(bytes, start, end, last && softEnd)) break;
    start = last ? n : lf + 1;
  }
  return start;
}

/** Quoted-printable of the whole input byte by byte, without the literal-prefix shortcut (the tests' reference). */
export function _encodeQuotedPrintableWhole(
  bytes: Uint8Array,
  eol: "\r\n" | "\n",
  options: QuotedPrintableOptions = {},
): string {
  return encodeQuotedPrintableSlow(bytes, eol, options.softEnd === true);
}

function encodeQuotedPrintableSlow(bytes: Uint8Array, eol: "\r\n" | "\n", softEnd: boolean): string {
  const crlf = eol === "\r\n";
  const breakAt = (i: number): number =>
    crlf ? (bytes[i] === CR && bytes[i + 1] === LF ? 2 : 0) : bytes[i] === LF ? 1 : 0;
  const out: string[] = [];
  let line = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    const brk = breakAt(i);
    if (brk > 0) {
      out.push(line, eol);
      line = "";
      i += brk - 1;
      continue;
    }
    const atEnd = i + 1 >= bytes.length;
    const nextIsBreak = atEnd || breakAt(i + 1) > 0;
    const literal =
      ((b === 0x20 || b === 0x09) && !nextIsBreak) || (b >= 0x21 && b <= 0x7e && b !== 0x3d)
        ? String.fromCharCode(b)
        : "";
    // 75 leaves room for the "=" of a soft break within the 76-character limit; the last character before a
    // hard line break (or the end, unless the caller adds a soft break there) may use all 76, as a literal
    // line does.
    const hardBreakNext = atEnd ? !softEnd : nextIsBreak;
    if (line.length + (literal ? 1 : 3) > (hardBreakNext ? 76 : 75)) {
      out.push(line, "=", eol);
      line = "";
    }
    const guarded =
      line.length === 0 &&
      ((b === 0x2d && bytes[i + 1] === 0x2d) || (b === 0x46 && startsWithFrom(bytes, i)));
    line += literal && !guarded ? literal : `=${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  out.push(line);
  return out.join("");
}

function startsWithFrom(bytes: Uint8Array, i: number): boolean {
  return bytes[i + 1] === 0x72 && bytes[i + 2] === 0x6f && bytes[i + 3] === 0x6d && bytes[i + 4] === 0x20;
}
