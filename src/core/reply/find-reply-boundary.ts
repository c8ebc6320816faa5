/**
 * findReplyBoundary(): where the sender's latest text ends and the quoted or forwarded conversation begins,
 * in an HTML or plain-text body (SPEC §4, "Reply boundary").
 */
import { MailstampError } from "../errors.js";
import { findHtmlBoundary } from "./html-boundary.js";
import { findTextBoundary } from "./text-boundary.js";

/** The body types {@link findReplyBoundary} reads. */
export type ReplyContentType = "text/html" | "text/plain";

/** Where an `under-reply` stamp goes, and what decided it. */
export interface ReplyBoundary {
  /**
   * UTF-16 index into the content: the end of the sender's latest own text, before the quoted conversation.
   * In HTML it is always between two tags — never inside a tag, an attribute, a comment, `<style>`/`<head>`,
   * or a quote element.
   */
  index: number;
  /**
   * The pattern that started the quote, for the trace and `mailstamp explain`: `gmail-quote`,
   * `outlook-web:divRplyFwdMsg`, `outlook-header-block:de`, `attribution:fr`, `original-message:en`,
   * `forward-separator:gmail`, `quote-prefix`, `blockquote:cite`, ….
   */
  pattern: string;
  /**
   * Set when only an attribution line marks the quote: no `>` prefix, quote element, header block or
   * separator follows it (clients that quote without prefixes). The line is strong enough to place the stamp
   * above it, but `classifyMessage` does not call the message a reply on this evidence alone.
   */
  attributionOnly?: true;
}

/**
 * Finds the reply boundary of a decoded body: the position right after the sender's latest own text and before
 * the quoted or forwarded conversation. Interleaved and bottom-posted replies put it after the sender's last
 * own text; when no quote follows that text (a new message, a bottom-posted reply) the result is undefined and
 * the stamp belongs at the end of the body.
 *
 * Runs in linear time on hostile input: one pass, line by line, with no backtracking regular expression.
 *
 * @example
 * const body = "Works for me.\n\nAm 3. Juni 2024 um 10:00 schrieb Ann <ann@x.test>:\n> Passt Montag?\n";
 * findReplyBoundary(body, "text/plain"); // { index: 15, pattern: "attribution:de" }
 * findReplyBoundary("Just a new message.", "text/plain"); // undefined
 * @throws MailstampError (`OPTIONS_INVALID`) when `content` is not a string or `type` is neither "text/html" nor "text/plain" (misuse).
 */
export function findReplyBoundary(content: string, type: ReplyContentType): ReplyBoundary | undefined {
  if (typeof content !== "string")
    throw new MailstampError("OPTIONS_INVALID", "findReplyBoundary: content must be a string");
  if (type === "text/html") return findHtmlBoundary(content);
  if (type === "text/plain") return findTextBoundary(content);
  throw new MailstampError(
    "OPTIONS_INVALID",
    `findReplyBoundary: type must be "text/html" or "text/plain", not ${String(type)}`,
  );
}
