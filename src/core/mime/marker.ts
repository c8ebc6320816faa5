/** The processed-marker header (SPEC §5): a version tag, and with a secret an HMAC over the Message-ID. */
import { createHmac, timingSafeEqual } from "node:crypto";

const VERSION = "1";

/**
 * What the HMAC binds: the header fields that identify one message and that relays do not rewrite. A marker
 * therefore cannot be copied onto another message; replaying it needs a message with the same Message-ID, Date
 * and From as one already stamped — a duplicate, which mail systems suppress. (The body is deliberately left
 * out: servers between two passes may re-encode it, and a marker that stops verifying means a second stamp.)
 */
export interface MarkerBinding {
  messageId?: string | undefined;
  date?: string | undefined;
  from?: string | undefined;
}

function mac(binding: MarkerBinding, secret: string): string {
  // Each field as decoded, with whitespace collapsed: relays may refold a header, but not change it.
  const canonical = [binding.messageId, binding.date, binding.from]
    .map((v) => (v ?? "").replace(/\s+/g, " ").trim())
    .join("\n");
  return createHmac("sha256", secret).update(canonical, "utf8").digest("base64url");
}

/**
 * The marker value to write: `v=1` without a secret, `v=1; h=<base64url HMAC-SHA256>` over the message's
 * {@link MarkerBinding} with one, so a sender cannot forge "already processed" to dodge a compliance stamp.
 *
 * @example
 * createMarkerValue({ messageId: "<a@example.com>", date, from }, process.env.MAILSTAMP_SECRET) // "v=1; h=3q2-7w…"
 */
export function createMarkerValue(binding: MarkerBinding, secret: string | undefined): string {
  return secret === undefined ? `v=${VERSION}` : `v=${VERSION}; h=${mac(binding, secret)}`;
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
 * secret its HMAC must match this message's {@link MarkerBinding} (compared in constant time).
 *
 * @example
 * verifyMarker("v=1; h=forged", { messageId: "<a@example.com>" }, "s3cret") // false
 */
export function verifyMarker(value: string, binding: MarkerBinding, secret: string | undefined): boolean {
  if (typeof value !== "string") return false;
  const fields = parse(value);
  if (fields.get("v") !== VERSION) return false;
  if (secret === undefined) return true;
  const given = Buffer.from(fields.get("h") ?? "", "utf8");
  const expected = Buffer.from(mac(binding, secret), "utf8");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Adds the marker header as the first header field — after an mbox `From ` line, which must stay the first
 * line — and drops every existing field of that name (an invalid marker must not survive beside the new one).
 * Works on any bytes: where the header block cannot be found, the line goes at the very start. Only used to
 * mark a message that is passed on *unstamped*; a stamped message gets its marker from the injector.
 *
 * @example
 * prependMarker(raw, "X-Mailstamp", "v=1") // "X-Mailstamp: v=1\r\n" + raw
 */
export function prependMarker(
  raw: Uint8Array,
  name: string,
  value: string,
  fields: ReadonlyArray<{ name: string; start: number; end: number }> = [],
  lineEnding?: "\r\n" | "\n",
): Uint8Array {
  const firstLf = raw.indexOf(0x0a);
  const eol =
    lineEnding ?? (firstLf > 0 && raw[firstLf - 1] === 0x0d ? "\r\n" : firstLf >= 0 ? "\n" : "\r\n");
  const mbox = raw.length >= 5 && String.fromCharCode(...raw.subarray(0, 5)) === "From ";
  const at = fields[0]?.start ?? (mbox && firstLf >= 0 ? firstLf + 1 : 0);
  const lower = name.toLowerCase();
  const drop = fields.filter((f) => f.name.toLowerCase() === lower);
  const line = new TextEncoder().encode(`${name}: ${value}${eol}`);
  const removed = drop.reduce((n, f) => n + (f.end - f.start), 0);
  const out = new Uint8Array(raw.length + line.length - removed);
  let from = 0;
  let to = 0;
  const copy = (end: number) => {
    out.set(raw.subarray(from, end), to);
    to += end - from;
    from = end;
  };
  copy(at);
  out.set(line, to);
  to += line.length;
  for (const f of drop) {
    copy(f.start);
    from = f.end;
  }
  copy(raw.length);
  return out;
}
