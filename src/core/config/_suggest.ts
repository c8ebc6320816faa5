/**
 * "Did you mean" for unknown keys: a typo such as `plcement` must be an error (it would otherwise silently
 * fall back to a default or switch a rule off), and naming the intended key makes it a one-second fix.
 */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions, the commonest typo). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const prev = d[i - 1]!;
      let best = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      row[j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word`, when it is close enough to be the intended one. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  // One- and two-letter words only match ignoring case (any other "fix" would be a different word), short
  // words tolerate one slip, longer ones two. Beyond that a suggestion confuses more than it helps.
  const allowed = lower.length <= 2 ? 0 : lower.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= allowed ? best : undefined;
}

/** `unknown key "plcement" (did you mean "placement"?)`, or the keys that are allowed when none is close. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const hint = suggest(key, allowed);
  if (hint !== undefined) return `unknown key ${JSON.stringify(key)} (did you mean ${JSON.stringify(hint)}?)`;
  return allowed.length > 0
    ? `unknown key ${JSON.stringify(key)} (expected one of ${allowed.join(", ")})`
    : `unknown key ${JSON.stringify(key)}`;
}
