/**
 * The Liquid filters mailstamp adds for signatures: `phone`, `tel`, `initials` and `mailto`.
 *
 * Every filter takes whatever a directory hands it — a string, a number, a list (`businessPhones`), `null` or
 * nothing — and never throws: a template renders for every user, including the ones with odd data.
 */
import { isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js";
import type { CountryCode, PhoneNumber } from "libphonenumber-js";

/** How `phone` writes a number. */
export type PhoneFormat = "international" | "national" | "e164";

function toText(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  return "";
}

/** Lists (Graph's `businessPhones`) are formatted item by item; everything else is one value. */
function eachValue(value: unknown, format: (text: string) => string): string {
  if (Array.isArray(value)) {
    return value
      .map((item) => format(toText(item).trim()))
      .filter((text) => text !== "")
      .join(", ");
  }
  return format(toText(value).trim());
}

function toCountry(country: unknown): CountryCode | undefined {
  if (typeof country !== "string") return undefined;
  const code = country.trim().toUpperCase();
  return isSupportedCountry(code) ? code : undefined;
}

function parsePhone(text: string, country: unknown): PhoneNumber | undefined {
  if (text === "") return undefined;
  try {
    return parsePhoneNumberFromString(text, toCountry(country));
  } catch {
    // libphonenumber-js throws for some malformed input (e.g. absurd lengths); the filter must not.
    return undefined;
  }
}

/**
 * Formats a phone number: international by default, or `"national"` / `"e164"`, with an optional default
 * country for numbers written without `+`.
 *
 * A number that cannot be a real number (too short, letters, a country code libphonenumber does not know) is
 * returned exactly as the directory holds it: the admin's own spelling beats a mangled reformat.
 *
 * @example
 * phone("+1 415 555 0100", "national") // "(415) 555-0100"
 * phone("030 901820", "international", "DE") // "+49 30 901820"
 * // in a template: {{ user.mobilePhone | phone: "national", "DE" }}
 */
export function phone(value: unknown, format?: unknown, country?: unknown): string {
  return eachValue(value, (text) => {
    const parsed = parsePhone(text, country);
    if (!parsed?.isPossible()) return text;
    const kind = typeof format === "string" ? format.trim().toLowerCase() : "international";
    if (kind === "national") return parsed.formatNational();
    if (kind === "e164") return parsed.number;
    return parsed.formatInternational();
  });
}

/**
 * Turns a phone number into a `tel:` URI (RFC 3966): E.164 with any extension when the number parses, else
 * its digits (and a leading `+`) so the link still dials.
 *
 * @example
 * tel("+1 (415) 555-0100") // "tel:+14155550100"
 * // in a template: <a href="{{ user.mobilePhone | tel }}">{{ user.mobilePhone | phone }}</a>
 */
export function tel(value: unknown, country?: unknown): string {
  const first = Array.isArray(value) ? value.map((item) => toText(item).trim()).find((t) => t !== "") : value;
  const text = toText(first).trim();
  if (text === "") return "";
  const parsed = parsePhone(text, country);
  if (parsed) return parsed.getURI();
  const digits = text.replace(/[^\d]/g, "");
  if (digits === "") return "";
  return `tel:${text.startsWith("+") ? "+" : ""}${digits}`;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The initials of a name, first and last word ("Alice Example" → "AE"), Unicode-aware: accents and combining
 * marks stay with their letter, words that start with no letter (`(CFO)`, `-`) are skipped.
 *
 * @example
 * initials("Élodie de la Fontaine") // "ÉF"
 * // in a template: {{ user.displayName | initials }}
 */
export function initials(value: unknown): string {
  const words = toText(value)
    .split(/[\s\u00a0]+/u)
    .map((word) => {
      const first = graphemes.segment(word)[Symbol.iterator]().next();
      return !first.done && /^\p{L}/u.test(first.value.segment) ? first.value.segment : undefined;
    })
    .filter((letter): letter is string => letter !== undefined);
  const picked = words.length > 2 ? [words[0], words[words.length - 1]] : words;
  return picked.join("").toLocaleUpperCase();
}

/**
 * Turns an address into a `mailto:` URI (RFC 6068), percent-encoding what a URI cannot carry (spaces, `%`,
 * `?`, `#`, non-ASCII); `Name <addr>` is reduced to the address.
 *
 * @example
 * mailto("Alice Example <alice@example.com>") // "mailto:alice@example.com"
 * // in a template: <a href="{{ user.mail | mailto }}">{{ user.mail }}</a>
 */
export function mailto(value: unknown): string {
  let address = toText(value).trim();
  const angle = /<([^<>]*)>/.exec(address);
  if (angle?.[1] !== undefined) address = angle[1].trim();
  if (address === "") return "";
  // RFC 6068 §2: "@" separates local part and domain and stays literal; everything else outside
  // unreserved characters is encoded so "?", "#" or "&" in a local part cannot start a query or fragment.
  return `mailto:${encodeURIComponent(address).replace(/%40/g, "@")}`;
}

/** The filters mailstamp registers on its Liquid engines, by the name templates use. */
export const MAILSTAMP_FILTERS = { phone, tel, initials, mailto } as const;
