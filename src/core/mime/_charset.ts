/** Charset codecs: WHATWG TextDecoder for decoding (what mail clients do), iconv-lite for what it lacks and for encoding. */
import iconv from "iconv-lite";

/**
 * How positions in the decoded text map to bytes: `utf8` and `single-byte` can be mapped exactly, so a stamp can
 * be spliced into the original bytes; `other` (UTF-16, UTF-7, ISO-2022-JP, Shift_JIS, …) is re-encoded whole.
 */
export type _CodecKind = "utf8" | "single-byte" | "other";

export interface _Codec {
  /** The label as the message declared it, lower-case (or "utf-8" for the fallback). */
  label: string;
  kind: _CodecKind;
  decode(bytes: Uint8Array): string;
  /** Bytes of `text` in this charset, or undefined when the charset cannot hold it exactly. */
  encode(text: string): Uint8Array | undefined;
}

// The WHATWG single-byte encodings: every byte decodes to exactly one UTF-16 code unit.
const SINGLE_BYTE = new Set([
  "ibm866",
  "iso-8859-2",
  "iso-8859-3",
  "iso-8859-4",
  "iso-8859-5",
  "iso-8859-6",
  "iso-8859-7",
  "iso-8859-8",
  "iso-8859-8-i",
  "iso-8859-10",
  "iso-8859-13",
  "iso-8859-14",
  "iso-8859-15",
  "iso-8859-16",
  "koi8-r",
  "koi8-u",
  "macintosh",
  "windows-874",
  "windows-1250",
  "windows-1251",
  "windows-1252",
  "windows-1253",
  "windows-1254",
  "windows-1255",
  "windows-1256",
  "windows-1257",
  "windows-1258",
  "x-mac-cyrillic",
]);

// WHATWG decodes these as windows-1252, but a receiver that takes the label literally would not: a stamp
// must fit the declared charset, so encoding is restricted to what the label really holds.
const ASCII_LABELS = new Set([
  "us-ascii",
  "ascii",
  "ansi_x3.4-1968",
  "iso646-us",
  "us",
  "iso-ir-6",
  "cp367",
  "ibm367",
]);

const utf8Encoder = new TextEncoder();
const cache = new Map<string, _Codec>();

function normaliseLabel(label: string): string {
  return label
    .trim()
    .replace(/^["']+|["']+$/g, "")
    .trim()
    .toLowerCase();
}

function whatwgDecoder(label: string): { encoding: string } | undefined {
  try {
    return new TextDecoder(label);
  } catch {
    return undefined;
  }
}

function iconvName(label: string, canonical: string | undefined): string | undefined {
  if (iconv.encodingExists(label)) return label;
  if (canonical !== undefined && iconv.encodingExists(canonical)) return canonical;
  return undefined;
}

/**
 * The codec for a charset label; unknown labels decode as UTF-8 (the common mislabel) and accept only ASCII
 * stamps, so nothing is ever written in a charset mailstamp cannot name.
 */
export function getCodec(charset: string | undefined): _Codec {
  const label = normaliseLabel(charset ?? "") || "us-ascii";
  const hit = cache.get(label);
  if (hit) return hit;
  const codec = buildCodec(label);
  if (cache.size > 256) cache.clear();
  cache.set(label, codec);
  return codec;
}

function buildCodec(label: string): _Codec {
  const whatwg = whatwgDecoder(label);
  const canonical = whatwg?.encoding;
  if (canonical === "utf-8") {
    return {
      label,
      kind: "utf8",
      decode: (bytes) => new TextDecoder("utf-8").decode(bytes),
      encode: (text) => utf8Encoder.encode(text),
    };
  }
  const asciiOnly = ASCII_LABELS.has(label);
  const iconvLabel = asciiOnly ? "us-ascii" : iconvName(label, canonical);
  let decode: (bytes: Uint8Array) => string;
  if (canonical !== undefined && canonical !== "replacement") {
    decode = (bytes) => new TextDecoder(canonical).decode(bytes);
  } else if (iconvLabel !== undefined) {
    decode = (bytes) => iconv.decode(Buffer.from(bytes), iconvLabel);
  } else {
    // Unknown label: most such parts are UTF-8 in practice (and that is what mail parsers fall back to).
    return {
      label,
      kind: "utf8",
      decode: (bytes) => new TextDecoder("utf-8").decode(bytes),
      encode: (text) => (isAscii(text) ? utf8Encoder.encode(text) : undefined),
    };
  }
  const kind: _CodecKind = canonical !== undefined && SINGLE_BYTE.has(canonical) ? "single-byte" : "other";
  const encode = (text: string): Uint8Array | undefined => {
    if (asciiOnly) return isAscii(text) ? utf8Encoder.encode(text) : undefined;
    if (iconvLabel === undefined)
      return kind === "single-byte" && isAscii(text) ? utf8Encoder.encode(text) : undefined;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(iconv.encode(text, iconvLabel));
    } catch {
      return undefined;
    }
    // iconv-lite writes "?" for what it cannot encode; only an exact round trip through the decoder the
    // reader uses proves the charset holds the text.
    return decode(bytes) === text ? bytes : undefined;
  };
  return { label, kind, decode, encode };
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The UTF-8 codec, used when a text part must move to UTF-8. */
export function utf8Codec(): _Codec {
  return getCodec("utf-8");
}
