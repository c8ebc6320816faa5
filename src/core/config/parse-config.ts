import type { ResolvedConfig } from "./types.js";
import { resolveConfig } from "./_resolve-config.js";
import { isPlainObject } from "./_schema.js";

/** Options for {@link parseConfig}. */
export interface ParseConfigOptions {
  /**
   * The directory `htmlFile`, `textFile`, `cssFile` and image `path` are relative to (loadConfig passes the
   * config file's directory).
   * @default process.cwd()
   */
  baseDir?: string;
  /**
   * Where `${env:NAME}` references are looked up.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
}

/**
 * Validates a config (from YAML, JSON or code) and returns it resolved: `${env:NAME}` substituted, files read,
 * every default applied, rules in evaluation order. A config that is already resolved is returned as is.
 *
 * @example
 * const config = parseConfig({
 *   templates: { legal: { html: "<p>This message is confidential.</p>" } },
 *   rules: [{ name: "Disclaimer", stamps: [{ template: "legal", placement: "bottom" }] }],
 * });
 * config.options.limits.maxParts; // 2000
 *
 * @throws ConfigError (code `CONFIG_INVALID`) listing every problem with its path, e.g.
 *   `rules[1].stamps[0].placement: expected one of top, under-reply, bottom`.
 */
export function parseConfig(input: unknown, options: ParseConfigOptions = {}): ResolvedConfig {
  if (isPlainObject(input) && input.resolved === true) return input as unknown as ResolvedConfig;
  return resolveConfig(input, {
    baseDir: options.baseDir ?? process.cwd(),
    env: options.env ?? process.env,
  });
}
