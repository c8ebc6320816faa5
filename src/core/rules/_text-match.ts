/** `contains` / `matches` / `equals` tests on decoded text, shared by subject, body, header and attributes. */
import { ConfigError } from "../errors.js";
import type { OneOrMany, TextMatch } from "../config/types.js";
import type { ConditionTrace } from "../types.js";
import { allOf, leaf, type Verdict } from "./_trace.js";
import { compileRegex, testRegex } from "./safe-regex.js";

/** A value or list as a list (`OneOrMany` means "any of"). */
export function toList<T>(value: OneOrMany<T>): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Throws the misuse error for a condition that a validated config could not contain. */
export function invalidCondition(path: string, message: string): never {
  throw new ConfigError([{ path, message }]);
}

/** Where a text test is evaluated: the trace to record into and the rule path for misuse errors. */
export interface TextMatchScope {
  trace: ConditionTrace[];
  /** `rules[3]`: prefixes paths in errors so they point into the config. */
  rulePath: string;
}

const TEXT_KEYS = new Set(["contains", "matches", "equals"]);

/**
 * Evaluates each key of a {@link TextMatch} (in the order written, ANDed) against `values`, any of which may
 * satisfy it — a repeated header or a list attribute like `businessPhones`. `values === undefined` means
 * "nothing to look at" (unknown sender): every test fails.
 */
export function matchText(
  scope: TextMatchScope,
  path: string,
  values: readonly string[] | undefined,
  test: TextMatch,
  seen: unknown,
): Verdict {
  const lowered = values?.map((v) => v.toLowerCase()) ?? [];
  const entries = Object.entries(test).filter(([, v]) => v !== undefined);
  return allOf(
    entries.map(([key, expected]) => () => {
      const at = `${path}.${key}`;
      if (!TEXT_KEYS.has(key)) invalidCondition(`${scope.rulePath}.${path}`, `unknown text test "${key}"`);
      if (key === "matches") {
        if (typeof expected !== "string") invalidCondition(`${scope.rulePath}.${at}`, "expected a string");
        let re: RegExp;
        try {
          re = compileRegex(expected);
        } catch (err) {
          // Re-thrown with the rule path, so a hand-built config points at the offending condition.
          throw new ConfigError(
            [
              {
                path: `${scope.rulePath}.${at}`,
                message: (err as Error).message.replace(/^\[mailstamp\] /, ""),
              },
            ],
            { cause: err },
          );
        }
        return leaf(scope.trace, at, seen, values?.some((v) => testRegex(re, v)) ?? false);
      }
      const needles = stringList(expected, `${scope.rulePath}.${at}`).map((n) => n.toLowerCase());
      const holds =
        key === "contains"
          ? lowered.some((v) => needles.some((n) => v.includes(n)))
          : lowered.some((v) => needles.includes(v));
      return leaf(scope.trace, at, seen, holds);
    }),
  );
}

/** Validates a `OneOrMany<string>` from a config that may not have been through parseConfig. */
export function stringList(value: unknown, errorPath: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v): v is string => typeof v === "string")) {
    invalidCondition(errorPath, "expected a string or a list of strings");
  }
  return list;
}
