/** The validation pipeline behind parseConfig and loadConfig: env substitution, every section, one error. */
import { ConfigError } from "../errors.js";
import { DEFAULTS } from "./defaults.js";
import type { ResolvedConfig } from "./types.js";
import { resolveDirectory } from "./_directory.js";
import { substituteEnv } from "./_env.js";
import { createIssues } from "./_issues.js";
import { resolveOptions } from "./_options.js";
import { resolveOrganization } from "./_organization.js";
import { resolveRules } from "./_rule.js";
import { checkKeys, isPlainObject, readEnum, readObject } from "./_schema.js";
import { resolveTemplates } from "./_template.js";

// `relay` is the SMTP relay's section (SPEC §8), validated by mailstamp/smtp when `mailstamp relay` starts.
const TOP_KEYS = ["organization", "sender", "directory", "templates", "rules", "options", "relay"] as const;

/** What the resolver needs besides the config itself, with defaults already applied by the caller. */
export interface ResolveContext {
  baseDir: string;
  env: Record<string, string | undefined>;
}

/**
 * Validates a raw config (any shape) and returns it resolved, or throws one ConfigError listing every issue.
 * Never short-cuts on `resolved: true`: data read from a file is always validated in full.
 */
export function resolveConfig(input: unknown, context: ResolveContext): ResolvedConfig {
  const issues = createIssues();
  const raw = substituteEnv(input, context.env, "", issues);
  if (!isPlainObject(raw)) {
    issues.add("", "expected the config to be an object with templates and rules");
    throw new ConfigError(issues.list);
  }
  checkKeys(raw, TOP_KEYS, "", issues);
  for (const key of ["templates", "rules"] as const) {
    if (raw[key] === undefined) issues.add(key, "required");
  }
  const organization = resolveOrganization(raw.organization, "organization", issues);
  const sender =
    raw.sender === undefined
      ? DEFAULTS.sender
      : readEnum(raw.sender, ["header", "envelope", "sender"], "sender", issues);
  const directory = resolveDirectory(raw.directory, "directory", issues);
  const { templates, names } =
    raw.templates === undefined
      ? { templates: {}, names: [] }
      : resolveTemplates(raw.templates, "templates", context.baseDir, issues);
  const rules = raw.rules === undefined ? [] : resolveRules(raw.rules, "rules", issues, names);
  const options = resolveOptions(raw.options, "options", issues);
  const relay = raw.relay === undefined ? undefined : readObject(raw.relay, "relay", issues);
  if (issues.list.length > 0 || sender === undefined) throw new ConfigError(issues.list);
  const config: ResolvedConfig = {
    resolved: true,
    organization,
    sender,
    directory,
    templates,
    rules,
    options,
    // Carried along as written so `mailstamp relay` reads it from the same file; the adapter validates it.
    ...(relay !== undefined ? { relay } : {}),
  };
  return config;
}
