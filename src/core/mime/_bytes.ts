/** Byte helpers for the MIME layer: the message is bytes, and only small header regions ever become strings. */
import { isAscii as bufferIsAscii } from "node:buffer";

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HT = 0x09;

/** Latin-1 view of a byte range: one char per byte, so string offsets are byte offsets. */
export function latin1(raw: Uint8Array, start = 0, end = raw.length): string {
  return Buffer.from(raw.buffer, raw.byteOffset + start, Math.max(0, end - start)).toString("latin1");
}

/** Bytes of a string whose chars are all ≤ U+00FF (header text we built or read as Latin-1). */
export function latin1Bytes(text: string): Uint8Array {
  return Buffer.from(text, "latin1");
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A header region as text: UTF-8 when the bytes are valid UTF-8 (RFC 6532 headers), else Latin-1, so 8-bit
 * garbage never turns into replacement characters that would hide what was there.
 */
export function headerText(raw: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if ((raw[i] ?? 0) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(raw, start, end);
  try {
    return strictUtf8.decode(raw.subarray(start, end));
  } catch {
    return latin1(raw, start, end);
  }
}

/** Index of the next LF in [from, end), or -1. */
export function indexOfLf(raw: Uint8Array, from: number, end: number): number {
  const at = raw.subarray(from, end).indexOf(LF);
  return at < 0 ? -1 : from + at;
}

/** Joins byte chunks into one array (one copy: a plain Uint8Array view of the joined buffer). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const joined = Buffer.concat(chunks);
  return new Uint8Array(joined.buffer, joined.byteOffset, joined.length);
}

/** True when every byte is 7-bit. */
export function isAscii(bytes: Uint8Array): boolean {
  return bufferIsAscii(bytes);
}

/** True when the string holds only 7-bit chars. */
export function isAsciiText(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Length in octets of the longest line (without its line ending). */
export function longestLine(bytes: Uint8Array): number {
  let longest = 0;
  let lineStart = 0;
  for (;;) {
    const lf = bytes.indexOf(LF, lineStart);
    const end = lf < 0 ? bytes.length : lf;
    const len = end - lineStart - (end > lineStart && bytes[end - 1] === CR ? 1 : 0);
    if (len > longest) longest = len;
    if (lf < 0) return longest;
    lineStart = lf + 1;
  }
}

/**
 * True when no line of `bytes` with `insertions` (in offset order) spliced in that holds inserted bytes is
 * longer than `limit` octets — counted with its CR, so "true" is never wrong; "false" means "maybe", and the
 * caller measures. Only the lines around the insertion points are looked at.
 *
 * @example
 * insertedLinesFit(bytes("ab\ncd"), [{ at: 1, data: bytes("xyz") }], 998) // true: the longest new line is "axyzb"
 */
export function insertedLinesFit(
  bytes: Uint8Array,
  insertions: ReadonlyArray<{ at: number; data: Uint8Array }>,
  limit: number,
): boolean {
  let line = 0; // length of the line being built, up to the current point
  let prev = -1;
  for (const { at, data } of insertions) {
    if (prev < 0 || lineEnd(bytes, prev) < at) {
      if (prev >= 0 && line + lineEnd(bytes, prev) - prev > limit) return false;
      line = at - (at > 0 ? bytes.lastIndexOf(LF, at - 1) + 1 : 0);
    } else line += at - prev;
    const first = data.indexOf(LF);
    if (first < 0) line += data.length;
    else {
      if (line + first > limit) return false;
      const last = data.lastIndexOf(LF);
      if (last > first && longestLine(data.subarray(first + 1, last)) > limit) return false;
      line = data.length - last - 1;
    }
    if (line > limit) return false;
    prev = at;
  }
  return prev < 0 || line + lineEnd(bytes, prev) - prev <= limit;
}

/** The offset of the LF that ends the line holding `at` (or the end of the bytes). */
function lineEnd(bytes: Uint8Array, at: number): number {
  const lf = bytes.indexOf(LF, at);
  return lf < 0 ? bytes.length : lf;
}

/** One replacement of raw[start, end) by `data`; an insertion has start === end. */
export interface _Edit {
  start: number;
  end: number;
  data: Uint8Array;
}

/**
 * Applies non-overlapping edits to `raw`; edits at the same offset keep the order they were given in, and an
 * edit that overlaps an earlier one is dropped rather than corrupting the bytes around it.
 */
export function applyEdits(raw: Uint8Array, edits: readonly _Edit[]): Uint8Array {
  const sorted = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order);
  const chunks: Uint8Array[] = [];
  let pos = 0;
  for (const { edit } of sorted) {
    if (edit.start < pos) continue;
    chunks.push(raw.subarray(pos, edit.start), edit.data);
    pos = edit.end;
  }
  chunks.push(raw.subarray(pos));
  return concatBytes(chunks);
}
