/** Header values as rules read them: by lower-case name, RFC 2047 decoded. */
import { decodeWords } from "postal-mime";
import type { HeaderField } from "./scan-message.js";

/**
 * Decodes header fields into a map of lower-case name → decoded values, in message order (repeated fields keep
 * every value).
 *
 * @example
 * decodeHeaders(scan.message.headers).get("subject") // ["Grüße"] for "=?utf-8?q?Gr=C3=BC=C3=9Fe?="
 */
export function decodeHeaders(fields: readonly HeaderField[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const field of fields) {
    const name = field.name.toLowerCase();
    let value: string;
    try {
      value = decodeWords(field.value);
    } catch {
      // A malformed encoded word must not cost the whole message; the raw value is still meaningful.
      value = field.value;
    }
    const list = out.get(name);
    if (list) list.push(value);
    else out.set(name, [value]);
  }
  return out;
}

/**
 * The raw (unfolded, not decoded) value of the first field with this name, case-insensitive.
 *
 * @example
 * getHeader(scan.message.headers, "Message-ID") // "<abc@example.com>"
 */
export function getHeader(fields: readonly HeaderField[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name.toLowerCase() === lower)?.value;
}
