/** Recording what the rule engine looked at, bounded so a trace stays small enough to log and print. */
import type { ConditionTrace } from "../types.js";

/** Strings in `seen` are cut to this many characters (a subject or body can be megabytes). */
export const MAX_SEEN_CHARS = 200;
/** Lists in `seen` keep this many items (a message can have hundreds of recipients). */
export const MAX_SEEN_ITEMS = 20;

/** Returns a copy of a value fit for a trace: long strings truncated with "…", long lists cut. */
export function boundSeen(value: unknown): unknown {
  if (typeof value === "string") {
    return value.length > MAX_SEEN_CHARS ? `${value.slice(0, MAX_SEEN_CHARS - 1)}…` : value;
  }
  if (Array.isArray(value)) return value.slice(0, MAX_SEEN_ITEMS).map(boundSeen);
  return value;
}

/** Appends one evaluated condition to a rule's trace and returns its verdict, so callers can `return record(…)`. */
export function record(trace: ConditionTrace[], path: string, seen: unknown, verdict: boolean): boolean {
  trace.push({ path, seen: boundSeen(seen), verdict });
  return verdict;
}

/** Whether a (sub)condition held, and which condition path decided it (for `RuleTrace.decidedBy`). */
export interface Verdict {
  holds: boolean;
  decidedBy: string | undefined;
}

/** Records a leaf condition and returns it as a {@link Verdict} decided by its own path. */
export function leaf(trace: ConditionTrace[], path: string, seen: unknown, holds: boolean): Verdict {
  return { holds: record(trace, path, seen, holds), decidedBy: path };
}

/**
 * ANDs checks lazily in order: the first that fails decides; when all hold, the last one checked decides.
 * An empty list holds (an empty condition object is "always").
 */
export function allOf(checks: Iterable<() => Verdict>): Verdict {
  let decidedBy: string | undefined;
  for (const check of checks) {
    const v = check();
    if (!v.holds) return v;
    decidedBy = v.decidedBy ?? decidedBy;
  }
  return { holds: true, decidedBy };
}
