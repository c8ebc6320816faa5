/** The configuration as an admin writes it (YAML, JSON or code), and the normalised form parseConfig returns. */
import type { DirectoryUser } from "../directory/types.js";
import type { MessageType, Placement } from "../types.js";

/** A string or a list of strings; a list means "any of". */
export type OneOrMany<T> = T | T[];

/** Text tests; keys inside one object are ANDed. Strings compare case-insensitively. */
export interface TextMatch {
  /** Substring; a list means any of them. */
  contains?: OneOrMany<string>;
  /** Regular expression (JavaScript syntax, case-insensitive), checked for catastrophic backtracking at parse time. */
  matches?: string;
  /** Whole value; a list means any of them. */
  equals?: OneOrMany<string>;
}

export interface SenderCondition {
  /** Sender address(es). */
  address?: OneOrMany<string>;
  /** Sender domain(s); `*.example.org` also matches subdomains. */
  domain?: OneOrMany<string>;
  /** Directory group name(s): any of them. */
  groups?: OneOrMany<string>;
  /** Directory attributes: a string or list compares for equality, an object is a {@link TextMatch}. */
  attributes?: Record<string, OneOrMany<string> | TextMatch>;
}

export interface RecipientsCondition {
  scope?: "internal" | "external";
  domains?: OneOrMany<string>;
  addresses?: OneOrMany<string>;
  /** `any` (default): at least one recipient matches; `all`: every recipient matches. */
  match?: "any" | "all";
}

export interface BodyCondition {
  contains?: OneOrMany<string>;
  matches?: string;
  /** `latest` (default): only the sender's new text above the quoted conversation; `whole`: all of it. */
  scope?: "latest" | "whole";
}

export interface HeaderCondition extends TextMatch {
  /** Header field name, case-insensitive. */
  name: string;
  /** true: the header is present; false: it is absent. */
  exists?: boolean;
}

/** A condition: keys inside one object are ANDed; `all`, `any` and `not` combine. */
export interface Condition {
  sender?: SenderCondition;
  recipients?: "internal" | "external" | RecipientsCondition;
  subject?: TextMatch;
  body?: BodyCondition;
  header?: OneOrMany<HeaderCondition>;
  messageType?: OneOrMany<MessageType>;
  attachments?: boolean;
  size?: { over?: number; under?: number };
  /** ISO 8601 instants; the processing time must be inside [from, until). */
  date?: { from?: string; until?: string };
  all?: Condition[];
  any?: Condition[];
  not?: Condition;
}

export interface StampConfig {
  template: string;
  /** @default "under-reply" */
  placement?: Placement;
  /** `thread`: not added when the quoted conversation already carries this stamp. */
  once?: "thread";
}

export interface RuleConfig {
  name: string;
  /** @default true */
  enabled?: boolean;
  /** Lower runs first; rules of equal priority run in list order. @default 0 */
  priority?: number;
  when?: Condition;
  unless?: Condition;
  stamps: StampConfig[];
  /** End evaluation once this rule matched. @default false */
  stop?: boolean;
}

export interface TemplateImageConfig {
  /** A file, relative to the config file. */
  path?: string;
  /** A remote image; used as is. */
  url?: string;
  /** true: attach the image as an inline `cid:` part; false: use `url`. @default false */
  embed?: boolean;
  /** Guessed from the file name when absent. */
  contentType?: string;
}

export interface TemplateConfig {
  /** Liquid source of the HTML stamp. */
  html?: string;
  htmlFile?: string;
  /** Liquid source of the plain-text stamp; derived from the HTML when absent. */
  text?: string;
  textFile?: string;
  /** A stylesheet inlined into the HTML (juice). */
  css?: string;
  cssFile?: string;
  images?: Record<string, TemplateImageConfig>;
}

export interface StaticUserConfig {
  mail: string;
  aliases?: string[];
  groups?: string[];
  [attribute: string]: unknown;
}

export interface LimitsConfig {
  /** @default 52428800 (50 MiB) */
  maxMessageBytes?: number;
  /** @default 32 */
  maxMimeDepth?: number;
  /** @default 2000 */
  maxParts?: number;
  /** @default 1000 */
  renderTimeoutMs?: number;
}

export interface OptionsConfig {
  marker?: { header?: string; secret?: string };
  /** @default "skip" */
  protected?: "skip" | "wrap" | "reject";
  /** @default "skip" */
  calendar?: "skip" | "stamp";
  limits?: LimitsConfig;
}

/**
 * A mailstamp configuration as written by an admin.
 *
 * @example
 * export default defineConfig({ organization: { domains: ["example.com"] }, templates: {...}, rules: [...] });
 */
export interface MailstampConfig {
  organization?: { name?: string; domains?: string[]; [key: string]: unknown };
  /** Which address picks the directory user. @default "header" */
  sender?: "header" | "envelope" | "sender";
  directory?: { users?: StaticUserConfig[]; graph?: Record<string, unknown> };
  templates: Record<string, TemplateConfig>;
  rules: RuleConfig[];
  options?: OptionsConfig;
  /** Settings of the SMTP relay (`mailstamp relay`, SPEC §8); read by the `mailstamp/smtp` adapter. */
  relay?: Record<string, unknown>;
}

/** An image a template can reference, with its bytes loaded when it is embedded. */
export interface ResolvedImage {
  name: string;
  embed: boolean;
  /** For embedded images: the bytes and type. */
  data?: Uint8Array;
  contentType?: string;
  /** For remote images: the URL used as is. */
  url?: string;
}

export interface ResolvedTemplate {
  name: string;
  html?: string;
  text?: string;
  css?: string;
  images: Record<string, ResolvedImage>;
}

export interface ResolvedStamp {
  template: string;
  placement: Placement;
  once?: "thread";
}

export interface ResolvedRule {
  name: string;
  /** Position in the config's `rules` list. */
  index: number;
  enabled: boolean;
  priority: number;
  when?: Condition;
  unless?: Condition;
  stamps: ResolvedStamp[];
  stop: boolean;
}

export interface ResolvedLimits {
  maxMessageBytes: number;
  maxMimeDepth: number;
  maxParts: number;
  renderTimeoutMs: number;
}

export interface ResolvedOptions {
  marker: { header: string; secret?: string };
  protected: "skip" | "wrap" | "reject";
  calendar: "skip" | "stamp";
  limits: ResolvedLimits;
}

/** What parseConfig returns: every default applied, rules sorted by priority then list order, files read. */
export interface ResolvedConfig {
  readonly resolved: true;
  organization: { name?: string; domains: string[]; [key: string]: unknown };
  sender: "header" | "envelope" | "sender";
  directory: {
    users: Array<DirectoryUser & { mail: string; aliases: string[] }>;
    graph?: Record<string, unknown>;
  };
  templates: Record<string, ResolvedTemplate>;
  rules: ResolvedRule[];
  options: ResolvedOptions;
  relay?: Record<string, unknown>;
}
