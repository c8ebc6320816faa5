/**
 * The `images` a template sees: `cid:` URLs for embedded images (with the parts the MIME layer must add) and
 * plain URLs for remote ones. Internal to the render folder.
 */
import type { ResolvedTemplate } from "../config/types.js";
import { hashBytes } from "./_stable-hash.js";

/** An image to attach as an inline part, referenced from the HTML by `cid:`. */
export interface ImageCandidate {
  name: string;
  cid: string;
  contentType: string;
  data: Uint8Array;
  filename: string;
}

export interface TemplateImages {
  /** What `{{ images.NAME }}` renders. */
  urls: Record<string, string>;
  /** Embedded images; only those the HTML references are attached. */
  embedded: ImageCandidate[];
}

const EXTENSIONS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/jpg": "jpg",
  "image/pjpeg": "jpg",
  "image/gif": "gif",
  "image/webp": "webp",
  "image/bmp": "bmp",
};

/** Graph photos and files without a stated type: the first bytes say what they are. */
function sniffType(data: Uint8Array): string {
  const starts = (...bytes: number[]) => bytes.every((byte, i) => data[i] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && data[8] === 0x57 && data[9] === 0x45) return "image/webp";
  return "application/octet-stream";
}

/**
 * A Content-ID is an addr-spec (RFC 2392, RFC 5322 §3.6.4): keep the name to atext-safe characters, and
 * derive the rest from the bytes so the same image always gets the same id (stable output, cacheable).
 */
function embed(name: string, data: Uint8Array, contentType: string | undefined): ImageCandidate {
  const safeName = name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 40) || "image";
  const type = (contentType?.trim().toLowerCase() || sniffType(data)).split(";")[0]?.trim() ?? "";
  const cid = `${safeName}.${hashBytes(data).slice(0, 12)}@mailstamp`;
  return { name, cid, contentType: type, data, filename: `${safeName}.${EXTENSIONS[type] ?? "bin"}` };
}

function directoryPhoto(
  user: Record<string, unknown>,
): { data: Uint8Array; contentType?: string } | undefined {
  const photo = user["photo"];
  if (typeof photo !== "object" || photo === null) return undefined;
  const { data, contentType } = photo as { data?: unknown; contentType?: unknown };
  if (!(data instanceof Uint8Array) || data.length === 0) return undefined;
  return typeof contentType === "string" ? { data, contentType } : { data };
}

/**
 * Resolves a template's images plus the directory photo (as `photo`, taking precedence over a template image
 * of that name, which then serves as the fallback for users without a photo).
 */
export function resolveImages(template: ResolvedTemplate, user: Record<string, unknown>): TemplateImages {
  // No prototype: an image named `__proto__` in a config must stay an image, not rewire the object.
  const urls = Object.create(null) as Record<string, string>;
  const embedded: ImageCandidate[] = [];
  const add = (candidate: ImageCandidate) => {
    urls[candidate.name] = `cid:${candidate.cid}`;
    embedded.push(candidate);
  };
  for (const [name, image] of Object.entries(template.images)) {
    if (image.embed && image.data && image.data.length > 0) add(embed(name, image.data, image.contentType));
    else if (image.url) urls[name] = image.url;
  }
  const photo = directoryPhoto(user);
  if (photo) {
    const index = embedded.findIndex((candidate) => candidate.name === "photo");
    if (index >= 0) embedded.splice(index, 1);
    add(embed("photo", photo.data, photo.contentType));
  }
  return { urls, embedded };
}
