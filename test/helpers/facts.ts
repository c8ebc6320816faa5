/** Builds the MessageFacts the rule engine reads, with readable defaults, for rule tests. */
import type { DirectoryUser } from "../../src/core/directory/types.js";
import type { MessageFacts, MessageType, RecipientInfo } from "../../src/core/types.js";
import { domainOf, isInternalDomain } from "../../src/core/rules/domain-match.js";

export const ORG_DOMAINS = ["example.com", "*.example.org"];

export const ALICE: DirectoryUser = {
  mail: "alice@example.com",
  displayName: "Alice Example",
  jobTitle: "VP Finance",
  department: "Finance",
  businessPhones: ["+1 555 0100", "+1 555 0199"],
  groups: ["Executives", "Staff"],
};

export interface FactsInput {
  /** Sender address; `null` for a message without one. */
  from?: string | null;
  /** Directory record; `null` for an unknown sender. @default ALICE */
  user?: DirectoryUser | null;
  /** Recipient addresses; internal ones are decided by `orgDomains`. */
  to?: string[];
  orgDomains?: string[];
  subject?: string;
  /** Header values by name (any case); a list is a repeated header. */
  headers?: Record<string, string | string[]>;
  messageType?: MessageType;
  hasAttachments?: boolean;
  size?: number;
  now?: string;
  body?: { latest?: string; whole?: string };
}

/** MessageFacts plus a log of every `bodyText` call, to check that bodies are decoded only when needed. */
export type TestFacts = MessageFacts & { bodyCalls: Array<"latest" | "whole"> };

export function makeFacts(input: FactsInput = {}): TestFacts {
  const orgDomains = input.orgDomains ?? ORG_DOMAINS;
  const from = input.from === undefined ? "alice@example.com" : input.from;
  const recipients: RecipientInfo[] = (input.to ?? ["bob@partner.net"]).map((address) => ({
    address,
    domain: domainOf(address),
    internal: isInternalDomain(domainOf(address), orgDomains),
  }));
  const headers = new Map<string, string[]>();
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers.set(name.toLowerCase(), Array.isArray(value) ? value : [value]);
  }
  const bodyCalls: Array<"latest" | "whole"> = [];
  const user = input.user === undefined ? ALICE : input.user;
  return {
    sender: from === null ? {} : { address: from, domain: domainOf(from) },
    ...(user === null ? {} : { user }),
    recipients,
    subject: input.subject ?? "Quarterly numbers",
    headers,
    messageType: input.messageType ?? "new",
    hasAttachments: input.hasAttachments ?? false,
    size: input.size ?? 10_000,
    now: new Date(input.now ?? "2025-06-15T12:00:00Z"),
    bodyCalls,
    bodyText(scope) {
      bodyCalls.push(scope);
      const latest = input.body?.latest ?? "Hi Bob, the numbers are attached.";
      return scope === "latest"
        ? latest
        : (input.body?.whole ?? `${latest}\n\n> On Monday Bob wrote:\n> hello`);
    },
  };
}
