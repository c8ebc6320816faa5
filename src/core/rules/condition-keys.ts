import type { Condition } from "../config/types.js";
import type { MessageType } from "../types.js";

/** Every key a condition object may hold (SPEC §3), in the order docs and messages list them. */
export const CONDITION_KEYS = [
  "sender",
  "recipients",
  "subject",
  "body",
  "header",
  "messageType",
  "attachments",
  "size",
  "date",
  "all",
  "any",
  "not",
] as const satisfies ReadonlyArray<keyof Condition>;

/** The message types `messageType` conditions and `classifyMessage` speak of. */
export const MESSAGE_TYPES = ["new", "reply", "forward"] as const satisfies readonly MessageType[];
