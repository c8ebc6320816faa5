import type { MailstampConfig } from "./types.js";

/**
 * Types a config written in code (editor completion and type errors); returns it unchanged — validation
 * happens in parseConfig / createStamper.
 *
 * @example
 * // mailstamp.config.ts
 * import { defineConfig } from "mailstamp";
 * export default defineConfig({
 *   organization: { domains: ["example.com"] },
 *   templates: { legal: { html: "<p>This message is confidential.</p>" } },
 *   rules: [{ name: "Disclaimer", when: { recipients: "external" }, stamps: [{ template: "legal", placement: "bottom" }] }],
 * });
 */
export function defineConfig(config: MailstampConfig): MailstampConfig {
  return config;
}
