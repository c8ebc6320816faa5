/**
 * A small parser for JavaScript regular expressions, enough for the safety analysis in safe-regex.ts: it
 * runs only on patterns that already compiled, so it never reports syntax errors — where the syntax is
 * ambiguous (Annex B in non-unicode mode) it picks the reading that yields the larger character set.
 */
import {
  ANY_SET,
  caseClosure,
  charSet,
  complement,
  single,
  union,
  type CharSet,
  type CodePointRange,
} from "./_char-set.js";

export type RegexNode =
  | { kind: "chars"; set: CharSet; start: number; end: number }
  /** Zero-width: `^`, `$`, `\b`, `\B`. */
  | { kind: "assert"; start: number; end: number }
  | { kind: "backref"; start: number; end: number }
  | { kind: "seq"; items: RegexNode[]; start: number; end: number }
  | { kind: "alt"; branches: RegexNode[]; start: number; end: number }
  | { kind: "look"; body: RegexNode; start: number; end: number }
  | { kind: "repeat"; body: RegexNode; min: number; max: number; start: number; end: number };

const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = charSet([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
// ECMAScript WhiteSpace + LineTerminator (§22.2.2.9 CharacterClassEscape \s).
const SPACE: CharSet = charSet([
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
]);
const LINE_TERMINATORS: CharSet = charSet([
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
]);
const DOT: CharSet = complement(LINE_TERMINATORS);

const CONTROL_ESCAPES: Readonly<Record<string, number>> = { t: 9, n: 10, v: 11, f: 12, r: 13 };

/** The pattern as code points, with the position where each one starts in the source (for messages). */
class Cursor {
  readonly cps: number[];
  pos = 0;
  constructor(source: string) {
    this.cps = Array.from(source, (ch) => ch.codePointAt(0) ?? 0);
  }
  peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }
  next(): string {
    const ch = this.peek();
    if (ch === undefined) throw new Error("unexpected end of pattern");
    this.pos++;
    return ch;
  }
  eat(ch: string): boolean {
    if (this.peek() !== ch) return false;
    this.pos++;
    return true;
  }
  rest(): string {
    return String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 64));
  }
  slice(start: number, end: number): string {
    return String.fromCodePoint(...this.cps.slice(start, end));
  }
}

/** Parses a pattern that `new RegExp(source, flags)` accepted; positions are code point indexes. */
export function parseRegex(source: string): { root: RegexNode; text: (node: RegexNode) => string } {
  const cur = new Cursor(source);
  const root = parseAlternation(cur);
  return { root, text: (node) => cur.slice(node.start, node.end) };
}

function parseAlternation(cur: Cursor): RegexNode {
  const start = cur.pos;
  const branches = [parseSequence(cur)];
  while (cur.eat("|")) branches.push(parseSequence(cur));
  return branches.length === 1 ? (branches[0] as RegexNode) : { kind: "alt", branches, start, end: cur.pos };
}

function parseSequence(cur: Cursor): RegexNode {
  const start = cur.pos;
  const items: RegexNode[] = [];
  for (let ch = cur.peek(); ch !== undefined && ch !== "|" && ch !== ")"; ch = cur.peek()) {
    const atom = parseQuantifier(cur, parseAtom(cur));
    // A plain group without a quantifier is transparent: `a(b+)c` analyses like `ab+c`.
    if (atom.kind === "seq") items.push(...atom.items);
    else items.push(atom);
  }
  return { kind: "seq", items, start, end: cur.pos };
}

const BRACE_QUANTIFIER = /^\{(\d+)(,(\d*))?\}/;

function parseQuantifier(cur: Cursor, atom: RegexNode): RegexNode {
  let node = atom;
  for (;;) {
    const ch = cur.peek();
    let min: number;
    let max: number;
    if (ch === "*" || ch === "+" || ch === "?") {
      cur.next();
      min = ch === "+" ? 1 : 0;
      max = ch === "?" ? 1 : Infinity;
    } else if (ch === "{") {
      const m = BRACE_QUANTIFIER.exec(cur.rest());
      if (!m) return node; // Annex B: a lone `{` is a literal, handled by parseAtom on the next turn
      cur.pos += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
    } else {
      return node;
    }
    cur.eat("?"); // lazy quantifiers backtrack just as much when the match fails
    node = { kind: "repeat", body: node, min, max, start: atom.start, end: cur.pos };
  }
}

function parseAtom(cur: Cursor): RegexNode {
  const start = cur.pos;
  const ch = cur.next();
  const chars = (set: CharSet): RegexNode => ({ kind: "chars", set: caseClosure(set), start, end: cur.pos });
  switch (ch) {
    case "(":
      return parseGroup(cur, start);
    case "[":
      return chars(parseClass(cur));
    case ".":
      return chars(DOT);
    case "^":
    case "$":
      return { kind: "assert", start, end: cur.pos };
    case "\\": {
      const e = cur.peek();
      if (e === "b" || e === "B") {
        cur.next();
        return { kind: "assert", start, end: cur.pos };
      }
      if (e !== undefined && /[1-9]/.test(e)) {
        while (cur.peek() !== undefined && /\d/.test(cur.peek() as string)) cur.next();
        return { kind: "backref", start, end: cur.pos };
      }
      if (e === "k" && cur.peek(1) === "<") {
        while (cur.peek() !== undefined && cur.next() !== ">");
        return { kind: "backref", start, end: cur.pos };
      }
      return chars(parseEscape(cur));
    }
    default:
      return chars(single(ch.codePointAt(0) ?? 0));
  }
}

function parseGroup(cur: Cursor, start: number): RegexNode {
  let look = false;
  if (cur.eat("?")) {
    if (cur.eat("=") || cur.eat("!")) look = true;
    else if (cur.peek() === "<" && (cur.peek(1) === "=" || cur.peek(1) === "!")) {
      cur.pos += 2;
      look = true;
    } else if (cur.eat("<")) {
      while (cur.next() !== ">");
    } else {
      // `(?:` and inline modifiers `(?i:` / `(?-i:` (newer engines): a plain group either way.
      while (cur.next() !== ":");
    }
  }
  const body = parseAlternation(cur);
  cur.eat(")");
  if (look) return { kind: "look", body, start, end: cur.pos };
  if (body.kind === "seq") return { ...body, start, end: cur.pos };
  return { kind: "seq", items: [body], start, end: cur.pos };
}

function parseClass(cur: Cursor): CharSet {
  const negated = cur.eat("^");
  const parts: CharSet[] = [];
  while (cur.peek() !== undefined && cur.peek() !== "]") {
    const low = parseClassAtom(cur);
    if (cur.peek() === "-" && cur.peek(1) !== "]" && cur.peek(1) !== undefined) {
      const save = cur.pos;
      cur.next();
      const high = parseClassAtom(cur);
      const lo = singleCodePoint(low);
      const hi = singleCodePoint(high);
      if (lo !== undefined && hi !== undefined) {
        parts.push([[lo, hi]]);
        continue;
      }
      // Annex B: `[\w-z]` is `\w`, `-` and `z`.
      cur.pos = save;
    }
    parts.push(low);
  }
  cur.eat("]");
  const set = caseClosure(union(...parts));
  // A negated class is folded before and after complementing, which can only grow it (safe direction).
  return negated ? caseClosure(complement(set)) : set;
}

function singleCodePoint(set: CharSet): number | undefined {
  const only = set.length === 1 ? (set[0] as CodePointRange) : undefined;
  return only && only[0] === only[1] ? only[0] : undefined;
}

function parseClassAtom(cur: Cursor): CharSet {
  const ch = cur.next();
  if (ch !== "\\") return single(ch.codePointAt(0) ?? 0);
  if (cur.peek() === "b") {
    cur.next();
    return single(0x08); // inside a class, \b is backspace
  }
  if (cur.peek() === "-") {
    cur.next();
    return single(0x2d);
  }
  return parseEscape(cur);
}

/** Parses the escape after a backslash (the backslash is already consumed). */
function parseEscape(cur: Cursor): CharSet {
  const e = cur.next();
  switch (e) {
    case "d":
      return DIGIT;
    case "D":
      return complement(DIGIT);
    case "w":
      return WORD;
    case "W":
      return complement(WORD);
    case "s":
      return SPACE;
    case "S":
      return complement(SPACE);
    case "p":
    case "P":
      // Unicode property classes are not modelled: treat them as "anything", which can only over-reject.
      if (cur.peek() === "{") while (cur.next() !== "}");
      return ANY_SET;
    case "c": {
      const letter = cur.peek();
      if (letter !== undefined && /[A-Za-z]/.test(letter)) {
        cur.next();
        return single((letter.codePointAt(0) ?? 0) % 32);
      }
      return single(0x5c);
    }
    case "x": {
      const hex = /^[0-9A-Fa-f]{2}/.exec(cur.rest());
      if (!hex) return single(0x78);
      cur.pos += 2;
      return single(parseInt(hex[0], 16));
    }
    case "u": {
      const braced = /^\{([0-9A-Fa-f]+)\}/.exec(cur.rest());
      if (braced) {
        cur.pos += braced[0].length;
        return single(Math.min(parseInt(braced[1] as string, 16), 0x10ffff));
      }
      const hex = /^[0-9A-Fa-f]{4}/.exec(cur.rest());
      if (!hex) return single(0x75);
      cur.pos += 4;
      return single(parseInt(hex[0], 16));
    }
    case "0": {
      // `\0` is NUL; Annex B reads `\0nn` as an octal escape — cover every value it could denote.
      let octal = "";
      while (octal.length < 2 && /[0-7]/.test(cur.peek() ?? "")) octal += cur.next();
      return octal === "" ? single(0) : [[0, 0o377]];
    }
    default: {
      const control = CONTROL_ESCAPES[e];
      return single(control ?? e.codePointAt(0) ?? 0);
    }
  }
}
