/**
 * The small set of checks every config section is built from. Each reads one value, records an issue at its
 * path when the value is wrong, and returns the value (typed) or undefined, so validation continues and the
 * admin sees every problem at once.
 */
import { joinPath, type Issues } from "./_issues.js";
import { unknownKeyMessage } from "./_suggest.js";

/** A JSON/YAML mapping. */
export type PlainObject = Record<string, unknown>;

/** True for a mapping as YAML, JSON or an object literal produce it (not arrays, dates, buffers, class instances). */
export function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Reads a mapping; `expected object` otherwise. */
export function readObject(value: unknown, path: string, issues: Issues): PlainObject | undefined {
  if (isPlainObject(value)) return value;
  issues.add(path, "expected object");
  return undefined;
}

/** Records every key of `object` that is not in `allowed`, with a "did you mean" hint; false when there was one. */
export function checkKeys(
  object: PlainObject,
  allowed: readonly string[],
  path: string,
  issues: Issues,
): boolean {
  let known = true;
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      issues.add(joinPath(path, key), unknownKeyMessage(key, allowed));
      known = false;
    }
  }
  return known;
}

/**
 * Keys that would reach Object.prototype through a free-form map (organization, user attributes): templates
 * read only own properties, but refusing them keeps prototype pollution out of every later consumer.
 */
export function checkFreeKey(key: string, path: string, issues: Issues): boolean {
  if (key === "__proto__" || key === "constructor" || key === "prototype") {
    issues.add(joinPath(path, key), `reserved key ${JSON.stringify(key)}`);
    return false;
  }
  return true;
}

/** Reads a string; with `nonEmpty`, blank strings are rejected too. */
export function readString(
  value: unknown,
  path: string,
  issues: Issues,
  options: { nonEmpty?: boolean } = {},
): string | undefined {
  if (typeof value !== "string") {
    issues.add(path, options.nonEmpty ? "expected a non-empty string" : "expected string");
    return undefined;
  }
  if (options.nonEmpty && value.trim() === "") {
    issues.add(path, "expected a non-empty string");
    return undefined;
  }
  return value;
}

/** Reads `true` or `false` (YAML's `yes`/`"true"` are not booleans and are rejected, not guessed). */
export function readBoolean(value: unknown, path: string, issues: Issues): boolean | undefined {
  if (typeof value === "boolean") return value;
  issues.add(path, "expected boolean (true or false)");
  return undefined;
}

/** Reads one of a fixed set of strings: `expected one of top, under-reply, bottom`. */
export function readEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  issues: Issues,
): T | undefined {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  issues.add(path, `expected one of ${allowed.join(", ")}`);
  return undefined;
}

/** Reads an integer that may be negative (rule priority). */
export function readInteger(value: unknown, path: string, issues: Issues): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  issues.add(path, "expected an integer");
  return undefined;
}

/**
 * Reads a positive safe integer (limits, sizes). Zero, negatives, fractions, NaN, Infinity and numeric strings
 * are all errors: a limit that quietly fell back to "unlimited" on a falsy or odd value would let one bad line
 * — or one attacker who can influence the config — switch the protection off.
 */
export function readPositiveInteger(value: unknown, path: string, issues: Issues): number | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  issues.add(path, "expected a positive integer");
  return undefined;
}

/**
 * Reads a string or a non-empty list of strings (a list means "any of"). An empty list would make the
 * condition match nothing — a rule silently switched off — so it is an error.
 */
export function readOneOrMany(
  value: unknown,
  path: string,
  issues: Issues,
  check?: (item: string, itemPath: string) => boolean,
): string | string[] | undefined {
  if (typeof value === "string") return !check || check(value, path) ? value : undefined;
  if (!Array.isArray(value)) {
    issues.add(path, "expected string or string[]");
    return undefined;
  }
  if (value.length === 0) {
    issues.add(path, "expected at least one value (an empty list never matches)");
    return undefined;
  }
  return readItems(value, path, issues, check);
}

/** Reads a list of strings (possibly empty), each checked by `check`. */
export function readStringArray(
  value: unknown,
  path: string,
  issues: Issues,
  check?: (item: string, itemPath: string) => boolean,
): string[] | undefined {
  if (!Array.isArray(value)) {
    issues.add(path, "expected string[]");
    return undefined;
  }
  return readItems(value, path, issues, check);
}

function readItems(
  list: readonly unknown[],
  path: string,
  issues: Issues,
  check: ((item: string, itemPath: string) => boolean) | undefined,
): string[] | undefined {
  let ok = true;
  list.forEach((item, i) => {
    const itemPath = joinPath(path, i);
    if (typeof item !== "string") {
      issues.add(itemPath, "expected string");
      ok = false;
    } else if (check && !check(item, itemPath)) {
      ok = false;
    }
  });
  return ok ? (list as string[]) : undefined;
}

/** Reads a list of anything (each item validated by the caller). */
export function readArray(value: unknown, path: string, issues: Issues): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  issues.add(path, "expected a list");
  return undefined;
}
