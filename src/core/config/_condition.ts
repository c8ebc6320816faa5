/** Validation of rule conditions (`when` / `unless`), recursively through `all`, `any` and `not`. */
import { checkRegex } from "../rules/safe-regex.js";
import type { Condition } from "./types.js";
import { domainProblem, isAddress, isDomainPattern } from "./_domain.js";
import { isHeaderFieldName } from "./_header-name.js";
import { joinPath, type Issues } from "./_issues.js";
import { parseIsoDate } from "./_iso-date.js";
import {
  checkFreeKey,
  checkKeys,
  isPlainObject,
  readArray,
  readBoolean,
  readEnum,
  readObject,
  readOneOrMany,
  readPositiveInteger,
  readString,
  type PlainObject,
} from "./_schema.js";
import { CONDITION_KEYS, MESSAGE_TYPES } from "../rules/condition-keys.js";

const TEXT_KEYS = ["contains", "matches", "equals"] as const;

// Far deeper than any real rule; stops a generated or cyclic-looking config from exhausting the stack.
const MAX_DEPTH = 32;

/**
 * Records an issue when none of `keys` is present: an empty test would match everything or nothing. Callers
 * skip it when checkKeys found a typo, which already explains the missing key.
 */
function requireOneOf(object: PlainObject, keys: readonly string[], path: string, issues: Issues): void {
  if (!keys.some((key) => object[key] !== undefined))
    issues.add(path, `expected at least one of ${keys.join(", ")}`);
}

function nonEmptyItem(issues: Issues) {
  return (item: string, itemPath: string): boolean => {
    if (item !== "") return true;
    issues.add(itemPath, "expected a non-empty string (every text contains the empty string)");
    return false;
  };
}

function validateRegex(value: unknown, path: string, issues: Issues): void {
  const source = readString(value, path, issues, { nonEmpty: true });
  if (source === undefined) return;
  // A regex that backtracks catastrophically lets one crafted subject or body stall the relay, so it is a
  // config error, found before the first message rather than by it.
  const problem = checkRegex(source);
  if (problem !== undefined) issues.add(path, `regular expression ${problem}`);
}

function validateTextTests(object: PlainObject, path: string, issues: Issues): void {
  if (object.contains !== undefined) {
    readOneOrMany(object.contains, joinPath(path, "contains"), issues, nonEmptyItem(issues));
  }
  if (object.matches !== undefined) validateRegex(object.matches, joinPath(path, "matches"), issues);
  if (object.equals !== undefined) readOneOrMany(object.equals, joinPath(path, "equals"), issues);
}

function validateTextMatch(value: unknown, path: string, issues: Issues): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  if (checkKeys(object, TEXT_KEYS, path, issues)) requireOneOf(object, TEXT_KEYS, path, issues);
  validateTextTests(object, path, issues);
}

function validateSender(value: unknown, path: string, issues: Issues): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  const keys = ["address", "domain", "groups", "attributes"] as const;
  if (checkKeys(object, keys, path, issues)) requireOneOf(object, keys, path, issues);
  if (object.address !== undefined) {
    readOneOrMany(object.address, joinPath(path, "address"), issues, (item, itemPath) => {
      if (isAddress(item)) return true;
      issues.add(itemPath, `expected an address such as alice@example.com, got ${JSON.stringify(item)}`);
      return false;
    });
  }
  if (object.domain !== undefined) {
    readOneOrMany(object.domain, joinPath(path, "domain"), issues, (item, itemPath) => {
      if (isDomainPattern(item)) return true;
      issues.add(itemPath, domainProblem(item));
      return false;
    });
  }
  if (object.groups !== undefined) {
    readOneOrMany(object.groups, joinPath(path, "groups"), issues, nonEmptyItem(issues));
  }
  if (object.attributes !== undefined) {
    const attributesPath = joinPath(path, "attributes");
    const attributes = readObject(object.attributes, attributesPath, issues);
    if (!attributes) return;
    const names = Object.keys(attributes);
    if (names.length === 0) issues.add(attributesPath, "expected at least one attribute");
    for (const name of names) {
      if (!checkFreeKey(name, attributesPath, issues)) continue;
      const test = attributes[name];
      const testPath = joinPath(attributesPath, name);
      if (isPlainObject(test)) validateTextMatch(test, testPath, issues);
      else if (typeof test === "string" || Array.isArray(test)) readOneOrMany(test, testPath, issues);
      else issues.add(testPath, "expected string, string[] or { contains, matches, equals }");
    }
  }
}

function validateRecipients(value: unknown, path: string, issues: Issues): void {
  if (typeof value === "string") {
    readEnum(value, ["internal", "external"], path, issues);
    return;
  }
  if (!isPlainObject(value)) {
    issues.add(path, "expected internal, external or { scope, domains, addresses, match }");
    return;
  }
  if (checkKeys(value, ["scope", "domains", "addresses", "match"], path, issues))
    requireOneOf(value, ["scope", "domains", "addresses"], path, issues);
  if (value.scope !== undefined)
    readEnum(value.scope, ["internal", "external"], joinPath(path, "scope"), issues);
  if (value.domains !== undefined) {
    readOneOrMany(value.domains, joinPath(path, "domains"), issues, (item, itemPath) => {
      if (isDomainPattern(item)) return true;
      issues.add(itemPath, domainProblem(item));
      return false;
    });
  }
  if (value.addresses !== undefined) {
    readOneOrMany(value.addresses, joinPath(path, "addresses"), issues, (item, itemPath) => {
      if (isAddress(item)) return true;
      issues.add(itemPath, `expected an address such as bob@example.net, got ${JSON.stringify(item)}`);
      return false;
    });
  }
  if (value.match !== undefined) readEnum(value.match, ["any", "all"], joinPath(path, "match"), issues);
}

function validateBody(value: unknown, path: string, issues: Issues): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  if (checkKeys(object, ["contains", "matches", "scope"], path, issues))
    requireOneOf(object, ["contains", "matches"], path, issues);
  validateTextTests(object, path, issues);
  if (object.scope !== undefined)
    readEnum(object.scope, ["latest", "whole"], joinPath(path, "scope"), issues);
}

function validateHeaderTest(value: unknown, path: string, issues: Issues): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  checkKeys(object, ["name", "exists", ...TEXT_KEYS], path, issues);
  const namePath = joinPath(path, "name");
  if (object.name === undefined) issues.add(namePath, "required");
  else {
    const name = readString(object.name, namePath, issues, { nonEmpty: true });
    if (name !== undefined && !isHeaderFieldName(name)) {
      issues.add(
        namePath,
        `expected a header field name (printable ASCII without ":" or spaces), got ${JSON.stringify(name)}`,
      );
    }
  }
  validateTextTests(object, path, issues);
  if (object.exists !== undefined) {
    const exists = readBoolean(object.exists, joinPath(path, "exists"), issues);
    if (exists === false && TEXT_KEYS.some((key) => object[key] !== undefined)) {
      issues.add(
        joinPath(path, "exists"),
        "exists: false cannot be combined with contains, matches or equals",
      );
    }
  }
}

function validateHeader(value: unknown, path: string, issues: Issues): void {
  if (isPlainObject(value)) return validateHeaderTest(value, path, issues);
  if (!Array.isArray(value)) {
    issues.add(path, "expected object or object[]");
    return;
  }
  if (value.length === 0) issues.add(path, "expected at least one header test");
  value.forEach((item, i) => validateHeaderTest(item, joinPath(path, i), issues));
}

function validateSize(value: unknown, path: string, issues: Issues): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  if (checkKeys(object, ["over", "under"], path, issues))
    requireOneOf(object, ["over", "under"], path, issues);
  const over =
    object.over === undefined ? undefined : readPositiveInteger(object.over, joinPath(path, "over"), issues);
  const under =
    object.under === undefined
      ? undefined
      : readPositiveInteger(object.under, joinPath(path, "under"), issues);
  if (over !== undefined && under !== undefined && under <= over) {
    issues.add(joinPath(path, "under"), `must be greater than over (${over}), or no message can match`);
  }
}

function validateDate(value: unknown, path: string, issues: Issues): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  if (checkKeys(object, ["from", "until"], path, issues))
    requireOneOf(object, ["from", "until"], path, issues);
  const read = (key: "from" | "until"): number | undefined => {
    if (object[key] === undefined) return undefined;
    const keyPath = joinPath(path, key);
    const text = readString(object[key], keyPath, issues, { nonEmpty: true });
    if (text === undefined) return undefined;
    const ms = parseIsoDate(text.trim());
    if (ms === undefined) {
      issues.add(
        keyPath,
        `expected an ISO 8601 date such as 2025-12-01 or 2025-12-01T09:00:00Z, got ${JSON.stringify(text)}`,
      );
      return undefined;
    }
    // Normalised to one unambiguous UTC instant, so the rules engine and the trace see exactly the instant
    // validated here, whatever the host's time zone does to offset-less times later.
    object[key] = new Date(ms).toISOString();
    return ms;
  };
  const from = read("from");
  const until = read("until");
  if (from !== undefined && until !== undefined && from >= until) {
    issues.add(joinPath(path, "until"), "must be later than from, or the window is empty");
  }
}

function validateConditionAt(value: unknown, path: string, issues: Issues, depth: number): void {
  const object = readObject(value, path, issues);
  if (!object) return;
  if (depth > MAX_DEPTH) {
    issues.add(path, `conditions nested deeper than ${MAX_DEPTH} levels`);
    return;
  }
  checkKeys(object, CONDITION_KEYS, path, issues);
  if (Object.keys(object).length === 0) {
    issues.add(path, `empty condition (expected at least one of ${CONDITION_KEYS.join(", ")})`);
    return;
  }
  const at = (key: string): string => joinPath(path, key);
  if (object.sender !== undefined) validateSender(object.sender, at("sender"), issues);
  if (object.recipients !== undefined) validateRecipients(object.recipients, at("recipients"), issues);
  if (object.subject !== undefined) validateTextMatch(object.subject, at("subject"), issues);
  if (object.body !== undefined) validateBody(object.body, at("body"), issues);
  if (object.header !== undefined) validateHeader(object.header, at("header"), issues);
  if (object.messageType !== undefined) {
    readOneOrMany(
      object.messageType,
      at("messageType"),
      issues,
      (item, itemPath) => readEnum(item, MESSAGE_TYPES, itemPath, issues) !== undefined,
    );
  }
  if (object.attachments !== undefined) readBoolean(object.attachments, at("attachments"), issues);
  if (object.size !== undefined) validateSize(object.size, at("size"), issues);
  if (object.date !== undefined) validateDate(object.date, at("date"), issues);
  for (const key of ["all", "any"] as const) {
    if (object[key] === undefined) continue;
    const list = readArray(object[key], at(key), issues);
    if (!list) continue;
    if (list.length === 0) {
      issues.add(
        at(key),
        `expected at least one condition (an empty "${key}" is almost certainly a mistake)`,
      );
    }
    list.forEach((item, i) => validateConditionAt(item, joinPath(at(key), i), issues, depth + 1));
  }
  if (object.not !== undefined) validateConditionAt(object.not, at("not"), issues, depth + 1);
}

/**
 * Validates a condition (already a private copy, see `substituteEnv`) and returns it typed, or undefined when
 * it has problems (recorded in `issues`). Dates are normalised to UTC ISO strings in place.
 */
export function validateCondition(value: unknown, path: string, issues: Issues): Condition | undefined {
  const before = issues.list.length;
  validateConditionAt(value, path, issues, 0);
  return issues.list.length === before ? (value as Condition) : undefined;
}
