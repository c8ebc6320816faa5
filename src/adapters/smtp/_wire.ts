/** The DATA payload as it goes on the wire to the next hop (RFC 5321 §4.5.2, §2.3.8). */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

const TERMINATOR = Buffer.from(".\r\n");
const BREAK_AND_TERMINATOR = Buffer.from("\r\n.\r\n");

/**
 * Encodes a message for SMTP DATA, as pieces to write one after the other: every line ends in CRLF, a line that
 * starts with "." gets a second one, and the payload ends with `CRLF.CRLF`.
 *
 * Bare LFs and bare CRs become CRLF (RFC 5321 §2.3.8 allows no other line ending on the wire, and Exchange
 * Online and Postfix 3.9 refuse bare LF); nodemailer does the same for LF. Because every line break of any kind
 * leaves as CRLF and the "." after it is stuffed, no byte sequence in the message can end the DATA phase early
 * at the next hop ("SMTP smuggling", CVE-2023-51764 and its siblings — `\n.\r\n`, `\r.\r`, `\r.\r\n`),
 * whatever line ending that hop accepts.
 *
 * A message already in wire form — CRLF line breaks only and no line that starts with "." (what SMTP clients
 * send, and what a stamp leaves) — is not copied: the pieces are the message itself and the terminator.
 */
export function _encodeDataPieces(message: Uint8Array): Buffer[] {
  const src = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (_isWireForm(src)) {
    return [src, src.length === 0 || src[src.length - 1] === LF ? TERMINATOR : BREAK_AND_TERMINATOR];
  }
  return [encodeLines(src)];
}

/**
 * True when the bytes need no change on the wire: every LF follows a CR, every CR precedes an LF, and no line
 * starts with ".". Searched natively, line break by line break, without copying.
 */
function _isWireForm(src: Buffer): boolean {
  if (src[0] === DOT || src.indexOf("\n.") >= 0) return false;
  let lfs = 0;
  for (let at = src.indexOf(LF); at >= 0; at = src.indexOf(LF, at + 1)) {
    if (src[at - 1] !== CR) return false;
    lfs++;
  }
  // Each CRLF holds one CR; any more CRs are bare.
  let crs = 0;
  for (let at = src.indexOf(CR); at >= 0 && crs <= lfs; at = src.indexOf(CR, at + 1)) crs++;
  return crs === lfs;
}

/** The general case: line by line, every line break rewritten as CRLF and leading dots doubled. */
function encodeLines(src: Buffer): Buffer {
  // Line breaks in the source: CRLF, bare LF or bare CR; `next` finds the next one from `pos` with two native
  // searches, so a 25 MB attachment is copied in long runs, not walked byte by byte.
  let cr = -2;
  let lf = -2;
  const next = (pos: number): { at: number; len: number } | undefined => {
    if (cr !== -1 && cr < pos) cr = src.indexOf(CR, pos);
    if (lf !== -1 && lf < pos) lf = src.indexOf(LF, pos);
    if (cr < 0 && lf < 0) return undefined;
    if (cr >= 0 && (lf < 0 || cr < lf)) return { at: cr, len: src[cr + 1] === LF ? 2 : 1 };
    return { at: lf, len: 1 };
  };
  // First pass: how many bytes to add, so the output is allocated once (messages run to tens of MB).
  let extra = 0;
  let pos = 0;
  if (src[0] === DOT) extra++;
  for (let brk = next(0); brk; brk = next(pos)) {
    if (brk.len === 1) extra++; // a bare CR or LF becomes two bytes
    pos = brk.at + brk.len;
    if (src[pos] === DOT) extra++;
  }
  // An empty message is just the terminator; anything else must end its last line before it.
  const last = src[src.length - 1];
  const endsWithBreak = src.length === 0 || last === LF || last === CR;
  const tail = (endsWithBreak ? 0 : 2) + 3;
  const out = Buffer.allocUnsafe(src.length + extra + tail);
  let o = 0;
  pos = 0;
  cr = -2;
  lf = -2;
  if (src[0] === DOT) out[o++] = DOT;
  for (let brk = next(0); brk; brk = next(pos)) {
    o += src.copy(out, o, pos, brk.at);
    out[o++] = CR;
    out[o++] = LF;
    pos = brk.at + brk.len;
    if (src[pos] === DOT) out[o++] = DOT;
  }
  o += src.copy(out, o, pos);
  if (!endsWithBreak) {
    out[o++] = CR;
    out[o++] = LF;
  }
  out[o++] = DOT;
  out[o++] = CR;
  out[o++] = LF;
  return out.subarray(0, o);
}
