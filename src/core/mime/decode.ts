/** Decoding a part's body: transfer encoding (RFC 2045 §6), then charset. Lenient, because real mail is. */
import { CR, LF } from "./_bytes.js";
import { getCodec } from "./_charset.js";
import type { MimeNode, ScannedMessage } from "./scan-message.js";

const B64 = new Int16Array(256).fill(-1);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((c, i) => {
  B64[c.charCodeAt(0)] = i;
});
// URL-safe alphabet too: some generators emit it, and nothing else can mean anything in a body.
B64[0x2d] = 62;
B64[0x5f] = 63;

/**
 * Decodes base64 leniently: characters outside the alphabet (line breaks, spaces, junk) are skipped, padding
 * is optional, a pad mid-stream ends its group, and a trailing partial group yields the bytes it holds.
 *
 * @example
 * decodeBase64(new TextEncoder().encode("aGk=\r\n")) // Uint8Array [104, 105]
 */
export function decodeBase64(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((input.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as number;
    if (c === 0x3d) {
      // Padding ends a group. Some mailers encode every line on its own ("SGVsbG8=\r\nIHdvcmxk"), so a pad
      // can stand mid-stream: flush what the group holds and start afresh, as postal-mime and Thunderbird do,
      // instead of shifting every later group by the missing bits.
      if (n === 2) out[o++] = (acc >> 4) & 0xff;
      else if (n === 3) {
        out[o++] = (acc >> 10) & 0xff;
        out[o++] = (acc >> 2) & 0xff;
      }
      acc = 0;
      n = 0;
      continue;
    }
    const v = B64[c] as number;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    n++;
    if (n === 4) {
      out[o++] = (acc >> 16) & 0xff;
      out[o++] = (acc >> 8) & 0xff;
      out[o++] = acc & 0xff;
      acc = 0;
      n = 0;
    }
  }
  if (n === 2) out[o++] = (acc >> 4) & 0xff;
  else if (n === 3) {
    out[o++] = (acc >> 10) & 0xff;
    out[o++] = (acc >> 2) & 0xff;
  }
  return out.subarray(0, o);
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Decodes quoted-printable: `=XX` escapes, `=` at the end of a line as a soft break; an invalid escape is kept
 * literally. Hard line breaks keep the bytes the message used (CRLF or LF).
 *
 * @example
 * new TextDecoder().decode(decodeQuotedPrintable(new TextEncoder().encode("caf=C3=A9=\r\n!"))) // "café!"
 */
export function decodeQuotedPrintable(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length);
  let o = 0;
  let pos = 0;
  while (pos < input.length) {
    const lf = input.indexOf(LF, pos);
    const lineEnd = lf < 0 ? input.length : lf;
    let contentEnd = lineEnd;
    if (contentEnd > pos && input[contentEnd - 1] === CR) contentEnd--;
    const soft = contentEnd > pos && input[contentEnd - 1] === 0x3d;
    const literalEnd = soft ? contentEnd - 1 : contentEnd;
    // Literal runs between "=" signs are copied natively; only the escapes are decoded byte by byte.
    let i = pos;
    while (i < literalEnd) {
      let eq = input.indexOf(0x3d, i);
      if (eq < 0 || eq > literalEnd) eq = literalEnd;
      if (eq > i) {
        out.set(input.subarray(i, eq), o);
        o += eq - i;
      }
      i = eq;
      if (i >= literalEnd) break;
      const h = i + 2 < literalEnd ? hex(input[i + 1] as number) : -1;
      const l = h >= 0 ? hex(input[i + 2] as number) : -1;
      if (h >= 0 && l >= 0) {
        out[o++] = (h << 4) | l;
        i += 3;
      } else out[o++] = input[i++] as number;
    }
    if (!soft) {
      const next = lf < 0 ? input.length : lf + 1;
      out.set(input.subarray(contentEnd, next), o);
      o += next - contentEnd;
    }
    pos = lf < 0 ? input.length : lf + 1;
  }
  return out.subarray(0, o);
}

/**
 * Undoes a Content-Transfer-Encoding; 7bit, 8bit, binary and unknown encodings pass the bytes through.
 *
 * @example
 * decodeTransferEncoding(bytes, "base64")
 */
export function decodeTransferEncoding(body: Uint8Array, encoding: string): Uint8Array {
  if (encoding === "base64") return decodeBase64(body);
  if (encoding === "quoted-printable") return decodeQuotedPrintable(body);
  return body;
}

/**
 * Bytes in a charset to text: WHATWG labels through TextDecoder (as browsers and mail clients decode), the rest
 * (UTF-7, …) through iconv-lite; an unknown label decodes as UTF-8.
 *
 * @example
 * decodeCharset(new Uint8Array([0xe9]), "iso-8859-1") // "é"
 */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  return getCodec(charset).decode(bytes);
}

// Per scanned part: the rules, the untouchable checks and the injector all read the same body, and decoding a
// large body three times is what made stamping slower than parsing. Scans are per message, so entries die with
// the message.
const decodedParts = new WeakMap<MimeNode, { bytes: Uint8Array; text?: string }>();

/**
 * The transfer-decoded bytes of a part (cached for the lifetime of the scan).
 *
 * @example
 * const bytes = decodePartBytes(msg, node); // base64/quoted-printable undone, charset not applied
 */
export function decodePartBytes(msg: ScannedMessage, node: MimeNode): Uint8Array {
  let entry = decodedParts.get(node);
  if (!entry) {
    const body = msg.raw.subarray(node.bodyStart, node.bodyEnd);
    entry = { bytes: decodeTransferEncoding(body, node.transferEncoding) };
    decodedParts.set(node, entry);
  }
  return entry.bytes;
}

/**
 * The decoded text of a body part: transfer encoding undone, charset applied; line breaks are as in the part.
 * Cached for the lifetime of the scan.
 *
 * @example
 * const { html } = findBodyParts(msg); if (html) console.log(decodePartText(msg, html));
 */
export function decodePartText(msg: ScannedMessage, node: MimeNode): string {
  const bytes = decodePartBytes(msg, node);
  const entry = decodedParts.get(node) as { bytes: Uint8Array; text?: string };
  entry.text ??= decodeCharset(bytes, node.contentType.params.charset);
  return entry.text;
}
