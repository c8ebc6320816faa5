/** The outcome types of the public API (SPEC §2) and the facts the rule engine reads. */
import type { DirectoryUser } from "./directory/types.js";

export type Placement = "top" | "under-reply" | "bottom";
export type MessageType = "new" | "reply" | "forward";
export type BodyPartType = "text/html" | "text/plain";

/** Why nothing was changed (SPEC §6). */
export type SkipReason =
  | "already-stamped"
  | "no-rule-matched"
  | "protected"
  | "report"
  | "auto-reply"
  | "calendar"
  | "no-body"
  | "limits"
  | "unparseable";

/** One template placed into the message. */
export interface AppliedStamp {
  rule: string;
  template: string;
  placement: Placement;
  /** The body parts the stamp went into. */
  parts: BodyPartType[];
  /** Which reply-boundary pattern decided an `under-reply` position, per part (for the trace). */
  boundary?: Partial<Record<BodyPartType, string>>;
}

/** One condition as the engine saw it. */
export interface ConditionTrace {
  /** Where in the rule: `when.sender.groups`, `unless.subject.contains`, `when.any[1].recipients`. */
  path: string;
  /** The value the condition looked at (addresses, subject, groups, …), bounded for display. */
  seen: unknown;
  /** Whether this condition held. */
  verdict: boolean;
}

/** Per rule: matched or not, why, and every condition evaluated. */
export interface RuleTrace {
  rule: string;
  index: number;
  enabled: boolean;
  matched: boolean;
  /** The condition path that decided the outcome (the first that failed, or the `unless` that vetoed). */
  decidedBy?: string;
  /** Human-readable one-liner: "matched", "disabled", "not reached (stopped by rule …)", … */
  note?: string;
  conditions: ConditionTrace[];
}

/** What `stamp()` returns. It never throws for any message bytes. */
export interface StampResult {
  status: "stamped" | "skipped" | "rejected";
  /** Why nothing was changed; absent when stamped. */
  reason?: SkipReason;
  /** A human-readable detail for the reason (which limit, which protection, …). */
  detail?: string;
  /** The stamped bytes, or the original bytes untouched when skipped or rejected. */
  message: Uint8Array;
  stamps: AppliedStamp[];
  messageType: MessageType;
  trace: RuleTrace[];
}

/** A recipient as rules and templates see it. */
export interface RecipientInfo {
  address: string;
  name?: string;
  domain: string;
  internal: boolean;
}

/** The facts about one message that conditions read; the stamper builds them once per message. */
export interface MessageFacts {
  sender: { address?: string; name?: string; domain?: string };
  /** The directory record of the sender; undefined when unknown. */
  user?: DirectoryUser;
  recipients: RecipientInfo[];
  /** Decoded subject ("" when absent). */
  subject: string;
  /** Decoded header values by lower-case name (repeated headers keep every value, in order). */
  headers: ReadonlyMap<string, string[]>;
  messageType: MessageType;
  hasAttachments: boolean;
  /** Size of the raw message in bytes. */
  size: number;
  /** The processing time. */
  now: Date;
  /** Decoded body text; computed lazily because most rules never look at it. */
  bodyText(scope: "latest" | "whole"): string;
}
