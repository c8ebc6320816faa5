/** The DATA payload as it goes on the wire to the next hop (RFC 5321 §4.5.2, §2.3.8). */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/**
 * Encodes a message for SMTP DATA: every line ends in CRLF, a line that starts with "." gets a second one,
 * and the payload ends with `CRLF.CRLF`.
 *
 * Bare LFs become CRLF (RFC 5321 §2.3.8 allows no other line ending on the wire, and Exchange Online and
 * Postfix 3.9 refuse bare LF); nodemailer does the same. Stuffing after *every* LF, not only after CRLF,
 * means no byte sequence in the message can end the DATA phase early at the next hop ("SMTP smuggling",
 * CVE-2023-51764 and its siblings), whatever line ending that hop accepts.
 */
export function _encodeData(message: Uint8Array): Buffer {
  const src = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  // First pass: how many bytes to add, so the output is allocated once (messages run to tens of MB).
  let extra = 0;
  let pos = 0;
  if (src[0] === DOT) extra++;
  for (;;) {
    const lf = src.indexOf(LF, pos);
    if (lf < 0) break;
    if (lf === 0 || src[lf - 1] !== CR) extra++;
    if (src[lf + 1] === DOT) extra++;
    pos = lf + 1;
  }
  // An empty message is just the terminator; anything else must end its last line before it.
  const endsWithLf = src.length === 0 || src[src.length - 1] === LF;
  const tail = (endsWithLf ? 0 : 2) + 3;
  const out = Buffer.allocUnsafe(src.length + extra + tail);
  let o = 0;
  pos = 0;
  if (src[0] === DOT) out[o++] = DOT;
  for (;;) {
    const lf = src.indexOf(LF, pos);
    if (lf < 0) break;
    o += src.copy(out, o, pos, lf);
    if (lf === 0 || src[lf - 1] !== CR) out[o++] = CR;
    out[o++] = LF;
    if (src[lf + 1] === DOT) out[o++] = DOT;
    pos = lf + 1;
  }
  o += src.copy(out, o, pos);
  if (!endsWithLf) {
    out[o++] = CR;
    out[o++] = LF;
  }
  out[o++] = DOT;
  out[o++] = CR;
  out[o++] = LF;
  return out.subarray(0, o);
}
