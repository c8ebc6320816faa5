import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import { parseConfig, type ParseConfigOptions } from "../../../src/core/config/parse-config.js";
import { ConfigError, type ConfigIssue } from "../../../src/core/errors.js";

/** The smallest config that validates; tests override one part at a time. */
export function baseConfig(): Record<string, unknown> {
  return {
    organization: { name: "Example Corp", domains: ["example.com"] },
    templates: {
      standard: { html: "<p>{{ user.displayName }}</p>" },
      legal: { html: "<p>Confidential.</p>" },
    },
    rules: [{ name: "Signature", stamps: [{ template: "standard" }] }],
  };
}

/** A base config with one rule whose `when` is `condition`. */
export function withCondition(condition: unknown): Record<string, unknown> {
  return { ...baseConfig(), rules: [{ name: "R", when: condition, stamps: [{ template: "standard" }] }] };
}

/** The issues parseConfig reports for `input`; fails the test when it does not throw a ConfigError. */
export function issuesOf(input: unknown, options: ParseConfigOptions = { env: {} }): ConfigIssue[] {
  try {
    parseConfig(input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [...(err as ConfigError).issues];
  }
  throw new Error("expected parseConfig to throw a ConfigError");
}

/** A fresh temporary directory with the given files (text or bytes). */
export function tempDir(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "mailstamp-config-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}
