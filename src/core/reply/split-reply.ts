/** A body split at its reply boundary into the sender's latest text and the quoted conversation below it. */
import { findReplyBoundary, type ReplyBoundary, type ReplyContentType } from "./find-reply-boundary.js";

/** The two halves of a body; `quoted` is "" when no quote follows the sender's text. */
export interface SplitReply {
  latest: string;
  quoted: string;
  boundary?: ReplyBoundary;
}

/**
 * Splits a decoded body at {@link findReplyBoundary}: `latest` is what the sender wrote above the quoted
 * conversation (what `body: { scope: latest }` rules see), `quoted` is the conversation.
 *
 * @example
 * splitReply("Yes.\n\n> Lunch?\n", "text/plain"); // { latest: "Yes.\n\n", quoted: "> Lunch?\n", boundary: { index: 6, … } }
 * @throws MailstampError (`OPTIONS_INVALID`) for a non-string content or an unknown type (misuse), like findReplyBoundary.
 */
export function splitReply(content: string, type: ReplyContentType): SplitReply {
  const boundary = findReplyBoundary(content, type);
  if (!boundary) return { latest: content, quoted: "" };
  return { latest: content.slice(0, boundary.index), quoted: content.slice(boundary.index), boundary };
}
