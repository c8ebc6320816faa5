/**
 * `protected: wrap` (SPEC §6): a signed or encrypted message cannot take a stamp without breaking its signature
 * or its encryption, so it travels untouched as a `message/rfc822` attachment under a new stamped body.
 */
import { LF, concatBytes, isAscii, latin1Bytes, longestLine } from "./_bytes.js";
import { _freshBoundary } from "./_boundary.js";
import { _imagePart, _uniqueImages } from "./_inline-images.js";
import { encodeQuotedPrintable } from "./encode.js";
import type { InjectResult, StampInsert } from "./inject-stamp.js";
import type { ScannedMessage } from "./scan-message.js";
import { MailstampError } from "../errors.js";
import type { BodyPartType, Placement } from "../types.js";
import { escapeHtml } from "../escape-html.js";

/** Options of {@link wrapProtectedMessage}. */
export interface WrapOptions {
  /** Header to add as the outer message's first field (the processed marker). */
  marker?: { name: string; value: string };
  /** Leave out every top-level field with this name (an invalid marker). */
  removeHeader?: string;
  /**
   * The line that tells the reader where the original is; the stamps go around it by placement (`top` above,
   * `under-reply` and `bottom` below).
   * @default "This message was signed or encrypted by its sender. It is attached unchanged as original.eml."
   */
  notice?: string;
}

const DEFAULT_NOTICE =
  "This message was signed or encrypted by its sender. It is attached unchanged as original.eml.";
const ORDER: Record<Placement, number> = { top: 0, "under-reply": 1, bottom: 2 };

/**
 * Builds the wrapped message: the original's top-level header fields byte for byte, except the Content-* and
 * MIME-Version fields, which become a `multipart/mixed` (fresh boundary, found in no byte of the original);
 * first part a `multipart/alternative` with the stamps and a notice in plain text and HTML (UTF-8,
 * quoted-printable; embedded images in a `multipart/related` around the HTML), second part the original bytes
 * unchanged as `message/rfc822` (`attachment; filename="original.eml"`). Lines end as in the original.
 *
 * @example
 * const scan = scanMessage(raw, limits);
 * if (scan.ok) wrapProtectedMessage(scan.message, [{ id: "legal", html: "<p>Confidential</p>", text: "Confidential", placement: "bottom" }],
 *   { marker: { name: "X-Mailstamp", value: "v=1" } });
 * @throws {MailstampError} `OPTIONS_INVALID` when the notice or marker would break a line (misuse); never for the message.
 */
export function wrapProtectedMessage(
  msg: ScannedMessage,
  inserts: readonly StampInsert[],
  options: WrapOptions = {},
): InjectResult {
  const notice = options.notice ?? DEFAULT_NOTICE;
  if (typeof notice !== "string") throw new MailstampError("OPTIONS_INVALID", "notice must be a string");
  if (options.marker && /[\r\n]/.test(`${options.marker.name}${options.marker.value}`))
    throw new MailstampError("OPTIONS_INVALID", "marker must be a single line");
  const eol = msg.lineEnding;
  const raw = msg.raw;
  const first = msg.headers[0]?.start ?? 0;
  const original = raw.subarray(first);

  const ordered = inserts
    .map((ins, order) => ({ ins, order }))
    .sort((a, b) => ORDER[a.ins.placement] - ORDER[b.ins.placement] || a.order - b.order);
  const before = ordered.filter((o) => o.ins.placement === "top").map((o) => o.ins);
  const after = ordered.filter((o) => o.ins.placement !== "top").map((o) => o.ins);

  const textRuns = [...before.map((i) => i.text), notice, ...after.map((i) => i.text)].filter(
    (t) => t !== "",
  );
  const text = textRuns.map((t) => t.replace(/(\r\n|\r|\n)+$/, "")).join("\n\n") + "\n";
  const html =
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>' +
    before.map((i) => i.html).join("") +
    `<p>${escapeHtml(notice)}</p>` +
    after.map((i) => i.html).join("") +
    "</body></html>\n";
  const qp = (s: string): string =>
    encodeQuotedPrintable(new TextEncoder().encode(s.replace(/\r\n|\r|\n/g, eol)), eol);
  const textBody = qp(text);
  const htmlBody = qp(html);
  const images = _uniqueImages(inserts.filter((i) => i.html !== "").map((i) => i.images));

  // One seed, three boundaries: none may occur in the original (it is enclosed) or in what we write.
  const taken: string[] = [];
  const fresh = (salt: string): string => {
    const b = _freshBoundary(concatBytes([latin1Bytes(salt), raw.subarray(0, 4096)]), [original], taken);
    taken.push(b);
    return b;
  };
  const mixed = fresh("mixed");
  const alternative = fresh("alternative");
  const related = images.length > 0 ? fresh("related") : undefined;

  const utf8Part = (type: string, body: string): string =>
    [`Content-Type: ${type}; charset=utf-8`, "Content-Transfer-Encoding: quoted-printable", "", body].join(
      eol,
    );
  let htmlPart = utf8Part("text/html", htmlBody);
  if (related) {
    htmlPart = [
      `Content-Type: multipart/related;${eol} boundary="${related}";${eol} type="text/html"`,
      "",
      `--${related}`,
      htmlPart,
      ...images.flatMap((image) => [`--${related}`, _imagePart(image, eol)]),
      `--${related}--`,
    ].join(eol);
  }

  // RFC 2046 §5.2.1: message/rfc822 takes no base64 or quoted-printable; the domain says what the bytes hold.
  const domain =
    original.includes(0) || longestLine(original) > 998 || hasBareCr(original)
      ? "binary"
      : isAscii(original)
        ? undefined
        : "8bit";
  const head = [
    "MIME-Version: 1.0",
    `Content-Type: multipart/mixed;${eol} boundary="${mixed}"`,
    "",
    "This is a MIME message: the original is attached unchanged as original.eml.",
    `--${mixed}`,
    `Content-Type: multipart/alternative;${eol} boundary="${alternative}"`,
    "",
    `--${alternative}`,
    utf8Part("text/plain", textBody),
    `--${alternative}`,
    htmlPart,
    `--${alternative}--`,
    `--${mixed}`,
    "Content-Type: message/rfc822",
    'Content-Disposition: attachment; filename="original.eml"',
    ...(domain ? [`Content-Transfer-Encoding: ${domain}`] : []),
    "",
    "",
  ].join(eol);

  const removed = options.removeHeader?.toLowerCase();
  const kept: Uint8Array[] = [];
  for (const field of msg.headers) {
    const name = field.name.toLowerCase();
    if (name.startsWith("content-") || name === "mime-version" || name === removed) continue;
    kept.push(raw.subarray(field.start, field.end));
    if (raw[field.end - 1] !== LF) kept.push(latin1Bytes(eol));
  }
  const message = concatBytes([
    raw.subarray(0, first),
    ...(options.marker ? [latin1Bytes(`${options.marker.name}: ${options.marker.value}${eol}`)] : []),
    ...kept,
    latin1Bytes(head),
    original,
    latin1Bytes(`${eol}--${mixed}--${eol}`),
  ]);
  const parts = (ins: StampInsert): BodyPartType[] => [
    ...(ins.html !== "" ? (["text/html"] as const) : []),
    ...(ins.text !== "" ? (["text/plain"] as const) : []),
  ];
  return { ok: true, message, applied: inserts.map((ins) => ({ id: ins.id, parts: parts(ins) })) };
}

function hasBareCr(bytes: Uint8Array): boolean {
  for (let at = bytes.indexOf(0x0d); at >= 0; at = bytes.indexOf(0x0d, at + 1)) {
    if (bytes[at + 1] !== LF) return true;
  }
  return false;
}
