/**
 * Separator lines that start a quoted or forwarded message ("-----Original Message-----",
 * "---------- Forwarded message ---------", "Begin forwarded message:") in the languages clients localise
 * them to, and the lines that start a signature.
 */

/** Phrases between dashes: "-----Original Message-----" and its translations, with the pattern they report. */
const DASHED_PHRASES: ReadonlyArray<readonly [phrase: string, pattern: string]> = [
  ["original message", "original-message:en"],
  ["reply message", "original-message:en"],
  ["forwarded message", "forward-separator:en"],
  ["ursprüngliche nachricht", "original-message:de"],
  ["originalnachricht", "original-message:de"],
  ["weitergeleitete nachricht", "forward-separator:de"],
  ["message d'origine", "original-message:fr"],
  ["message original", "original-message:fr"],
  ["message transféré", "forward-separator:fr"],
  ["mensaje original", "original-message:es"],
  ["mensaje reenviado", "forward-separator:es"],
  ["messaggio originale", "original-message:it"],
  ["messaggio inoltrato", "forward-separator:it"],
  ["mensagem original", "original-message:pt"],
  ["mensagem encaminhada", "forward-separator:pt"],
  ["oorspronkelijk bericht", "original-message:nl"],
  ["origineel bericht", "original-message:nl"],
  ["doorgestuurd bericht", "forward-separator:nl"],
  ["oprindelig besked", "original-message:da"],
  ["oprindelig meddelelse", "original-message:da"],
  ["videresendt besked", "forward-separator:da"],
  ["videresendt meddelelse", "forward-separator:da"],
  ["opprinnelig melding", "original-message:no"],
  ["videresendt melding", "forward-separator:no"],
  ["ursprungligt meddelande", "original-message:sv"],
  ["vidarebefordrat meddelande", "forward-separator:sv"],
  ["alkuperäinen viesti", "original-message:fi"],
  ["välitetty viesti", "forward-separator:fi"],
  ["oryginalna wiadomość", "original-message:pl"],
  ["wiadomość oryginalna", "original-message:pl"],
  ["przekazana wiadomość", "forward-separator:pl"],
  ["původní zpráva", "original-message:cs"],
  ["přeposlaná zpráva", "forward-separator:cs"],
  ["исходное сообщение", "original-message:ru"],
  ["пересылаемое сообщение", "forward-separator:ru"],
  ["пересланное сообщение", "forward-separator:ru"],
  ["оригінальне повідомлення", "original-message:uk"],
  ["eredeti üzenet", "original-message:hu"],
  ["továbbított üzenet", "forward-separator:hu"],
  ["orijinal mesaj", "original-message:tr"],
  ["özgün ileti", "original-message:tr"],
  ["iletilmiş mesaj", "forward-separator:tr"],
  ["i̇letilmiş mesaj", "forward-separator:tr"], // "İ" lower-cases to "i" + combining dot
  ["αρχικό μήνυμα", "original-message:el"],
  ["原始邮件", "original-message:zh"],
  ["原始郵件", "original-message:zh"],
  ["转发的邮件", "forward-separator:zh"],
  ["元のメッセージ", "original-message:ja"],
  ["メッセージを転送", "forward-separator:ja"],
  ["転送されたメッセージ", "forward-separator:ja"],
  ["원본 메시지", "original-message:ko"],
  ["전달된 메시지", "forward-separator:ko"],
];

/** Apple Mail's undashed forward headline ("Begin forwarded message:") and its translations. */
const APPLE_FORWARD: ReadonlyArray<readonly [phrase: string, lang: string]> = [
  ["begin forwarded message", "en"],
  ["anfang der weitergeleiteten nachricht", "de"],
  ["début du message réexpédié", "fr"],
  ["début du message transféré", "fr"],
  ["comienzo del mensaje reenviado", "es"],
  ["inicio del mensaje reenviado", "es"],
  ["inizio messaggio inoltrato", "it"],
  ["início da mensagem reencaminhada", "pt"],
  ["início da mensagem encaminhada", "pt"],
  ["begin doorgestuurd bericht", "nl"],
  ["vidarebefordrat mejl", "sv"],
  ["videresendt besked", "da"],
  ["videresendt e-post", "no"],
  ["välitetty viesti alkaa", "fi"],
  ["początek przekazanej wiadomości", "pl"],
  ["začátek přeposílané zprávy", "cs"],
  ["начало переадресованного сообщения", "ru"],
  ["továbbított levél kezdete", "hu"],
  ["i̇letilen mesajın başı", "tr"],
  ["iletilen mesajın başı", "tr"],
  ["転送されたメッセージ", "ja"],
  ["以下为转发的邮件", "zh"],
  ["전달된 메시지", "ko"],
];

function isDecoration(c: string | undefined): boolean {
  return c === "-" || c === "_" || c === "=" || c === " " || c === "\u00a0" || c === "*" || c === "–";
}

/**
 * Whether a (trimmed) line is a dashed separator ("-----Original Message-----", "---------- Forwarded message
 * ---------", "-------- Message transféré --------", "------------------ 原始邮件 ------------------") or Apple
 * Mail's "Begin forwarded message:". Returns the pattern name.
 *
 * @example
 * matchSeparator("-----Ursprüngliche Nachricht-----"); // "original-message:de"
 * matchSeparator("---------- Forwarded message ---------"); // "forward-separator:gmail"
 */
export function matchSeparator(line: string): string | undefined {
  const text = line.trim();
  if (text.length < 8) return undefined;
  const lower = text.toLowerCase().replace(/’/g, "'");
  if (lower[0] === "-" || lower[0] === "_" || lower[0] === "=" || lower[0] === "*") {
    let start = 0;
    while (start < lower.length && isDecoration(lower[start])) start++;
    // Yahoo writes the header fields on the separator's own line: "----- Przekazana wiadomość ----- Od: …".
    const closing = lower.indexOf("--", start);
    let end = closing > start ? closing : lower.length;
    while (end > start && isDecoration(lower[end - 1])) end--;
    // At least two dashes on the left: one leading "-" is a list item ("- original message attached").
    if (start < 2) return undefined;
    const phrase = lower.slice(start, end).replace(/[\s\u00a0]+/gu, " ");
    for (const [p, pattern] of DASHED_PHRASES) {
      if (phrase === p) {
        // Gmail writes exactly ten dashes before "Forwarded message" (in every UI language).
        if (pattern === "forward-separator:en" && lower.startsWith("---------- "))
          return "forward-separator:gmail";
        return pattern;
      }
    }
    return undefined;
  }
  if (lower.length > 120) return undefined;
  // Only a line ending in a colon can be an Apple forward header; most lines are not, so skip the regex.
  const final = lower[lower.length - 1];
  if (final !== ":" && final !== "：") return undefined;
  const phrase = lower.replace(/[\s\u00a0]*[:：]$/u, "");
  if (phrase === lower) return undefined;
  for (const [p, lang] of APPLE_FORWARD) if (phrase === p) return `forward-separator:apple-${lang}`;
  return undefined;
}

/** A line of only underscores or dashes (Outlook's "________________________________" above the header block). */
export function isRule(line: string): boolean {
  const text = line.trim();
  if (text.length < 8) return false;
  for (const c of text) if (c !== "_" && c !== "-" && c !== "—") return false;
  return true;
}

/**
 * Whether a line starts a signature: the RFC 3676 §4.3 "-- " delimiter (and the "--" clients leave after
 * trimming), an em dash alone, or a rule of underscores. Text after a quote that starts so is the sender's
 * signature below the quote, not a reply interleaved with it.
 *
 * @example
 * isSignatureStart("-- "); // true
 */
export function isSignatureStart(line: string): boolean {
  const text = line.trim();
  if (text === "--" || text === "—" || text === "–" || text === "---") return true;
  if (text.length >= 3 && /^_+$/.test(text)) return true;
  return false;
}
