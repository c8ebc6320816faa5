import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError, type ConfigIssue } from "../errors.js";
import { DEFAULTS } from "./defaults.js";
import type { ResolvedConfig } from "./types.js";
import { resolveConfig } from "./_resolve-config.js";

/** Options for {@link loadConfig}. */
export interface LoadConfigOptions {
  /**
   * Where `${env:NAME}` references are looked up.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
}

function readError(file: string, message: string, cause?: unknown): ConfigError {
  return new ConfigError([{ path: "", message }], { code: "CONFIG_READ", cause });
}

// An unquoted `${env:NAME}` that is a whole value: after `:`, `,`, `[` or `{`, before `,`, `}`, `]`, a comment or
// the line's end. Linear: no nested quantifiers.
const ENV_SCALAR_SOURCE = "(^|[\\s,\\[{:])(\\$\\{env:[A-Za-z_][A-Za-z0-9_]*\\})(?=[ \\t]*(?:[,}\\]#]|$))";
const ENV_SCALAR = new RegExp(ENV_SCALAR_SOURCE, "m");
const ENV_SCALAR_ALL = new RegExp(ENV_SCALAR_SOURCE, "gm");
// YAML reports follow-on errors for the rest of a broken flow collection; the first few say what is wrong.
const MAX_YAML_ERRORS = 5;

function parseYaml(text: string, file: string): unknown {
  // merge: `<<: *defaults` lets admins share a condition block between rules. Aliases are expanded by toJS
  // with yaml's default alias budget, which stops "billion laughs" documents.
  let doc = parseDocument(text, { merge: true, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0 && ENV_SCALAR.test(text)) {
    // `{ secret: ${env:X} }` (as SPEC §3 writes it) is not valid YAML: `{` and `}` are flow-mapping syntax.
    // Where a reference stands as a whole unquoted value, quoting it is the only reading that parses, so
    // try that before reporting errors; the substitution itself still happens after parsing, on values.
    const quoted = parseDocument(text.replace(ENV_SCALAR_ALL, '$1"$2"'), {
      merge: true,
      prettyErrors: true,
      uniqueKeys: true,
    });
    if (quoted.errors.length === 0) doc = quoted;
  }
  if (doc.errors.length > 0) {
    const lines = text.split(/\r?\n/);
    const hinted = new Set<number>();
    const seenLines = new Set<number>();
    const firstPerLine = doc.errors.filter((error) => {
      const line = error.linePos?.[0]?.line ?? -1;
      if (seenLines.has(line)) return false;
      seenLines.add(line);
      return true;
    });
    const issues: ConfigIssue[] = firstPerLine.slice(0, MAX_YAML_ERRORS).map((error) => {
      const start = error.linePos?.[0];
      let detail = (error.message.split("\n")[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, "");
      // `{` and `}` are flow-mapping syntax, so an unquoted ${env:NAME} inside `{ … }` breaks the line with
      // an error that names YAML tokens, not the cause.
      if (start && !hinted.has(start.line) && lines[start.line - 1]?.includes("${env:")) {
        hinted.add(start.line);
        detail += ' (inside { … } quote the reference: "${env:NAME}")';
      }
      const where = start ? ` line ${start.line}, column ${start.col}` : "";
      return { path: "", message: `${file}${where}: ${detail}` };
    });
    if (firstPerLine.length > MAX_YAML_ERRORS) {
      issues.push({
        path: "",
        message: `${file}: ${firstPerLine.length - MAX_YAML_ERRORS} more YAML errors after these`,
      });
    }
    throw new ConfigError(issues);
  }
  try {
    return doc.toJS();
  } catch (err) {
    throw new ConfigError([{ path: "", message: `${file}: ${(err as Error).message}` }], { cause: err });
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const position = /at position (\d+)/.exec(message);
    let where = "";
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split("\n").length;
      const column = before.length - before.lastIndexOf("\n");
      where = ` line ${line}, column ${column}`;
    }
    const detail = message
      .replace(/ in JSON at position \d+.*$/, "")
      .replace(/ \(line \d+ column \d+\)$/, "");
    throw new ConfigError([{ path: "", message: `${file}${where}: ${detail}` }], { cause: err });
  }
}

/**
 * Reads and validates a config file (`.yaml`, `.yml` or `.json`); files it names are read relative to it.
 *
 * @example
 * const config = await loadConfig("/etc/mailstamp/mailstamp.config.yaml");
 * const stamper = createStamper(config);
 *
 * @throws ConfigError with code `CONFIG_READ` when the file cannot be read or has an unsupported extension,
 *   and with code `CONFIG_INVALID` for a YAML/JSON syntax error (with line and column) or any validation issue.
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const extension = extname(path).toLowerCase();
  if (extension !== ".yaml" && extension !== ".yml" && extension !== ".json") {
    throw readError(path, `${path}: unsupported config file type (expected .yaml, .yml or .json)`);
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (err as Error).message;
    throw readError(path, `cannot read ${path}: ${reason}`, err);
  }
  // A UTF-8 byte order mark (Windows editors) is not whitespace to JSON.parse.
  text = text.replace(/^\uFEFF/, "");
  const data = extension === ".json" ? parseJson(text, path) : parseYaml(text, path);
  if (data === null || data === undefined) {
    throw new ConfigError([{ path: "", message: `${path} is empty` }]);
  }
  return resolveConfig(data, { baseDir: dirname(resolve(path)), env: options.env ?? process.env });
}

/**
 * Finds the config file in a directory: the first of mailstamp.config.yaml, .yml and .json that exists.
 *
 * @example
 * const file = findConfigFile(process.cwd()); // "/srv/mail/mailstamp.config.yaml" or undefined
 */
export function findConfigFile(dir: string): string | undefined {
  for (const name of DEFAULTS.configFiles) {
    const file = join(dir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}
