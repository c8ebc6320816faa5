/** SMTP replies and the mapping of relay situations to the reply the client gets. */

/** One SMTP reply: the code and its text lines (without the code). */
export interface SmtpReply {
  code: number;
  lines: string[];
}

/** The reply text on one line, as a client sees it after the code (multi-line replies joined with spaces). */
export function replyText(reply: SmtpReply): string {
  return reply.lines
    .map((line) => line.trim())
    .filter(Boolean)
    .join(" ");
}

/** An Error smtp-server turns into the reply `code text`. */
export interface SmtpServerError extends Error {
  responseCode: number;
}

/**
 * The error a smtp-server handler passes to its callback to answer `code text`. The text carries its own
 * enhanced status code (RFC 3463) because smtp-server would otherwise guess one from the basic code alone
 * (550 → 5.1.1 even for a policy refusal).
 */
export function _smtpError(code: number, text: string): SmtpServerError {
  // CR/LF in a reply would let a next hop's text (or an address) inject a reply line; smtp-server also
  // strips control characters, this keeps the log line honest too.
  const err = new Error(text.replace(/[\r\n]+/g, " ")) as SmtpServerError;
  err.responseCode = code;
  return err;
}

/** A next hop's reply passed on unchanged (its code, its enhanced code, its text, its queue id). */
export function _fromReply(reply: SmtpReply): SmtpServerError {
  return _smtpError(
    reply.code,
    replyText(reply) || (reply.code >= 500 ? "5.0.0 Refused" : "4.0.0 Try again later"),
  );
}
