/**
 * Regular expressions from the config (`matches:`) are written by admins but run on text that anyone on the
 * internet can send, so a pattern with catastrophic backtracking (ReDoS) would let one crafted message stall
 * the mail flow. Two defences, both needed:
 *
 * 1. **Inputs are bounded.** {@link testRegex} only looks at the first {@link MAX_REGEX_INPUT} characters.
 *    That caps the linear and quadratic cases (an unanchored `a+\s` scans from every start position: about
 *    two seconds on 64 KiB of "aaa…" on Node 20, about a tenth of a second on the 16 KiB we allow) but cannot
 *    save an exponential or cubic pattern — hence:
 * 2. **Patterns are checked** by {@link checkRegex} when the config is parsed. It parses the pattern itself
 *    (groups, classes, escapes, `*` `+` `?` `{n,m}`, lazy quantifiers, lookarounds) and rejects the classic
 *    ReDoS families, approximating conservatively (character sets are over-approximated, so a doubtful
 *    pattern is rejected, never waved through):
 *    - **Backreferences** (`\1`, `\k<name>`): matching with them is NP-hard in general.
 *    - **Nested quantifiers** (star height > 1): a variable-length repeat inside a repeated group, where the
 *      text right after the inner repeat could also continue it — `(a+)+`, `(a*)*`, `(?:\w+\s?)+`,
 *      `(.*a){20}`, `(a{1,3})+`. One of the two must be unbounded or larger than {@link LARGE_REPEAT}.
 *      `(?:\w+\s)+` or `(\d{1,3}\.){3}` pass: the separator decides where each iteration ends.
 *    - **Quantified overlapping alternations**: alternatives that can start with the same character inside
 *      a large repeat — `(a|a)*`, `(a|ab)*`, `(\w|\d)+`. (First-character overlap is a sound over-approximation
 *      of "can match the same text": `(ab|ac)*` is rejected too.)
 *    - **Overlapping unbounded neighbours followed by something that can fail**: two unbounded repeats in one
 *      sequence whose character sets overlap, separated only by items that can match text the first could
 *      also have consumed — `\d+\d+$`, `.*.*=`, `.*a.*b`. Each such pair multiplies the work by the input length (cubic and worse).
 *      `.*confidential.*` passes (nothing after it can fail); `.*confidential.*$` does not.
 *    Everyday patterns pass: `^VP`, `^(Re|Fwd):`, `\d{3}-\d{4}`, `[A-Z]{2,4}-\d+`, `invoice|receipt`,
 *    `^[^@]+@example\.com$`, `\bconfidential\b`.
 * Patterns longer than {@link MAX_REGEX_SOURCE} characters are refused outright.
 */
import { MailstampError } from "../errors.js";
import { ANY_SET, EMPTY_SET, overlaps, union, type CharSet } from "./_char-set.js";
import { parseRegex, type RegexNode } from "./_regex-parse.js";

/**
 * How many characters of a value a regex is run on (16 Ki characters); the rest is ignored. Quadratic
 * patterns cost O(n²) on hostile text, so this bound, not the pattern check, keeps them to ~0.1 s per test.
 */
export const MAX_REGEX_INPUT = 16 * 1024;

/** The longest pattern {@link checkRegex} accepts. */
export const MAX_REGEX_SOURCE = 4096;

/** Bounded repeats with a larger maximum are treated like unbounded ones (`{1,100}` is as bad as `+`). */
export const LARGE_REPEAT = 16;

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
  const isLarge = (r: Repeat): boolean => r.max > LARGE_REPEAT;
  const fail = (why: string): never => {
    throw new Unsafe(why);
  };

  const walk = (
    node: RegexNode,
    follow: CharSet,
    loops: readonly Repeat[],
    contextCanFail: boolean,
  ): void => {
    switch (node.kind) {
      case "chars":
      case "assert":
        return;
      case "backref":
        return fail(
          `uses the backreference ${text(node)}, which can make matching take exponential time; match the text explicitly instead`,
        );
      case "look":
        // Lookarounds are atomic in JavaScript: nothing after them backtracks into their body.
        return walk(node.body, EMPTY_SET, [], false);
      case "alt": {
        if (loops.some(isLarge)) {
          const firsts = node.branches.map((b) => factsOf(b).first);
          firsts.forEach((a, i) => {
            const j = firsts.findIndex((b, k) => k > i && overlaps(a, b));
            if (j >= 0) {
              const loop = loops.find(isLarge) as Repeat;
              fail(
                `can backtrack catastrophically: the alternatives "${text(node.branches[i] as RegexNode)}" and ` +
                  `"${text(node.branches[j] as RegexNode)}" can match the same text and are repeated by "${text(loop)}"`,
              );
            }
          });
        }
        for (const branch of node.branches) walk(branch, follow, loops, contextCanFail);
        return;
      }
      case "repeat": {
        if (node.max === 0) return;
        const body = factsOf(node.body);
        const ambiguous = node.min < node.max && overlaps(body.first, follow);
        if (ambiguous) {
          const outer = loops.find((loop) => isLarge(loop) || isLarge(node));
          if (outer) {
            fail(
              `can backtrack catastrophically: "${text(node)}" is repeated inside "${text(outer)}" and the text ` +
                `after it could also continue it (nested quantifiers); make the repetitions unambiguous, e.g. with a separator`,
            );
          }
        }
        const loops2 = node.max > 1 ? [...loops, node] : loops;
        const bodyFollow = node.max > 1 ? union(body.first, follow) : follow;
        return walk(node.body, bodyFollow, loops2, node.max > 1 || contextCanFail);
      }
      case "seq": {
        const { items } = node;
        const followOf: CharSet[] = new Array<CharSet>(items.length);
        const tailCanFail: boolean[] = new Array<boolean>(items.length);
        let f = follow;
        let failsLater = contextCanFail;
        for (let i = items.length - 1; i >= 0; i--) {
          const item = factsOf(items[i] as RegexNode);
          followOf[i] = f;
          tailCanFail[i] = failsLater;
          f = item.nullable ? union(item.first, f) : item.first;
          failsLater ||= item.canFail;
        }
        checkNeighbours(items, tailCanFail);
        items.forEach((item, i) => walk(item, followOf[i] as CharSet, loops, tailCanFail[i] as boolean));
        return;
      }
    }
  };

  const checkNeighbours = (items: readonly RegexNode[], tailCanFail: readonly boolean[]): void => {
    items.forEach((first, i) => {
      if (first.kind !== "repeat" || !isLarge(first)) return;
      const absorbing = factsOf(first.body).chars;
      for (let j = i + 1; j < items.length; j++) {
        const item = items[j] as RegexNode;
        const starts = factsOf(item).first;
        if (item.kind === "repeat" && isLarge(item) && overlaps(starts, absorbing)) {
          if (!tailCanFail[j]) return;
          fail(
            `can backtrack catastrophically: "${text(first)}" and "${text(item)}" can match the same text and ` +
              `something after them can fail; drop one of them (a leading ".*" is never needed) or make them disjoint`,
          );
        }
        if (!canMatchWithin(item, absorbing)) return;
      }
    });
  };

  try {
    walk(root, EMPTY_SET, [], false);
    return undefined;
  } catch (err) {
    if (err instanceof Unsafe) return err.message;
    throw err;
  }
}

function computeFacts(node: RegexNode, factsOf: (n: RegexNode) => NodeFacts): NodeFacts {
  switch (node.kind) {
    case "chars":
      return { nullable: false, first: node.set, chars: node.set, canFail: true };
    case "assert":
    case "look":
      return { nullable: true, first: EMPTY_SET, chars: EMPTY_SET, canFail: true };
    case "backref":
      return { nullable: true, first: ANY_SET, chars: ANY_SET, canFail: true };
    case "seq": {
      const parts = node.items.map(factsOf);
      const firsts: CharSet[] = [];
      for (const p of parts) {
        firsts.push(p.first);
        if (!p.nullable) break;
      }
      return {
        nullable: parts.every((p) => p.nullable),
        first: union(...firsts),
        chars: union(...parts.map((p) => p.chars)),
        canFail: parts.some((p) => p.canFail),
      };
    }
    case "alt": {
      const parts = node.branches.map(factsOf);
      return {
        nullable: parts.some((p) => p.nullable),
        first: union(...parts.map((p) => p.first)),
        chars: union(...parts.map((p) => p.chars)),
        canFail: parts.every((p) => p.canFail),
      };
    }
    case "repeat": {
      if (node.max === 0) return { nullable: true, first: EMPTY_SET, chars: EMPTY_SET, canFail: false };
      const body = factsOf(node.body);
      return {
        nullable: node.min === 0 || body.nullable,
        first: body.first,
        chars: body.chars,
        canFail: node.min > 0 && body.canFail,
      };
    }
  }
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
