/**
 * Attribution lines ("On … wrote:") per language, as the clients of SPEC §4 write them. Matching is plain
 * string work on one bounded line (at most {@link MAX_ATTRIBUTION_LENGTH} characters), so hostile input cannot
 * make it slow.
 */

/** Longer (joined) lines are sender text, not an attribution: the longest real one in the corpus is ~190. */
export const MAX_ATTRIBUTION_LENGTH = 400;

/**
 * The verb each language puts in an attribution, with the language tag reported in the pattern name.
 * Latin-script verbs must stand as a word; CJK verbs are matched as substrings (no word spacing there).
 */
const VERBS: ReadonlyArray<readonly [verb: string, lang: string]> = [
  ["wrote", "en"],
  ["writes", "en"],
  ["schrieb", "de"],
  ["geschrieben", "de"], // Outlook for Mac: "… hat … geschrieben:"
  ["a écrit", "fr"],
  ["écrit", "fr"],
  ["escribió", "es"],
  ["escribio", "es"],
  ["ha scritto", "it"],
  ["scritto", "it"],
  ["escreveu", "pt"],
  ["schreef", "nl"],
  ["geschreven", "nl"], // "Op … heeft … geschreven:"
  ["skrev", "sv"], // also Danish and Norwegian: the verb is the same, the pattern names the first
  ["skrev følgende", "no"],
  ["kirjoitti", "fi"],
  ["napisał(a)", "pl"],
  ["napisał", "pl"],
  ["napisała", "pl"],
  ["napsal(a)", "cs"],
  ["napsal", "cs"],
  ["napísal(a)", "sk"],
  ["napísal", "sk"],
  ["написал(а)", "ru"],
  ["написал", "ru"],
  ["написала", "ru"],
  ["пишет", "ru"],
  ["написав", "uk"],
  ["írta", "hu"],
  ["yazdı", "tr"],
  ["έγραψε", "el"],
  ["a scris", "ro"],
  ["kirjutas", "et"],
  ["je napisao", "hr"],
];

const CJK_VERBS: ReadonlyArray<readonly [verb: string, lang: string]> = [
  ["写道", "zh"],
  ["寫道", "zh"],
  ["のメッセージ", "ja"],
  ["書き込みました", "ja"],
  ["작성했습니다", "ko"],
  ["님이 작성", "ko"],
  ["작성", "ko"],
];

/** Languages whose attribution begins with a fixed word — the only ones we let span several lines. */
const LEADS = [
  "on ",
  "am ",
  "le ",
  "el ",
  "il ",
  "in data ",
  "em ",
  "op ",
  "den ",
  "dne ",
  "dnia ",
  "w dniu ",
  "- on ",
  "- le ",
  "---- on ",
];

function isLetter(c: string | undefined): boolean {
  if (c === undefined) return false;
  // ASCII first: every line of a body is checked, and the Unicode property test is the slow path.
  const code = c.charCodeAt(0);
  if (code < 0x80) return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
  return /\p{L}/u.test(c);
}

/** Every verb, for the quick "does any verb end this line" test. */
const ALL_VERBS = [...VERBS, ...CJK_VERBS].map(([verb]) => verb);

/** The verbs by their last character: most lines end in a character no verb ends in, and are done at once. */
const VERBS_BY_LAST = new Map<string, string[]>();
for (const verb of ALL_VERBS) {
  const last = verb[verb.length - 1] as string;
  VERBS_BY_LAST.set(last, [...(VERBS_BY_LAST.get(last) ?? []), verb]);
}

/** Trailing characters {@link stripDecoration} drops, plus the whitespace `trim()` drops. */
function isTrailingDecoration(code: number): boolean {
  return (
    code === 0x2d || // "-"
    code === 0x2a || // "*"
    code === 0x20 ||
    code === 0x09 ||
    code === 0x0d ||
    code === 0x0a ||
    code === 0xa0 ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * True when `line` could be the last line of an attribution: it ends (before trailing dashes, stars and
 * spaces) in a colon or in one of the verbs. A few character comparisons and no allocation for the common
 * line of prose, so the scanner asks it before joining lines or running any other test.
 *
 * @example
 * mayEndAttribution("Ann <ann@x.test> wrote:"); // true
 * mayEndAttribution("On Monday"); // false
 */
export function mayEndAttribution(line: string): boolean {
  let end = line.length;
  while (end > 0 && isTrailingDecoration(line.charCodeAt(end - 1))) end--;
  if (end === 0) return false;
  const last = line[end - 1] as string;
  if (last === ":" || last === "：") return true;
  const candidates = VERBS_BY_LAST.get(last) ?? VERBS_BY_LAST.get(last.toLowerCase());
  if (candidates === undefined) return false;
  for (const verb of candidates) if (endsWithCi(line, end, verb)) return true;
  return false;
}

/** `text.slice(0, end).toLowerCase().endsWith(word)` for a lower-case `word`, without building either string. */
function endsWithCi(text: string, end: number, word: string): boolean {
  const from = end - word.length;
  if (from < 0) return false;
  for (let k = 0; k < word.length; k++) {
    const a = text.charCodeAt(from + k);
    const b = word.charCodeAt(k);
    if (a === b) continue;
    if (a >= 0x41 && a <= 0x5a) {
      if (a + 0x20 !== b) return false;
    } else if (a < 0x80 || text.charAt(from + k).toLowerCase() !== word.charAt(k)) return false;
  }
  return true;
}

/** Index of `word` in `text` as a whole word (no letter on either side), or -1. */
function wordIndex(text: string, word: string): number {
  let from = 0;
  for (;;) {
    const at = text.indexOf(word, from);
    if (at < 0) return -1;
    if (!isLetter(text[at - 1]) && !isLetter(text[at + word.length])) return at;
    from = at + 1;
  }
}

function findVerb(lower: string): { lang: string; start: number; end: number } | undefined {
  let best: { lang: string; start: number; end: number } | undefined;
  for (const [verb, lang] of VERBS) {
    const at = wordIndex(lower, verb);
    if (at >= 0 && (!best || at + verb.length > best.end)) best = { lang, start: at, end: at + verb.length };
  }
  for (const [verb, lang] of CJK_VERBS) {
    const at = lower.lastIndexOf(verb);
    if (at >= 0 && (!best || at + verb.length > best.end)) best = { lang, start: at, end: at + verb.length };
  }
  return best;
}

/** A time like 12:47, 9.00 or 17h50, or a four-digit year: the date every client writes into the line. */
function hasDate(text: string): boolean {
  return /\d[:.h]\d\d|\d{4}/.test(text);
}

function hasTime(text: string): boolean {
  return /\d[:.h]\d\d/.test(text);
}

/** An address in angle brackets, parentheses or square brackets, or at least an "@" with text around it. */
function hasAddress(text: string): boolean {
  const at = text.indexOf("@");
  return at > 0 && at < text.length - 1;
}

const QUOTE_MARKS = "\"'„“”«»‘’";

/** A word that can be part of a name: capitalised ("Ann", "O'Neil", "\"John"), or in a script without case (雨州). */
function isNameWord(word: string): boolean {
  let i = 0;
  while (i < word.length && QUOTE_MARKS.includes(word[i] as string)) i++;
  const c = word[i];
  if (c === undefined) return word.length > 0; // a lone quote mark
  if (c === "-" || c === "–") return word.length === i + 1;
  if (!isLetter(c)) return false;
  return c !== c.toLowerCase() || c === c.toUpperCase();
}

/** The words of `text` (split on spaces and commas) are 1–`max` name words. */
function isName(text: string, max: number): boolean {
  const words = text.split(/[\s,]+/u).filter((w) => w !== "");
  return words.length > 0 && words.length <= max && words.every(isNameWord);
}

/** The line begins with a date: a digit, or a weekday or month word and then a number ("Wednesday, 17 …", "ср, 30 …", "pe 20. …"). */
function startsWithDate(text: string): boolean {
  const first = text[0];
  if (first !== undefined && first >= "0" && first <= "9") return true;
  let i = 0;
  while (i < text.length && i <= 12 && isLetter(text[i])) i++;
  if (i === 0 || i > 12) return false;
  if (text[i] === "." || text[i] === ",") i++;
  if (text[i] === ",") i++;
  if (text[i] !== " ") return false;
  while (text[i] === " ") i++;
  const c = text[i];
  return c !== undefined && c >= "0" && c <= "9";
}

/** The line begins with the sender: a few name words, then the address ("Ann Example <ann@x.test> wrote:"). */
function startsWithSender(text: string): boolean {
  let end = 0;
  while (end < text.length && !"<([@".includes(text[end] as string)) end++;
  if (end === text.length) return false;
  // "ann@x.test schrieb …": the address itself opens the line.
  if (text[end] === "@") end = Math.max(text.lastIndexOf(" ", end), 0);
  const before = text.slice(0, end).trim();
  return before === "" || isName(before, 6);
}

/** The one to four words right before the verb are a name ("…, 10:00, Ann Example wrote:"), not "nous avons". */
function nameBeforeVerb(text: string, verbStart: number): boolean {
  let from = verbStart;
  while (from > 0) {
    const c = text[from - 1] as string;
    if (c === "," || (c >= "0" && c <= "9")) break;
    from--;
  }
  return isName(text.slice(from, verbStart), 4);
}

/**
 * How sure an attribution line is without a quote below it: only a line that names a date and the sender
 * (an address, or a capitalised name right before a verb that ends the line) and that opens the way clients
 * open it (a lead word, a date, or the sender) stands alone; anything weaker — "As I wrote on 3 May:",
 * "Le 3 juin à 10:00, nous avons écrit :" — needs a `>` quote, quote element or header block to follow.
 */
function standsAlone(text: string, lower: string, verbStart: number, verbAtEnd: boolean): boolean {
  if (!hasDate(text)) return false;
  if (!hasAddress(text) && !(verbAtEnd && nameBeforeVerb(text, verbStart))) return false;
  return LEADS.some((lead) => lower.startsWith(lead)) || startsWithDate(text) || startsWithSender(text);
}

function stripDecoration(text: string): string {
  let s = text.trim();
  // Zoho writes "---- On … wrote ----"; Zimbra/Free "- Le … a écrit :"; bold markers from rich-text clients.
  let end = s.length;
  while (end > 0 && (s[end - 1] === "-" || s[end - 1] === " " || s[end - 1] === "*")) end--;
  s = s.slice(0, end);
  let start = 0;
  while (start < s.length && (s[start] === "-" || s[start] === " " || s[start] === "*")) start++;
  return s.slice(start);
}

/** The verdict on one (possibly joined) candidate line. */
export interface AttributionMatch {
  /** `attribution:<lang>`, or `attribution:date-address` for the verbless forms (Yandex, Mail.ru, Japanese Gmail). */
  pattern: string;
  /**
   * True when the line alone proves it — it opens like an attribution and names a date and the sender — so it
   * may start an unprefixed quote; false when only a `>` quote, quote element or header block below makes it one.
   */
  strong: boolean;
}

/**
 * Tells whether `line` reads as an attribution line. `line` is one line or several consecutive lines joined
 * with a space (clients wrap long attributions).
 *
 * @example
 * matchAttribution("On Tue, 3 May 2022 at 10:02, Ann <ann@x.test> wrote:"); // { pattern: "attribution:en", strong: true }
 * matchAttribution("As I wrote on 3 May:"); // { pattern: "attribution:en", strong: false }
 * matchAttribution("On Monday we met and agreed."); // undefined
 */
export function matchAttribution(line: string): AttributionMatch | undefined {
  if (line.length > MAX_ATTRIBUTION_LENGTH) return undefined;
  const text = stripDecoration(line);
  if (text.length < 6) return undefined;
  const lower = text.toLowerCase();
  const last = lower[lower.length - 1];
  const endsColon = last === ":" || last === "：";
  // Without a final colon only a verb that ends the line can match (the tail after it must be empty), so a
  // line no verb ends is no attribution — the common case for the sender's own prose, decided without the
  // per-verb word search below.
  if (!endsColon && !mayEndAttribution(text)) return undefined;
  const verb = findVerb(lower);
  if (verb) {
    // The verb ends the line ("… wrote:", "… wrote" without colon, "… napsal(a):"), or a colon ends it and the
    // verb comes before a date ("… schrieb am So., 23. …:", "… skrev følgende den 28/10/2021, 12:46:").
    const tail = lower.slice(verb.end).trim();
    const verbAtEnd = tail === "" || tail === ":" || tail === "：";
    if (verbAtEnd || endsColon) {
      const strong = standsAlone(text, lower, verb.start, verbAtEnd);
      return { pattern: `attribution:${verb.lang}`, strong };
    }
    return undefined;
  }
  // Verbless forms: "2017-11-24 16:32 GMT+01:00 Name <a@b>:", "30.09.2017, 18.30, "Name" <a@b>:",
  // "Thu, 26 Jun 2014 14:00:51 +0400 от Name <a@b>:". They open with the date, and need a time, an address and
  // the final colon too: "Please write to a@b.test by 17:00 and bring:" is a sentence.
  if (endsColon && startsWithDate(text) && hasTime(text) && hasAddress(text) && text.length <= 250) {
    return { pattern: "attribution:date-address", strong: true };
  }
  return undefined;
}
/**
 * True when a line starts the way an attribution does in languages that lead with a fixed word or a date
 * ("On …", "Am …", "Le …", "2017-11-24 …"): a stronger test than {@link canStartAttribution}, used to tell
 * which of two wrapped lines begins the attribution.
 *
 * @example
 * startsLikeAttribution("On Fri, Apr 3, 2020 at 12:32 PM Someone <"); // true
 * startsLikeAttribution("someone@example.com> wrote:"); // false
 */
export function startsLikeAttribution(line: string): boolean {
  const text = stripDecoration(line);
  const lower = text.toLowerCase();
  if (LEADS.some((lead) => lower.startsWith(lead))) return true;
  const first = text[0];
  return first !== undefined && first >= "0" && first <= "9";
}

/**
 * True when a line can begin an attribution that continues on the next line(s): a fixed lead word, a digit
 * (a date first), or an address or name in brackets. Keeps "Thanks\nOn … wrote:" from being read as one line.
 *
 * @example
 * canStartAttribution("On Tue, Sep 25, 2012 at 8:59 AM, Chris Wanstrath"); // true
 * canStartAttribution("Thanks for the update"); // false
 */
export function canStartAttribution(line: string): boolean {
  const text = stripDecoration(line);
  const lower = text.toLowerCase();
  if (LEADS.some((lead) => lower.startsWith(lead))) return true;
  const first = text[0];
  if (first !== undefined && first >= "0" && first <= "9") return true;
  return text.includes("<") || text.includes("@") || text.startsWith('"') || /\d[:.]\d\d/.test(text);
}
