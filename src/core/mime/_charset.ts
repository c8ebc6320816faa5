/** Charset codecs: WHATWG TextDecoder for decoding (what mail clients do), iconv-lite for what it lacks and for encoding. */
import iconv from "iconv-lite";
import { _encodeIso2022Jp } from "./_iso-2022-jp.js";

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

// Node's ICU converters are not the WHATWG decoders for these: its euc-kr lacks the windows-949 (UHC)
// syllables and "€" that Outlook's ks_c_5601-1987 mail uses, its big5 lacks HKSCS. iconv-lite's tables are
// the WHATWG ones, and the WHATWG gbk decoder is the gb18030 decoder.
const ICONV_DECODERS: Record<string, string> = {
  "euc-kr": "euc-kr",
  big5: "big5hkscs",
  gbk: "gb18030",
  gb18030: "gb18030",
  shift_jis: "shift_jis",
  "euc-jp": "euc-jp",
};

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
  const viaIconv = canonical !== undefined ? ICONV_DECODERS[canonical] : undefined;
  if (viaIconv !== undefined) {
    decode = (bytes) => iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), viaIconv);
  } else if (canonical !== undefined && canonical !== "replacement") {
    // One decoder per codec: constructing an ICU converter per call cost more than decoding a small part.
    const decoder = new TextDecoder(canonical);
    decode = (bytes) => decoder.decode(bytes);
    if (SINGLE_BYTE.has(canonical) || canonical === "windows-1252") {
      const fixed = singleByteFix(canonical, decoder, iconvName(canonical, undefined));
      if (fixed) decode = fixed;
    }
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
    if (canonical === "iso-2022-jp") {
      const bytes = _encodeIso2022Jp(text);
      return bytes && decode(bytes) === text ? bytes : undefined;
    }
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

/**
 * Node's TextDecoder is not the WHATWG decoder for every single-byte label: Node 20 decodes "windows-1252"
 * (and so every "iso-8859-1" and "us-ascii" part) as ISO-8859-1, turning "€" (0x80) into U+0080, and ICU
 * swaps three control bytes of IBM866. WHATWG single-byte decoding is ASCII below 0x80, and windows-1252's
 * 0x80–0x9F are the characters iconv-lite also knows. Where the native decoder differs from that for a byte,
 * its output is mapped back char by char (single-byte decoding is one char per byte, so the map is exact);
 * undefined when the native decoder is right.
 */
function singleByteFix(
  canonical: string,
  decoder: { decode(bytes: Uint8Array): string },
  iconvLabel: string | undefined,
): ((bytes: Uint8Array) => string) | undefined {
  const fix = new Map<string, string>();
  const seen = new Set<string>();
  for (let byte = 0; byte < 256; byte++) {
    const native = decoder.decode(new Uint8Array([byte]));
    let expected = native;
    if (byte < 0x80) expected = String.fromCharCode(byte);
    else if (canonical === "windows-1252" && byte < 0xa0 && iconvLabel !== undefined) {
      const known = iconv.decode(Buffer.from([byte]), iconvLabel);
      // Bytes windows-1252 leaves undefined (0x81, 0x8D, …) are U+0081 … in WHATWG, as Node decodes them.
      if (known !== "\ufffd") expected = known;
    }
    if (native.length !== 1 || seen.has(native)) return undefined;
    seen.add(native);
    if (expected !== native) fix.set(native, expected);
  }
  if (fix.size === 0) return undefined;
  const wrong = new RegExp(
    `[${[...fix.keys()].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}]`,
    "g",
  );
  return (bytes) => decoder.decode(bytes).replace(wrong, (c) => fix.get(c) ?? c);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** The UTF-8 codec, used when a text part must move to UTF-8. */
export function utf8Codec(): _Codec {
  return getCodec("utf-8");
}
