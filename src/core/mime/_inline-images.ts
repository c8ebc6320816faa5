/**
 * Inline image parts for a stamp's `cid:` references (RFC 2392, RFC 2387): one base64 part per distinct
 * Content-ID, written in the message's line ending.
 */
import type { EmbeddedImage } from "../render/render-template.js";
import { encodeBase64 } from "./encode.js";

/** The images of the given inserts, each Content-ID once (several stamps may show the same logo). */
export function _uniqueImages(lists: ReadonlyArray<readonly EmbeddedImage[] | undefined>): EmbeddedImage[] {
  const seen = new Set<string>();
  const out: EmbeddedImage[] = [];
  for (const list of lists) {
    for (const image of list ?? []) {
      const key = image.cid.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(image);
    }
  }
  return out;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Why an image cannot be written as a part, or undefined when it can (checked as misuse before injecting). */
export function _invalidImage(image: unknown): string | undefined {
  if (typeof image !== "object" || image === null) return "must be an object";
  const { cid, contentType, data, filename } = image as Partial<EmbeddedImage>;
  // RFC 2392: the id goes between angle brackets in a header; whitespace, brackets or CR/LF would break out.
  if (typeof cid !== "string" || !/^[\x21-\x3b\x3d\x3f-\x7e]+$/.test(cid))
    return "cid must be printable ASCII without spaces or angle brackets";
  if (typeof contentType !== "string" || !isMediaType(contentType))
    return "contentType must be a type/subtype media type";
  if (!(data instanceof Uint8Array)) return "data must be a Uint8Array";
  if (typeof filename !== "string" || /[\r\n]/.test(filename)) return "filename must be a single-line string";
  return undefined;
}

function isMediaType(value: string): boolean {
  const [type, subtype, ...rest] = value.split("/");
  return rest.length === 0 && TOKEN.test(type ?? "") && TOKEN.test(subtype ?? "");
}

/**
 * A `name="value"` parameter: quoted when the value is plain printable ASCII, RFC 2231 `name*=utf-8''…`
 * otherwise (non-ASCII, quotes or backslashes in a file name).
 */
function parameter(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) return `${name}="${value}"`;
  const encoded = Array.from(new TextEncoder().encode(value), (b) =>
    /[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(b))
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
  ).join("");
  return `${name}*=utf-8''${encoded}`;
}

/** One inline image part (headers, blank line, base64 body), without a leading or trailing line break. */
export function _imagePart(image: EmbeddedImage, eol: "\r\n" | "\n"): string {
  const type = image.contentType.toLowerCase();
  return [
    `Content-Type: ${type};${eol} ${parameter("name", image.filename)}`,
    "Content-Transfer-Encoding: base64",
    `Content-ID: <${image.cid}>`,
    `Content-Disposition: inline;${eol} ${parameter("filename", image.filename)}`,
    "",
    encodeBase64(image.data, eol),
  ].join(eol);
}
