import type { MessageType } from "../types.js";

/** What {@link classifyMessage} looks at; every field is optional. */
export interface ClassifyInput {
  /** Decoded Subject header. */
  subject?: string | undefined;
  inReplyTo?: string | undefined;
  references?: string | undefined;
  /**
   * Decoded plain text of the body (or the HTML converted to text), used only when the headers do not decide;
   * pass a function to decode the body only then.
   */
  bodyText?: string | (() => string) | undefined;
  /**
   * The body's reply boundary (see `findReplyBoundary`), read only when the subject and headers do not decide:
   * a forward separator makes the message a forward, any other quote a reply. A function is called only then.
   */
  replyBoundary?: BodyBoundary | (() => BodyBoundary | undefined) | undefined;
}

/** The part of a `ReplyBoundary` that {@link classifyMessage} reads. */
export interface BodyBoundary {
  pattern: string;
  /** Only an attribution line marks the quote (nothing quoted follows it): not enough to call it a reply. */
  attributionOnly?: boolean | undefined;
}

// Subject prefixes as mail clients write them, by language. Keys are lower-case and compared without the
// trailing colon. Sources: the prefixes Outlook, Gmail, Apple Mail and Thunderbird localisations emit.
const REPLY_PREFIXES = new Set([
  "re", // English and most languages
  "aw", // German "Antwort"
  "antw", // Dutch "Antwoord"
  "sv", // Swedish, Danish, Norwegian "Svar"
  "vs", // Finnish "Vastaus" (Danish/Norwegian Outlook use it for forwards — body structure breaks the tie)
  "odp", // Polish "Odpowiedź"
  "ynt", // Turkish "Yanıt"
  "yanıt",
  "yan", // Turkish Outlook abbreviation
  "réf", // French (Outlook)
  "réf.",
  "ref",
  "ris", // Italian "Risposta"
  "r", // Italian (Outlook)
  "res", // Portuguese "Resposta"
  "odg", // Croatian/Slovenian "Odgovor"
  "vá", // Hungarian "Válasz"
  "válasz",
  "atb", // Latvian "Atbilde"
  "ats", // Lithuanian "Atsakyti"
  "απ", // Greek
  "σχετ", // Greek
  "отв", // Russian "Ответ"
  "ответ",
  "odp.", // Polish with the abbreviation dot some clients keep
  "ynt.",
  "rif", // Italian "Riferimento"
  "rif.",
  "svar",
  "vast", // Estonian "Vastus"
  "ats.", // Lithuanian
  "odgovor",
  "відп", // Ukrainian
  "回复", // Chinese (simplified)
  "答复",
  "回覆", // Chinese (traditional)
  "답장", // Korean
  "返信", // Japanese
]);
const FORWARD_PREFIXES = new Set([
  "fwd",
  "fw",
  "wg", // German "Weitergeleitet"
  "tr", // French "Transféré"
  "rv", // Spanish "Reenviado"
  "doorst", // Dutch "Doorsturen"
  "fwd.",
  "fw.",
  "tr.",
  "enc.",
  "rv.",
  "wg.",
  "vb.",
  "pd.",
  "πρθ.",
  "пересл.",
  "vb", // Swedish "Vidarebefordra"
  "vl", // Finnish "Välitä"
  "i", // Italian "Inoltrato"
  "inoltro",
  "pd", // Polish "Przekaż dalej"
  "enc", // Portuguese "Encaminhar"
  "i̇lt", // Turkish "İlet" (lower-cased dotted I)
  "ilt",
  "továbbítás", // Hungarian
  "pr", // Czech "Přeposlat"
  "pres", // Slovenian
  "prsl", // Croatian
  "πρθ", // Greek
  "пересл", // Russian "Переслать"
  "转发", // Chinese
  "轉寄",
  "轉發",
  "전달", // Korean
  "転送", // Japanese
]);

// Prefixes that are also everyday subject words ("Ref: invoice 4711", "PR: launch", "Res: reservation",
// "R: D project", "I: …"): alone they decide only with reply headers or a quote in the body; stacked with
// another prefix ("R: RE: x") they count.
const AMBIGUOUS_PREFIXES = new Set(["ref", "r", "res", "i", "pr", "pd", "pres"]);

// A prefix is a short word (optionally "[n]" or "(n)" counted, as some clients write "Re[2]:"), then a colon:
// ASCII ':' or the full-width '：' used by CJK clients.
const MAX_PREFIX_LENGTH = 12;

function leadingPrefixes(subject: string): string[] {
  const prefixes: string[] = [];
  let rest = subject;
  // Bounded loop: each step consumes at least one character; 20 stacked prefixes are more than any thread has.
  for (let i = 0; i < 20; i++) {
    rest = rest.replace(/^[\s\u00a0]+/, "");
    // Skip list tags such as "[ext] " or "[project] " that gateways put in front of the prefix.
    if (rest.startsWith("[")) {
      const close = rest.indexOf("]");
      if (close > 0 && close <= 40) {
        rest = rest.slice(close + 1);
        continue;
      }
    }
    const colon = rest.search(/[:：]/);
    if (colon <= 0 || colon > MAX_PREFIX_LENGTH + 4) break;
    const word = rest
      .slice(0, colon)
      .trim()
      .replace(/\s*[[(]\d{1,4}[\])]$/, "")
      .toLowerCase();
    if (!REPLY_PREFIXES.has(word) && !FORWARD_PREFIXES.has(word)) break;
    prefixes.push(word);
    rest = rest.slice(colon + 1);
  }
  return prefixes;
}

const FORWARD_MARKERS = [
  /^-{5,}\s*forwarded message\s*-{5,}/im, // Gmail
  /^begin forwarded message:/im, // Apple Mail
  /^-{5,}\s*original message\s*-{5,}/im, // Thunderbird forward inline, Outlook "-----Original Message-----"
  /^-{5,}\s*(weitergeleitete nachricht|message transféré|mensaje reenviado|doorgestuurd bericht)\s*-{5,}/im,
];

function bodyLooksForwarded(text: string): boolean {
  const head = text.slice(0, 20_000);
  // Every marker but Apple's starts with five dashes: without them only that one can match.
  if (!head.includes("-----")) return FORWARD_MARKERS[1]?.test(head) === true;
  return FORWARD_MARKERS.some((re) => re.test(head));
}

function bodyLooksQuoted(text: string): boolean {
  const head = text.slice(0, 20_000);
  // A `>` after leading spaces counts too: re-flowing clients indent quotes with U+00A0.
  return head.includes(">") && /^[\p{Zs}\t]*>/mu.test(head);
}

/**
 * Tells whether a message is new, a reply or a forward: from the subject's first prefix in any of the common
 * languages (stacked prefixes like "RE: AW:" are read left to right — the newest action is leftmost), then
 * In-Reply-To / References, then the body's structure: a forward separator, the reply boundary's pattern
 * (an attribution line, an Outlook header block, a quote element), `>`-quoted lines.
 *
 * @example
 * classifyMessage({ subject: "AW: RE: Budget" }); // "reply"
 * classifyMessage({ subject: "WG: Budget" });     // "forward"
 * classifyMessage({ subject: "Budget" });         // "new"
 */
export function classifyMessage(input: ClassifyInput): MessageType {
  const prefixes = leadingPrefixes(input.subject ?? "");
  const body = (): string =>
    typeof input.bodyText === "function" ? input.bodyText() : (input.bodyText ?? "");
  const first = prefixes[0];
  const hasReplyHeaders = !!((input.inReplyTo ?? "").trim() || (input.references ?? "").trim());
  if (first !== undefined && prefixes.length === 1 && AMBIGUOUS_PREFIXES.has(first) && !hasReplyHeaders) {
    const fromBody = classifyByBody(body(), input.replyBoundary);
    if (fromBody === "new") return "new";
  }
  if (first !== undefined) {
    if (FORWARD_PREFIXES.has(first)) return "forward";
    // "VS:" is a reply in Finnish but a forward in Danish and Norwegian Outlook; the body decides.
    if (first === "vs" && bodyLooksForwarded(body())) return "forward";
    return "reply";
  }
  if (hasReplyHeaders) return "reply";
  return classifyByBody(body(), input.replyBoundary);
}

/** What the body's structure alone says: a forward separator, the reply boundary's pattern, `>` quotes. */
function classifyByBody(text: string, replyBoundary: ClassifyInput["replyBoundary"]): MessageType {
  if (bodyLooksForwarded(text)) return "forward";
  const boundary = typeof replyBoundary === "function" ? replyBoundary() : replyBoundary;
  // "On 3 May 2024, Ann <ann@x.test> wrote:" with nothing quoted below is where a stamp would go in an
  // unprefixed reply, but without reply headers or a subject prefix it is as likely the sender's own sentence.
  if (boundary && boundary.attributionOnly !== true) {
    // The pattern that found the quote says what it is: "forward-separator:…" (Gmail's "---------- Forwarded
    // message ---------", Apple's "Begin forwarded message:", their translations) or a reply's quote.
    return boundary.pattern.startsWith("forward-separator") ? "forward" : "reply";
  }
  if (bodyLooksQuoted(text)) return "reply";
  return "new";
}
