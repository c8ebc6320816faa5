/** The processed-marker header (SPEC §5): a version tag, and with a secret an HMAC over the Message-ID. */
import { createHmac, timingSafeEqual } from "node:crypto";

const VERSION = "1";

function mac(messageId: string | undefined, secret: string): string {
  // The Message-ID is bound as written minus surrounding whitespace; relays may refold but not change it.
  return createHmac("sha256", secret)
    .update((messageId ?? "").trim(), "utf8")
    .digest("base64url");
}

/**
 * The marker value to write: `v=1` without a secret, `v=1; h=<base64url HMAC-SHA256(secret, Message-ID)>` with one,
 * so a sender cannot forge "already processed" to dodge a compliance stamp.
 *
 * @example
 * createMarkerValue("<a@example.com>", process.env.MAILSTAMP_SECRET) // "v=1; h=3q2-7w…"
 */
export function createMarkerValue(messageId: string | undefined, secret: string | undefined): string {
  return secret === undefined ? `v=${VERSION}` : `v=${VERSION}; h=${mac(messageId, secret)}`;
}

function parse(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const piece of value.split(";")) {
    const eq = piece.indexOf("=");
    if (eq < 0) continue;
    const key = piece.slice(0, eq).trim().toLowerCase();
    if (!out.has(key)) out.set(key, piece.slice(eq + 1).trim());
  }
  return out;
}

/**
 * True when a marker value proves the message was processed: without a secret any `v=1` marker does; with a
 * secret its HMAC must match this Message-ID (compared in constant time).
 *
 * @example
 * verifyMarker("v=1; h=forged", "<a@example.com>", "s3cret") // false
 */
export function verifyMarker(
  value: string,
  messageId: string | undefined,
  secret: string | undefined,
): boolean {
  if (typeof value !== "string") return false;
  const fields = parse(value);
  if (fields.get("v") !== VERSION) return false;
  if (secret === undefined) return true;
  const given = Buffer.from(fields.get("h") ?? "", "utf8");
  const expected = Buffer.from(mac(messageId, secret), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
