/**
 * Regular expressions from the config (`matches:`) are written by admins but run on text that anyone on the
 * internet can send, so a pattern with catastrophic backtracking (ReDoS) would let one crafted message stall
 * the mail flow. Two defences, both needed:
 *
 * 1. **Inputs are bounded.** {@link testRegex} only looks at the first {@link MAX_REGEX_INPUT} characters.
 *    That caps the linear and quadratic cases (an unanchored `a+\s` scans from every start position: about
 *    two seconds on 64 KiB of "aaa…" on Node 20, about a tenth of a second on the 16 KiB we allow; up to
 *    about one second when what is retried at each position is a `\b` under the `iu` flags or a counted
 *    group, as in `\s*\b` or `(?:a{8})*x`) but cannot save an exponential or cubic pattern — hence:
 * 2. **Patterns are checked** by {@link checkRegex} when the config is parsed. It parses the pattern itself
 *    (groups, classes, escapes, `*` `+` `?` `{n,m}`, lazy quantifiers, lookarounds) and bounds how many ways
 *    each part can match one and the same text, approximating conservatively (character sets are
 *    over-approximated, so a doubtful pattern is rejected, never waved through). For every node it knows the
 *    length range, the first characters and the characters that can extend a complete match; where those
 *    overlap what comes next, the boundary between the two can fall in several places. It rejects:
 *    - **Backreferences** (`\1`, `\k<name>`): matching with them is NP-hard in general.
 *    - **Ambiguous repeats** (nested quantifiers): any repeat with a maximum above 1, bounded or not, whose
 *      iterations can split the same text in several ways — the body can match empty, can continue into
 *      the next iteration, or is itself ambiguous. Unbounded ones always fail: `(a+)+`, `(a*)*`,
 *      `(?:\w+\s?)+`, `(.*a){20}`, `(a{1,3})+`. Bounded ones fail above {@link MAX_MATCH_WAYS} ways:
 *      `(?:a{1,16}){1,16}x`, `(?:\d{1,3}\.?){16}x`, `^(?:(?:a?){8}){8}$`; `(a{1,3}){1,3}b` (13 ways) passes.
 *      `(?:\w+\s)+` or `(\d{1,3}\.){3}` pass: the separator decides where each iteration ends.
 *    - **Overlapping alternatives under any repeat** (maximum above 1): `(a|a)*`, `(a|ab){2}`, `(\w|\d)+`.
 *      (First-character overlap is a sound over-approximation of "can match the same text": `(ab|ac)*` is
 *      rejected too.)
 *    - **Ambiguous sequences whose failure is possible**: items whose boundaries can fall in more than
 *      {@link MAX_MATCH_WAYS} ways before something that can fail — `a{0,16}a{0,16}a{0,16}x` (289 ways) — or in
 *      more than one way once the text they cover is unbounded, since each way then repeats an O(n) scan:
 *      `\d+\d+$`, `.*.*=`, `.*a.*b`, `a?\w+x`, `[ab]{0,9}\w+!`, `a{3,17}(?!.*a)`.
 *      `.*confidential.*` passes (nothing after it can fail); `.*confidential.*$` does not.
 *    - **Expensive retries after an unbounded item**: an unbounded item gives characters back one at a time
 *      and what follows is retried at each; more than a few steps per retry multiplies the quadratic cost —
 *      `\w+a{20}x`, `\d+\d{0,16}x` — and a second unbounded item, or a lookaround that scans unbounded text,
 *      makes it cubic. Literals are costed by how densely they can recur: `.*confidential` passes.
 *    - **Lookarounds that rescan inside a repeat**: unbounded text under any repeat, `(?:(?=\w+\s)\w)+`, or
 *      more than a few characters per iteration of an unbounded one, `(?:(?=[^b]{0,14})a)+`.
 *    Everyday patterns pass: `^VP`, `^(Re|Fwd):`, `\d{3}-\d{4}`, `[A-Z]{2,4}-\d+`, `invoice|receipt`,
 *    `^[^@]+@example\.com$`, `\bconfidential\b`, `^\+?\d{1,3}[ -]?\d{2,4}`, `(?:foo|bar)\s+baz`,
 *    `^[A-Z][a-z]+ [A-Z][a-z]+$`, `\b(?:urgent|asap)\b`, `^.{0,20}confidential`.
 *    Fuzzing (50,000 random nested patterns, hostile inputs of 16 Ki characters) finds no accepted pattern
 *    worse than that quadratic budget: the slowest are one unbounded item retrying `\b` or a counted group.
 * Patterns longer than {@link MAX_REGEX_SOURCE} characters are refused outright.
 */
import { MailstampError } from "../errors.js";
import { ANY_SET, EMPTY_SET, overlaps, union, type CharSet } from "./_char-set.js";
import { parseRegex, type RegexNode } from "./_regex-parse.js";

/**
 * How many characters of a value a regex is run on (16 Ki characters); the rest is ignored. Quadratic
 * patterns cost O(n²) on hostile text, so this bound, not the pattern check, caps them: about 0.1 s per test
 * for a simple unbounded item (`a+\s`), up to about 1 s where it retries `\b` or a counted group (measured on
 * Node 20, one core).
 */
export const MAX_REGEX_INPUT = 16 * 1024;

/** The longest pattern {@link checkRegex} accepts. */
export const MAX_REGEX_SOURCE = 4096;

/**
 * The most ways the analysis lets a repeat, or a part of a sequence that something after it can make fail,
 * match one and the same text. The engine tries every one of them before giving up, so this caps the
 * backtracking of bounded ambiguity: `(a{1,3}){1,3}b` (13 ways) passes, `(?:a{1,16}){1,16}x` does not.
 */
export const MAX_MATCH_WAYS = 100;

/**
 * How many steps the text right after an unbounded item may cost each time that item gives back a
 * character: `a+b` retries one character (1), `\w+a{20}x` twenty — twenty times the quadratic budget.
 */
const MAX_RETRY_WORK = 4;

const FLAG_SETS = ["iu", "i"] as const;

/**
 * Checks that a `matches:` pattern compiles and cannot backtrack catastrophically.
 *
 * @returns a sentence describing the problem, or `undefined` when the pattern is safe to run.
 * @example
 * checkRegex("^(Re|Fwd):") // undefined
 * checkRegex("(a+)+$")     // "can backtrack catastrophically: …"
 */
export function checkRegex(source: string): string | undefined {
  if (source.length > MAX_REGEX_SOURCE) return `is longer than ${MAX_REGEX_SOURCE} characters`;
  const compiled = compileWithFallback(source);
  if (compiled instanceof Error) return `does not compile: ${compiled.message}`;
  try {
    return analyse(source);
  } catch (err) {
    // The parser only sees patterns the engine accepted; if it still trips, refuse rather than guess.
    return `could not be analysed for catastrophic backtracking (${(err as Error).message})`;
  }
}

const cache = new Map<string, RegExp>();
const MAX_CACHED = 1000;

/**
 * Compiles a checked pattern case-insensitively (flags `iu`, or `i` where the pattern needs Annex B syntax),
 * caching the result.
 *
 * @throws {MailstampError} `CONFIG_INVALID` when {@link checkRegex} finds a problem — validate first.
 * @example
 * testRegex(compileRegex("^VP"), user.jobTitle)
 */
export function compileRegex(source: string): RegExp {
  const hit = cache.get(source);
  if (hit) return hit;
  const problem = checkRegex(source);
  if (problem !== undefined) {
    throw new MailstampError("CONFIG_INVALID", `regular expression /${source}/ ${problem}`);
  }
  const re = compileWithFallback(source) as RegExp;
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(source, re);
  return re;
}

/**
 * Tests a regex against at most the first {@link MAX_REGEX_INPUT} characters of `text`.
 *
 * @example
 * testRegex(compileRegex("\\bconfidential\\b"), body) // true when the word appears in the first 16 Ki characters
 */
export function testRegex(re: RegExp, text: string): boolean {
  re.lastIndex = 0; // a caller's /g or /y regex must not carry state from one message to the next
  return re.test(text.length > MAX_REGEX_INPUT ? text.slice(0, MAX_REGEX_INPUT) : text);
}

function compileWithFallback(source: string): RegExp | Error {
  let error: Error = new Error("invalid pattern");
  for (const flags of FLAG_SETS) {
    try {
      return new RegExp(source, flags);
    } catch (err) {
      if (flags === FLAG_SETS[0]) error = err as Error; // the unicode-mode message is the more precise one
    }
  }
  return error;
}

interface NodeFacts {
  /** Can match the empty string. */
  nullable: boolean;
  /** Characters a non-empty match can start with. */
  first: CharSet;
  /** Every character the node can consume. */
  chars: CharSet;
  /** Can fail to match at some position (so the engine backtracks into what came before). */
  canFail: boolean;
  /** Shortest and longest match (`Infinity` when unbounded). */
  minLen: number;
  maxLen: number;
  /**
   * Characters that can extend a complete match into a longer one (`c` such that `w` matches and `wc…`
   * does too). Where an iteration or a sequence item ends is decided by the text only when this set and
   * the first characters of what comes next are disjoint.
   */
  cont: CharSet;
  /** Upper bound on the number of ways the node can match one and the same text (`Infinity`: unbounded). */
  ways: number;
  /** How far past its start the node may read, lookarounds included (at least `maxLen`). */
  scan: number;
}

type Repeat = Extract<RegexNode, { kind: "repeat" }>;

class Unsafe extends Error {}

function analyse(source: string): string | undefined {
  const { root, text } = parseRegex(source);
  const memo = new Map<RegexNode, NodeFacts>();
  const factsOf = (node: RegexNode): NodeFacts => {
    let f = memo.get(node);
    if (!f) {
      f = computeFacts(node, factsOf);
      memo.set(node, f);
    }
    return f;
  };
  const fail = (why: string): never => {
    throw new Unsafe(why);
  };

  const walk = (node: RegexNode, loops: readonly Repeat[], contextCanFail: boolean): void => {
    switch (node.kind) {
      case "chars":
      case "assert":
        return;
      case "backref":
        return fail(
          `uses the backreference ${text(node)}, which can make matching take exponential time; match the text explicitly instead`,
        );
      case "look": {
        // Lookarounds are atomic in JavaScript: nothing after them backtracks into their body. But one that
        // scans an unbounded stretch inside a loop rescans it on every iteration.
        // Even a bounded peek multiplies the cost of an unbounded loop by its length.
        const scan = factsOf(node.body).scan;
        const loop = loops.find((l) => scan === Infinity || (l.max === Infinity && scan > MAX_RETRY_WORK));
        if (loop) {
          fail(
            `can backtrack catastrophically: the lookaround "${text(node)}" rescans up to ${scan} characters on every iteration of "${text(loop)}"`,
          );
        }
        return walk(node.body, [], false);
      }
      case "alt": {
        const loop = loops[loops.length - 1];
        if (loop) {
          const firsts = node.branches.map((b) => factsOf(b).first);
          firsts.forEach((a, i) => {
            const j = firsts.findIndex((b, k) => k > i && overlaps(a, b));
            if (j >= 0) {
              fail(
                `can backtrack catastrophically: the alternatives "${text(node.branches[i] as RegexNode)}" and ` +
                  `"${text(node.branches[j] as RegexNode)}" can match the same text and are repeated by "${text(loop)}"`,
              );
            }
          });
        }
        for (const branch of node.branches) walk(branch, loops, contextCanFail);
        return;
      }
      case "repeat": {
        if (node.max === 0) return;
        const looping = node.max > 1;
        walk(node.body, looping ? [...loops, node] : loops, looping || contextCanFail);
        if (looping && factsOf(node).ways > MAX_MATCH_WAYS) {
          const inner = findVariableRepeat(node.body);
          fail(
            inner
              ? `can backtrack catastrophically: "${text(inner)}" is repeated inside "${text(node)}" and the text ` +
                  `after it could also continue it (nested quantifiers); make the repetitions unambiguous, e.g. with a separator`
              : `can backtrack catastrophically: the iterations of "${text(node)}" can split the same text in ` +
                  `more than ${MAX_MATCH_WAYS} ways (nested quantifiers); make them unambiguous, e.g. with a separator`,
          );
        }
        return;
      }
      case "seq": {
        const { items } = node;
        const tailCanFail: boolean[] = new Array<boolean>(items.length);
        let failsLater = contextCanFail;
        for (let i = items.length - 1; i >= 0; i--) {
          tailCanFail[i] = failsLater;
          failsLater ||= factsOf(items[i] as RegexNode).canFail;
        }
        items.forEach((item, i) => walk(item, loops, tailCanFail[i] as boolean));
        checkNeighbours(items, tailCanFail);
        checkPrefixWays(items, tailCanFail);
        return;
      }
    }
  };

  /**
   * Something that can end at any of O(n) positions (an unbounded repeat) makes the engine retry what
   * follows at each of them. That is the accepted quadratic case as long as each retry costs a step or two;
   * a second unbounded item that can match the same text makes it cubic, and bounded items that can re-match
   * the absorbed text multiply the quadratic cost (`\w+a{20}x` costs 20 times `\w+x`).
   */
  const checkNeighbours = (items: readonly RegexNode[], tailCanFail: readonly boolean[]): void => {
    items.forEach((first, i) => {
      const head = factsOf(first);
      if (head.maxLen !== Infinity || !tailCanFail[i]) return;
      const absorbing = head.chars;
      let work = 0;
      let paths = 1;
      const literal: CharSet[] = []; // the single characters right after the head, while there are only such
      for (let j = i + 1; j < items.length; j++) {
        if (!tailCanFail[j - 1]) return; // nothing from here on can fail: the first retry that gets here wins
        const item = items[j] as RegexNode;
        const facts = factsOf(item);
        const overlapping = overlaps(facts.first, absorbing);
        if (facts.maxLen === Infinity && overlapping) {
          if (!tailCanFail[j] && !facts.canFail) return;
          fail(
            `can backtrack catastrophically: "${text(first)}" and "${text(item)}" can match the same text and ` +
              `something after them can fail; drop one of them (a leading ".*" is never needed) or make them disjoint`,
          );
        }
        // The first item that cannot match inside the absorbed text is still tried at every retry.
        const stops = !canMatchWithin(item, absorbing);
        if (item.kind === "chars" && literal.length === j - i - 1) {
          // A literal is retried at every position, but it can only get k characters far at positions at
          // least its k-prefix's shortest possible period apart: "confidential" costs 1 + 1/2 + … + 1/12.
          literal.push(item.set);
          work += 1 / shortestPeriod(literal);
        } else {
          const peeks = facts.scan > facts.maxLen;
          work += paths * (overlapping || peeks ? Math.max(1, facts.scan) * facts.ways : 1);
          if (overlapping) paths *= facts.ways * (facts.maxLen - facts.minLen + 1);
        }
        if (work > MAX_RETRY_WORK) {
          fail(
            `can backtrack catastrophically: "${text(first)}" and "${text(item)}" can match the same text, so ` +
              `"${text(item)}" is retried at every position "${text(first)}" gives back; make them disjoint`,
          );
        }
        if (stops) return;
      }
    });
  };

  /** Bounded ambiguity multiplies too: `a{0,16}a{0,16}a{0,16}x` splits 48 a's in 17² ways before it fails. */
  const checkPrefixWays = (items: readonly RegexNode[], tailCanFail: readonly boolean[]): void => {
    // A lookaround that scans unbounded text does so again from every place the text before it can end.
    const scans = items.map((item) => {
      const facts = factsOf(item);
      return facts.scan === Infinity && facts.maxLen !== Infinity;
    });
    const parts = items.map((item, i) => {
      const facts = factsOf(item);
      return scans[i] ? { ...facts, first: ANY_SET, nullable: false, maxLen: Infinity } : facts;
    });
    const ambiguous = boundaryAmbiguity(parts);
    if (!ambiguous.some(Boolean) && parts.every((p) => p.ways === 1)) return;
    let unbounded = false;
    for (let j = 0; j < parts.length; j++) {
      // An item that can itself fail (after an O(n) scan) sends the engine back into every way before it.
      if (!tailCanFail[j] && !(parts[j] as NodeFacts).canFail) continue;
      // Once the prefix can be unboundedly long, each extra way repeats an O(n) scan: only the quadratic
      // budget's own single way is affordable.
      unbounded ||= (parts[j] as NodeFacts).maxLen === Infinity;
      const limit = unbounded ? 1 : MAX_MATCH_WAYS;
      if (sequenceWays(parts.slice(0, j + 1), ambiguous) > limit) {
        const spans = items.slice(0, j + 1).filter((_, i) => i === j || ambiguous[i]);
        fail(
          `can backtrack catastrophically: "${text(spans[0] as RegexNode)}" … "${text(items[j] as RegexNode)}" ` +
            `can match the same text in more than ${limit} way${limit === 1 ? "" : "s"} and something after them can fail; make them disjoint`,
        );
      }
    }
  };

  try {
    walk(root, [], false);
    return undefined;
  } catch (err) {
    if (err instanceof Unsafe) return err.message;
    throw err;
  }
}

/**
 * The smallest shift d ≥ 1 at which the sequence of character sets could match overlapping itself (every
 * pair k positions apart shares a character); its length when no shift fits.
 */
function shortestPeriod(slots: readonly CharSet[]): number {
  for (let d = 1; d < slots.length; d++) {
    let fits = true;
    for (let k = 0; k + d < slots.length && fits; k++)
      fits = overlaps(slots[k] as CharSet, slots[k + d] as CharSet);
    if (fits) return d;
  }
  return slots.length;
}

/** The first repeat of variable length inside a node, for messages. */
function findVariableRepeat(node: RegexNode): RegexNode | undefined {
  switch (node.kind) {
    case "repeat":
      return node.min < node.max ? node : findVariableRepeat(node.body);
    case "look":
      return findVariableRepeat(node.body);
    case "seq":
      return node.items.map(findVariableRepeat).find(Boolean);
    case "alt":
      return node.branches.map(findVariableRepeat).find(Boolean);
    default:
      return undefined;
  }
}

/**
 * For each item of a sequence, whether its match can end at more than one place for the same text: its
 * continuation set overlaps what the rest of the sequence can start with.
 */
function boundaryAmbiguity(parts: readonly NodeFacts[]): boolean[] {
  const out = new Array<boolean>(parts.length).fill(false);
  let restFirst: CharSet = EMPTY_SET;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i] as NodeFacts;
    out[i] = overlaps(p.cont, restFirst);
    restFirst = p.nullable ? union(p.first, restFirst) : p.first;
  }
  return out;
}

/**
 * Upper bound on the ways a sequence matches one text: the product of its items' ways times, for each
 * ambiguous boundary, how many places it can fall — at most the length range of the item before it or of
 * everything after it, whichever is smaller.
 */
function sequenceWays(parts: readonly NodeFacts[], ambiguous: readonly boolean[]): number {
  let ways = 1;
  let restSpan = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i] as NodeFacts;
    ways *= p.ways;
    if (ambiguous[i] && i < parts.length - 1) ways *= Math.min(p.maxLen - p.minLen, restSpan) + 1;
    restSpan += p.maxLen - p.minLen;
  }
  return ways;
}

const LEAF: Omit<NodeFacts, "first" | "chars" | "canFail" | "nullable" | "scan"> = {
  minLen: 1,
  maxLen: 1,
  cont: EMPTY_SET,
  ways: 1,
};

function computeFacts(node: RegexNode, factsOf: (n: RegexNode) => NodeFacts): NodeFacts {
  switch (node.kind) {
    case "chars":
      return { ...LEAF, nullable: false, first: node.set, chars: node.set, canFail: true, scan: 1 };
    case "assert":
    case "look":
      return {
        ...LEAF,
        minLen: 0,
        maxLen: 0,
        nullable: true,
        first: EMPTY_SET,
        chars: EMPTY_SET,
        canFail: true,
        scan: node.kind === "look" ? factsOf(node.body).scan : 0,
      };
    case "backref":
      return {
        nullable: true,
        first: ANY_SET,
        chars: ANY_SET,
        canFail: true,
        minLen: 0,
        maxLen: Infinity,
        cont: ANY_SET,
        ways: 1,
        scan: Infinity,
      };
    case "seq": {
      const parts = node.items.map(factsOf);
      const firsts: CharSet[] = [];
      for (const p of parts) {
        firsts.push(p.first);
        if (!p.nullable) break;
      }
      const ambiguous = boundaryAmbiguity(parts);
      const chars = union(...parts.map((p) => p.chars));
      let cont: CharSet = EMPTY_SET;
      if (ambiguous.some(Boolean)) cont = chars;
      else {
        // A longer match either extends the last item or one whose followers all matched empty.
        for (let i = parts.length - 1; i >= 0; i--) {
          const p = parts[i] as NodeFacts;
          cont = union(cont, p.cont);
          if (!p.nullable) break;
        }
      }
      const minLen = parts.reduce((sum, p) => sum + p.minLen, 0);
      const maxLen = parts.reduce((sum, p) => sum + p.maxLen, 0);
      return {
        nullable: parts.every((p) => p.nullable),
        first: union(...firsts),
        chars,
        canFail: parts.some((p) => p.canFail),
        minLen,
        maxLen,
        cont: minLen === maxLen ? EMPTY_SET : cont,
        ways: sequenceWays(parts, ambiguous),
        scan: parts.reduce((sum, p) => sum + Math.max(p.maxLen, p.scan), 0),
      };
    }
    case "alt": {
      const parts = node.branches.map(factsOf);
      const first = union(...parts.map((p) => p.first));
      const chars = union(...parts.map((p) => p.chars));
      const disjoint =
        parts.filter((p) => p.nullable).length <= 1 &&
        parts.every((p, i) => parts.every((q, j) => j <= i || !overlaps(p.first, q.first)));
      const minLen = Math.min(...parts.map((p) => p.minLen));
      const maxLen = Math.max(...parts.map((p) => p.maxLen));
      let cont = union(...parts.map((p) => p.cont));
      if (!disjoint) cont = chars;
      else if (parts.some((p) => p.nullable)) cont = union(cont, first);
      return {
        nullable: parts.some((p) => p.nullable),
        first,
        chars,
        canFail: parts.every((p) => p.canFail),
        minLen,
        maxLen,
        cont: minLen === maxLen ? EMPTY_SET : cont,
        ways: disjoint ? Math.max(...parts.map((p) => p.ways)) : parts.reduce((sum, p) => sum + p.ways, 0),
        scan: Math.max(...parts.map((p) => p.scan)),
      };
    }
    case "repeat": {
      if (node.max === 0) {
        return {
          nullable: true,
          first: EMPTY_SET,
          chars: EMPTY_SET,
          canFail: false,
          minLen: 0,
          maxLen: 0,
          cont: EMPTY_SET,
          ways: 1,
          scan: 0,
        };
      }
      const body = factsOf(node.body);
      const minLen = node.min * body.minLen;
      const maxLen = body.maxLen === 0 ? 0 : node.max * body.maxLen;
      const base = {
        nullable: node.min === 0 || body.nullable,
        first: body.first,
        chars: body.chars,
        canFail: node.min > 0 && body.canFail,
        minLen,
        maxLen,
        scan: body.maxLen === 0 ? body.scan : node.max * Math.max(body.maxLen, body.scan),
      };
      const optional = node.min === 0 ? 1 : 0;
      if (node.max === 1) {
        return {
          ...base,
          cont: node.min === 0 ? union(body.cont, body.first) : body.cont,
          ways: body.ways + (optional && body.nullable ? 1 : 0),
        };
      }
      const splits = body.nullable || overlaps(body.cont, body.first);
      if (!splits && body.ways === 1) {
        // Each iteration ends where the text says, so the iterations split any text in one way only.
        return { ...base, cont: node.max > node.min ? union(body.cont, body.first) : body.cont, ways: 1 };
      }
      return { ...base, cont: body.chars, ways: repeatWays(node.min, node.max, body, splits) };
    }
  }
}

/**
 * Upper bound on the ways `body{min,max}` matches one text when its iterations are ambiguous: the sum over
 * the iteration counts k of ways(body)^k times the places each of the k − 1 boundaries can fall.
 */
function repeatWays(min: number, max: number, body: NodeFacts, splits: boolean): number {
  if (max === Infinity) return Infinity;
  const span = body.maxLen - body.minLen;
  let total = min === 0 ? 1 : 0;
  for (let k = Math.max(min, 1); k <= max; k++) {
    let ways = body.ways ** k;
    if (splits) {
      for (let i = 1; i < k && ways <= MAX_MATCH_WAYS; i++) ways *= Math.min(i * span, (k - i) * span) + 1;
    }
    total += ways;
    if (total > MAX_MATCH_WAYS || Number.isNaN(total)) return Infinity;
  }
  return total;
}

/**
 * Whether a node can match some text made only of characters in `set` — the text that the unbounded repeat
 * before it could have consumed instead. Zero-width items always can, since they consume nothing.
 */
function canMatchWithin(node: RegexNode, set: CharSet): boolean {
  switch (node.kind) {
    case "chars":
      return overlaps(node.set, set);
    case "assert":
    case "look":
    case "backref":
      return true;
    case "seq":
      return node.items.every((item) => canMatchWithin(item, set));
    case "alt":
      return node.branches.some((branch) => canMatchWithin(branch, set));
    case "repeat":
      return node.min === 0 || canMatchWithin(node.body, set);
  }
}
