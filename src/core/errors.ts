/**
 * Errors mailstamp throws. They are thrown only for misuse — a bad config, a bad template, bad options.
 * What happens to a *message* is never an exception: it is an outcome (`StampResult.status` / `reason`).
 */

/** Every code a {@link MailstampError} can carry. */
export type MailstampErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_READ"
  | "TEMPLATE_PARSE"
  | "TEMPLATE_RENDER"
  | "TEMPLATE_UNKNOWN"
  | "OPTIONS_INVALID"
  | "DIRECTORY_FAILED"
  | "SEND_FAILED"
  | "MESSAGE_TOO_LARGE";

/**
 * The one error class mailstamp throws, with a stable string `code` to branch on.
 *
 * @example
 * try { parseConfig(raw) } catch (err) { if (isMailstampError(err)) console.error(err.code, err.message) }
 */
export class MailstampError extends Error {
  override name = "MailstampError";
  readonly code: MailstampErrorCode;

  constructor(code: MailstampErrorCode, message: string, options?: { cause?: unknown }) {
    super(message.startsWith("[mailstamp]") ? message : `[mailstamp] ${message}`, options);
    this.code = code;
  }
}

/** One problem found in a config: where (`rules[1].stamps[0].placement`) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * A config that does not validate. `issues` lists **every** problem found, not just the first.
 *
 * @example
 * err.issues // [{ path: "rules[1].stamps[0].placement", message: "expected one of top, under-reply, bottom" }]
 */
export class ConfigError extends MailstampError {
  override name = "ConfigError";
  readonly issues: readonly ConfigIssue[];

  constructor(
    issues: readonly ConfigIssue[],
    options?: { cause?: unknown; code?: "CONFIG_INVALID" | "CONFIG_READ" },
  ) {
    const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    const head = issues.length === 1 ? "invalid config" : `invalid config (${issues.length} problems)`;
    super(options?.code ?? "CONFIG_INVALID", `${head}:\n  ${lines.join("\n  ")}`, options);
    this.issues = issues;
  }
}

/** A template that does not parse or render; names the template and, when known, line and column. */
export class TemplateError extends MailstampError {
  override name = "TemplateError";
  readonly template: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    code: "TEMPLATE_PARSE" | "TEMPLATE_RENDER" | "TEMPLATE_UNKNOWN",
    template: string,
    detail: string,
    position?: { line?: number | undefined; column?: number | undefined },
    options?: { cause?: unknown },
  ) {
    const where =
      position?.line !== undefined ? ` (line ${position.line}, column ${position.column ?? 0})` : "";
    super(code, `template "${template}"${where}: ${detail}`, options);
    this.template = template;
    this.line = position?.line;
    this.column = position?.column;
  }
}

/** True for any error mailstamp threw on purpose. */
export function isMailstampError(err: unknown): err is MailstampError {
  return err instanceof MailstampError;
}
