/**
 * Sets of Unicode code points as sorted, disjoint, inclusive ranges — the alphabet of the regex safety
 * analysis (safe-regex.ts). The analysis only asks "can these overlap?" and "is this inside that?", so sets
 * are over-approximated where exactness would be expensive (case folding outside ASCII, `\p{…}`).
 */

/** An inclusive code point range. */
export type CodePointRange = readonly [number, number];

/** Sorted, disjoint, non-adjacent ranges; build one with {@link charSet}. */
export type CharSet = readonly CodePointRange[];

/** The largest Unicode code point. */
export const MAX_CODE_POINT = 0x10ffff;

/** Matches nothing (the first characters of an empty match). */
export const EMPTY_SET: CharSet = [];
/** Every code point: what a construct the analysis does not model may match. */
export const ANY_SET: CharSet = [[0, MAX_CODE_POINT]];

/** Normalises ranges into a {@link CharSet}. */
export function charSet(ranges: Iterable<CodePointRange>): CharSet {
  const sorted = [...ranges].filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

/** The set of one code point. */
export function single(codePoint: number): CharSet {
  return [[codePoint, codePoint]];
}

/** Every code point in any of the sets. */
export function union(...sets: CharSet[]): CharSet {
  return charSet(sets.flat());
}

/** Every code point not in the set. */
export function complement(set: CharSet): CharSet {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/** Whether the sets share a code point. */
export function overlaps(a: CharSet, b: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as CodePointRange;
    const y = b[j] as CodePointRange;
    if (x[1] < y[0]) i++;
    else if (y[1] < x[0]) j++;
    else return true;
  }
  return false;
}

const UPPER_A = 0x41;
const UPPER_Z = 0x5a;
const CASE_OFFSET = 0x20;
/** Ranges this long are not folded char by char; only their ASCII letters are (documented approximation). */
const MAX_FOLD_RANGE = 512;
/** Unicode folds that map non-ASCII characters onto ASCII letters under the `iu` flags (KELVIN SIGN, LONG S). */
const EXTRA_FOLDS: ReadonlyMap<number, number[]> = new Map([
  [0x6b, [0x212a]],
  [0x4b, [0x212a]],
  [0x73, [0x17f]],
  [0x53, [0x17f]],
]);

/** Closes a set under simple case mapping, because every mailstamp regex runs case-insensitively. */
export function caseClosure(set: CharSet): CharSet {
  const extra: CodePointRange[] = [];
  for (const [lo, hi] of set) {
    // ASCII letters fold as whole ranges, so [a-z] gains [A-Z] without walking every code point.
    const upLo = Math.max(lo, UPPER_A);
    const upHi = Math.min(hi, UPPER_Z);
    if (upLo <= upHi) extra.push([upLo + CASE_OFFSET, upHi + CASE_OFFSET]);
    const lowLo = Math.max(lo, UPPER_A + CASE_OFFSET);
    const lowHi = Math.min(hi, UPPER_Z + CASE_OFFSET);
    if (lowLo <= lowHi) extra.push([lowLo - CASE_OFFSET, lowHi - CASE_OFFSET]);
    if (hi - lo > MAX_FOLD_RANGE) continue;
    for (let cp = lo; cp <= hi; cp++) {
      for (const folded of EXTRA_FOLDS.get(cp) ?? []) extra.push([folded, folded]);
      if (cp < 0x80) continue;
      const ch = String.fromCodePoint(cp);
      for (const variant of [ch.toLowerCase(), ch.toUpperCase()]) {
        const code = variant.codePointAt(0);
        if (code !== undefined && variant.length === String.fromCodePoint(code).length)
          extra.push([code, code]);
      }
    }
  }
  return extra.length === 0 ? set : union(set, extra);
}
