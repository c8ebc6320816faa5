/** Transfer encodings for a stamped part (RFC 2045 §6): lines within limits, in the message's line ending. */
import { CR, LF } from "./_bytes.js";

const HEX = "0123456789ABCDEF";

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
export function encodeQuotedPrintable(bytes: Uint8Array, eol: "\r\n" | "\n"): string {
  const crlf = eol === "\r\n";
  // Fast path, line by line: a line of at most 76 printable ASCII characters without "=", trailing whitespace
  // or a leading "--" / "From " is its own encoding, so it is copied as is. Mail bodies are mostly such lines
  // (a 7bit part moved to quoted-printable for a non-ASCII stamp is all of them), and the byte-by-byte path
  // below is only needed for the rest.
  const out: string[] = [];
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let start = 0;
  while (start < bytes.length) {
    let lf = buffer.indexOf(LF, start);
    if (lf < 0) lf = bytes.length;
    const last = lf === bytes.length;
    const end = last || !crlf ? lf : lf > start && bytes[lf - 1] === CR ? lf - 1 : -1;
    // In a CRLF message a bare LF is data, not a line break: leave such lines to the careful path.
    if (end < 0 || !isLiteralLine(bytes, start, end)) break;
    out.push(buffer.toString("latin1", start, end));
    if (!last) out.push(eol);
    start = lf + 1;
  }
  if (start >= bytes.length) return out.join("");
  return out.join("") + encodeQuotedPrintableSlow(bytes.subarray(start), eol);
}

function isLiteralLine(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start > 76) return false;
  if (end > start) {
    const last = bytes[end - 1];
    if (last === 0x20 || last === 0x09) return false;
    if (bytes[start] === 0x2d && bytes[start + 1] === 0x2d) return false;
    if (bytes[start] === 0x46 && startsWithFrom(bytes, start)) return false;
  }
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    if (b === 0x3d || b > 0x7e || (b < 0x20 && b !== 0x09)) return false;
  }
  return true;
}

function encodeQuotedPrintableSlow(bytes: Uint8Array, eol: "\r\n" | "\n"): string {
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
    const nextIsBreak = i + 1 >= bytes.length || breakAt(i + 1) > 0;
    const literal =
      ((b === 0x20 || b === 0x09) && !nextIsBreak) || (b >= 0x21 && b <= 0x7e && b !== 0x3d)
        ? String.fromCharCode(b)
        : "";
    // 75 leaves room for the "=" of a soft break within the 76-character limit.
    if (line.length + (literal ? 1 : 3) > 75) {
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
