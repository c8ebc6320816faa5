import type { ConfigIssue } from "../errors.js";

/** Collects every problem found in a config, so one ConfigError can list them all instead of the first. */
export interface Issues {
  readonly list: ConfigIssue[];
  add(path: string, message: string): void;
}

/** Creates an empty issue collector. */
export function createIssues(): Issues {
  const list: ConfigIssue[] = [];
  return { list, add: (path, message) => void list.push({ path, message }) };
}

// Keys an admin can type without quoting in YAML read naturally after a dot; anything else (spaces, dots,
// quotes) is bracketed so the path stays unambiguous: templates["legal v2"].html.
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Extends a config path: `rules` + 1 → `rules[1]`, `rules[1]` + `when` → `rules[1].when`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (!PLAIN_KEY.test(key)) return `${base}[${JSON.stringify(key)}]`;
  return base ? `${base}.${key}` : key;
}
