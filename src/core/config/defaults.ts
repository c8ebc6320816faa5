/**
 * Every default mailstamp applies, in one place. parseConfig fills these into the resolved config; the rules
 * engine reads the condition defaults from here too.
 */

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === "object" && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

/**
 * The defaults of every optional config setting, deeply frozen so no caller can change them for everyone else
 * in the process.
 *
 * @example
 * import { DEFAULTS } from "mailstamp";
 * DEFAULTS.options.limits.maxParts; // 2000
 * DEFAULTS.stamp.placement;         // "under-reply"
 */
export const DEFAULTS = deepFreeze({
  /** Which address picks the directory user: the From header. */
  sender: "header",
  organization: {
    /** No internal domains: every recipient counts as external. */
    domains: [],
  },
  /** Static directory users. */
  directoryUser: { aliases: [], groups: [] },
  rule: {
    enabled: true,
    /** Lower runs first; equal priorities keep list order. */
    priority: 0,
    stop: false,
  },
  stamp: {
    /** Right after the sender's new text, above the quoted conversation (SPEC §4). */
    placement: "under-reply",
  },
  image: {
    /** Remote images (`url`) are used as is; `embed: true` attaches a local file as a cid: part. */
    embed: false,
  },
  condition: {
    /** `recipients.match`: at least one recipient matches. */
    recipientsMatch: "any",
    /** `body.scope`: only the sender's new text above the quoted conversation. */
    bodyScope: "latest",
  },
  options: {
    marker: {
      /** The header that records "processed" (SPEC §5). */
      header: "X-Mailstamp",
    },
    /** Signed mail would fail verification once changed, and encrypted mail cannot be read: pass both through. */
    protected: "skip",
    /** Meeting requests are passed through: some clients stop treating a changed invitation as one. */
    calendar: "skip",
    limits: {
      /** 50 MiB. */
      maxMessageBytes: 52_428_800,
      maxMimeDepth: 32,
      maxParts: 2000,
      renderTimeoutMs: 1000,
    },
  },
  /** What findConfigFile looks for, in this order. */
  configFiles: ["mailstamp.config.yaml", "mailstamp.config.yml", "mailstamp.config.json"],
} as const);
