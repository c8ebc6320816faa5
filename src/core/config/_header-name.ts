/** Header field name checks for `options.marker.header` and `header` conditions. */

// RFC 5322 §3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126 (printable US-ASCII except ":").
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** True for a syntactically valid header field name. */
export function isHeaderFieldName(value: string): boolean {
  return FIELD_NAME.test(value);
}

// The marker is added to every message and removed when it does not verify (SPEC §5), so naming it after a
// header that carries meaning would delete or overwrite that header: the subject, the addresses, the MIME
// structure, or the trace and authentication results receivers depend on.
const RESERVED = new Set([
  "from",
  "sender",
  "reply-to",
  "to",
  "cc",
  "bcc",
  "subject",
  "date",
  "message-id",
  "in-reply-to",
  "references",
  "mime-version",
  "received",
  "return-path",
  "dkim-signature",
  "authentication-results",
  "auto-submitted",
  "list-unsubscribe",
]);
const RESERVED_PREFIXES = ["content-", "resent-", "arc-", "list-"];

/** True when a header name carries meaning a marker must never replace or remove. */
export function isReservedHeaderName(value: string): boolean {
  const lower = value.toLowerCase();
  return RESERVED.has(lower) || RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix));
}
