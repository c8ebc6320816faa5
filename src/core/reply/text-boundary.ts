/** The reply boundary of a plain-text body: line by line, with `>` marking quoted lines (RFC 3676 §4.5). */
import { _locate, type _Line, type _Located } from "./_locate.js";

/** A `>` after nothing but spaces — U+00A0 and the other Unicode spaces included, which re-flowing clients write. */
function isQuoted(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3e) return true;
    if (c === 0x20 || c === 0x09) continue;
    if (c < 0xa0 || !/\p{Zs}/u.test(text.charAt(i))) return false;
  }
  return false;
}

/**
 * Finds where the sender's latest text ends in a plain-text body.
 *
 * @example
 * findTextBoundary("Sounds good.\n\nOn Mon, 3 Jun 2024 at 10:00, Ann <ann@x.test> wrote:\n> Lunch?\n");
 * // { index: 14, pattern: "attribution:en" }
 */
export function findTextBoundary(content: string): _Located | undefined {
  const lines: _Line[] = [];
  let start = 0;
  while (start <= content.length) {
    let end = content.indexOf("\n", start);
    if (end < 0) end = content.length;
    const text = content.slice(start, end > start && content[end - 1] === "\r" ? end - 1 : end);
    const quoted = isQuoted(text);
    lines.push(quoted ? { start, text, quoted, quotePattern: "quote-prefix" } : { start, text, quoted });
    start = end + 1;
  }
  return _locate(lines);
}
