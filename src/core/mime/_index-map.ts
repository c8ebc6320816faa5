/** Maps positions in decoded text back to byte offsets, so a stamp can be spliced into the original bytes. */
import { isAscii } from "./_bytes.js";
import type { _Codec } from "./_charset.js";

/**
 * Byte offsets for ascending UTF-16 indices into `codec.decode(bytes)`, or undefined when the codec's bytes
 * cannot be mapped exactly. An index inside a character maps to that character's first byte.
 */
export function mapIndicesToBytes(
  codec: _Codec,
  bytes: Uint8Array,
  indices: readonly number[],
  decoded?: string,
): number[] | undefined {
  if (codec.kind === "single-byte") return indices.map((i) => Math.min(i, bytes.length));
  // ASCII bytes are the same characters in UTF-8, one byte each: indices are offsets (no BOM, nothing invalid).
  if (codec.kind === "utf8" && isAscii(bytes)) return indices.map((i) => Math.min(i, bytes.length));
  if (codec.kind === "utf8")
    return fastUtf8(decoded ?? codec.decode(bytes), bytes, indices) ?? mapUtf8(bytes, indices);
  return undefined;
}

/**
 * Valid UTF-8 (no U+FFFD in the decoded text) maps by re-encoding each prefix natively, which is far faster
 * than walking the bytes in JavaScript; anything else takes the exact decoder walk below.
 */
function fastUtf8(text: string, bytes: Uint8Array, indices: readonly number[]): number[] | undefined {
  if (text.includes("\ufffd")) return undefined;
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  return indices.map((index) => {
    let i = Math.min(index, text.length);
    // An index inside a surrogate pair maps to the character's first byte, as the byte walk does.
    const c = text.charCodeAt(i - 1);
    if (i > 0 && i < text.length && c >= 0xd800 && c <= 0xdbff) i--;
    return bom + Buffer.byteLength(text.slice(0, i), "utf8");
  });
}

/**
 * Walks the bytes with the WHATWG UTF-8 decoder's own state machine (Encoding Standard §8.1.1), so invalid
 * sequences count exactly as many U+FFFD as TextDecoder produced and the offsets agree with the decoded text.
 */
function mapUtf8(bytes: Uint8Array, indices: readonly number[]): number[] {
  const out: number[] = [];
  let k = 0;
  let units = 0;
  // TextDecoder drops a leading byte order mark.
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let seqStart = i;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  let cp = 0;
  const emit = (start: number, count: number): void => {
    while (k < indices.length && (indices[k] as number) < units + count) {
      out.push(start);
      k++;
    }
    units += count;
  };
  while (i < bytes.length && k < indices.length) {
    const b = bytes[i] as number;
    if (needed === 0) {
      seqStart = i;
      if (b <= 0x7f) emit(i, 1);
      else if (b >= 0xc2 && b <= 0xdf) {
        needed = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2;
        cp = b & 0x0f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3;
        cp = b & 0x07;
      } else emit(i, 1);
      i++;
      continue;
    }
    if (b < lower || b > upper) {
      needed = seen = cp = 0;
      lower = 0x80;
      upper = 0xbf;
      emit(seqStart, 1);
      continue; // the byte is processed again as the start of a new sequence
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    seen++;
    i++;
    if (seen === needed) {
      emit(seqStart, cp > 0xffff ? 2 : 1);
      needed = seen = cp = 0;
    }
  }
  while (k < indices.length) {
    out.push(needed > 0 && (indices[k] as number) === units ? seqStart : bytes.length);
    k++;
  }
  return out;
}
