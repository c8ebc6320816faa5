/**
 * `${env:NAME}` substitution, applied to every string value before validation so secrets (the marker secret,
 * Graph client secrets) never have to be written into the config file. `$${env:NAME}` is the literal text.
 */
import { joinPath, type Issues } from "./_issues.js";
import { isPlainObject } from "./_schema.js";

// `$?` catches the `$$` escape; the closing brace is optional in the pattern so an unterminated reference is
// reported instead of silently left in a secret.
const REFERENCE = /\$(\$?)\{env:([^}]*)(\}?)/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function substituteString(
  text: string,
  env: Record<string, string | undefined>,
  path: string,
  issues: Issues,
): string {
  if (!text.includes("{env:")) return text;
  return text.replace(REFERENCE, (whole, escape: string, name: string, close: string) => {
    if (escape) return whole.slice(1);
    if (!close) {
      issues.add(path, `unterminated \${env:${name}} reference (missing "}")`);
      return whole;
    }
    if (!NAME.test(name)) {
      issues.add(path, `invalid environment variable name ${JSON.stringify(name)}`);
      return whole;
    }
    const value = env[name];
    // A plain-object env inherits `constructor` etc.; only real strings count as set.
    if (typeof value !== "string") {
      issues.add(path, `environment variable ${name} is not set`);
      return whole;
    }
    return value;
  });
}

/**
 * Returns a deep copy of `value` with every `${env:NAME}` in string values replaced. Mappings and lists are
 * copied (so the resolved config never shares objects with the caller's input); other values are kept as is.
 */
export function substituteEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  path: string,
  issues: Issues,
  ancestors: Set<object> = new Set(),
): unknown {
  if (typeof value === "string") return substituteString(value, env, path, issues);
  if (typeof value !== "object" || value === null) return value;
  if (!Array.isArray(value) && !isPlainObject(value)) return value;
  if (ancestors.has(value)) {
    issues.add(path, "circular reference");
    return undefined;
  }
  ancestors.add(value);
  let copy: unknown;
  if (Array.isArray(value)) {
    copy = value.map((item, i) => substituteEnv(item, env, joinPath(path, i), issues, ancestors));
  } else {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, not assignment: a JSON key "__proto__" must stay a plain (and later rejected) key
      // instead of replacing the copy's prototype.
      Object.defineProperty(out, key, {
        value: substituteEnv(item, env, joinPath(path, key), issues, ancestors),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    copy = out;
  }
  ancestors.delete(value);
  return copy;
}
