/**
 * Splicing into quoted-printable and base64 bodies without re-encoding them whole: the encoded lines before the
 * first insertion (and, for quoted-printable, after the last one) are kept byte for byte, and only the lines
 * that hold an insertion are encoded again. Fewer changed bytes means DKIM-unrelated diffs stay readable, and a
 * reviewer comparing before/after sees the stamp, not a rewrapped body.
 */
import { CR, LF } from "./_bytes.js";
import { encodeBase64, encodeQuotedPrintable } from "./encode.js";

/** One insertion into the transfer-decoded bytes: `data` goes in at decoded offset `at`. */
export interface _DecodedInsertion {
  at: number;
  data: Uint8Array;
}

interface EncodedLine {
  /** Encoded offset of the line's first byte. */
  start: number;
  /** Decoded offset of the line's first byte. */
  decoded: number;
}

function isHex(c: number | undefined): boolean {
  return (
    c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66))
  );
}

/**
 * The start of every encoded quoted-printable line with the decoded offset it corresponds to, counted exactly
 * as `decodeQuotedPrintable` decodes (invalid escapes literal, soft breaks removed, hard breaks kept as written).
 */
function qpLines(encoded: Uint8Array): EncodedLine[] {
  const lines: EncodedLine[] = [];
  let pos = 0;
  let decoded = 0;
  while (pos < encoded.length) {
    lines.push({ start: pos, decoded });
    const lf = encoded.indexOf(LF, pos);
    const lineEnd = lf < 0 ? encoded.length : lf;
    let contentEnd = lineEnd;
    if (contentEnd > pos && encoded[contentEnd - 1] === CR) contentEnd--;
    const soft = contentEnd > pos && encoded[contentEnd - 1] === 0x3d;
    const literalEnd = soft ? contentEnd - 1 : contentEnd;
    // Each valid escape is three encoded bytes for one decoded byte; everything else counts one for one.
    decoded += literalEnd - pos;
    for (let i = encoded.indexOf(0x3d, pos); i >= 0 && i < literalEnd; i = encoded.indexOf(0x3d, i + 1)) {
      if (i + 2 < literalEnd && isHex(encoded[i + 1]) && isHex(encoded[i + 2])) {
        decoded -= 2;
        i += 2;
      }
    }
    const next = lf < 0 ? encoded.length : lf + 1;
    if (!soft) decoded += next - contentEnd;
    pos = next;
  }
  lines.push({ start: encoded.length, decoded });
  return lines;
}

/** Whether the bytes end with `eol` ("\r\n" or "\n"), the way the encoder reads a hard line break. */
function endsWithBytes(bytes: Uint8Array, eol: "\r\n" | "\n"): boolean {
  const n = bytes.length;
  if (eol === "\n") return n > 0 && bytes[n - 1] === LF;
  return n > 1 && bytes[n - 2] === CR && bytes[n - 1] === LF;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const b = Buffer.concat(chunks);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/**
 * Quoted-printable body with the insertions spliced in: the lines before the first insertion's line and from
 * the line after the last insertion on stay as they were; the window between is decoded, spliced and encoded
 * again (ending in a soft break when the original window did not end in a hard one).
 *
 * @returns the new encoded body, or undefined when an offset lies outside the decoded body.
 */
export function spliceQuotedPrintable(
  encoded: Uint8Array,
  decodedBytes: Uint8Array,
  insertions: readonly _DecodedInsertion[],
  eol: "\r\n" | "\n",
): Uint8Array | undefined {
  if (insertions.length === 0) return encoded;
  const lines = qpLines(encoded);
  const total = (lines[lines.length - 1] as EncodedLine).decoded;
  if (total !== decodedBytes.length) return undefined;
  const first = (insertions[0] as _DecodedInsertion).at;
  const last = (insertions[insertions.length - 1] as _DecodedInsertion).at;
  if (first < 0 || last > total) return undefined;
  // The window starts at the last line that starts at or before the first insertion…
  let a = 0;
  while (a + 1 < lines.length - 1 && (lines[a + 1] as EncodedLine).decoded <= first) a++;
  // …and ends at the first line start after the last insertion (an insertion exactly at a line start goes
  // into the window, so it is encoded with the text before it, not glued to the kept line after it).
  // (An empty body has no line: the window is empty and holds only the insertions.)
  let b = Math.min(a + 1, lines.length - 1);
  while (b < lines.length - 1 && (lines[b] as EncodedLine).decoded <= last) b++;
  const winStart = lines[a] as EncodedLine;
  const winEnd = lines[b] as EncodedLine;
  const pieces: Uint8Array[] = [];
  let pos = winStart.decoded;
  for (const ins of insertions) {
    pieces.push(decodedBytes.subarray(pos, ins.at), ins.data);
    pos = ins.at;
  }
  pieces.push(decodedBytes.subarray(pos, winEnd.decoded));
  const window = concat(pieces);
  // The kept line after the window must still start a line of its own, and a body that ended in a line break
  // (hard or soft) still does: a window that does not end in a hard break gets a soft one — and its last line
  // leaves room for the "=".
  const endsWithLf = encoded.length > 0 && encoded[encoded.length - 1] === LF;
  const hardEnd = endsWithBytes(window, eol);
  const softEnd = !hardEnd && (winEnd.start < encoded.length || endsWithLf);
  let text = encodeQuotedPrintable(window, eol, { softEnd });
  if (softEnd) text += `=${eol}`;
  return concat([
    encoded.subarray(0, winStart.start),
    Buffer.from(text, "latin1"),
    encoded.subarray(winEnd.start),
  ]);
}

const B64 = new Int8Array(256).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_".split("").forEach((c, i) => {
  B64[c.charCodeAt(0)] = i < 64 ? i : i === 64 ? 62 : 63;
});

/**
 * Base64 body with the insertions spliced in: whole encoded lines before the first insertion are kept when
 * everything before them decodes to complete 3-byte groups; the rest is encoded again in 76-character lines.
 *
 * @returns the new encoded body, or undefined when an offset lies outside the decoded body.
 */
export function spliceBase64(
  encoded: Uint8Array,
  decodedBytes: Uint8Array,
  insertions: readonly _DecodedInsertion[],
  eol: "\r\n" | "\n",
): Uint8Array | undefined {
  if (insertions.length === 0) return encoded;
  const first = (insertions[0] as _DecodedInsertion).at;
  const last = (insertions[insertions.length - 1] as _DecodedInsertion).at;
  if (first < 0 || last > decodedBytes.length) return undefined;
  // Walk line starts while the decoded count stays a multiple of 3 (no partial group, no padding before).
  let keepEncoded = 0;
  let keepDecoded = 0;
  let chars = 0;
  let pos = 0;
  while (pos < encoded.length) {
    const lf = encoded.indexOf(LF, pos);
    const next = lf < 0 ? encoded.length : lf + 1;
    let padded = false;
    for (let i = pos; i < next; i++) {
      const c = encoded[i] as number;
      if (c === 0x3d) padded = true;
      else if ((B64[c] as number) >= 0) chars++;
    }
    if (padded || lf < 0 || chars % 4 !== 0) break;
    const decoded = (chars / 4) * 3;
    if (decoded > first) break;
    keepEncoded = next;
    keepDecoded = decoded;
    pos = next;
  }
  const pieces: Uint8Array[] = [];
  let at = keepDecoded;
  for (const ins of insertions) {
    pieces.push(decodedBytes.subarray(at, ins.at), ins.data);
    at = ins.at;
  }
  pieces.push(decodedBytes.subarray(at));
  const tail = encodeBase64(concat(pieces), eol);
  const endsWithLf = encoded.length > 0 && encoded[encoded.length - 1] === LF;
  return concat([encoded.subarray(0, keepEncoded), Buffer.from(tail + (endsWithLf ? eol : ""), "latin1")]);
}
