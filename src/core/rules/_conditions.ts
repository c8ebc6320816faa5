/**
 * Evaluating one `Condition` (SPEC §3) against the facts of a message, lazily and in the order the admin
 * wrote the keys, recording every condition looked at into the rule's trace.
 */
import type {
  BodyCondition,
  Condition,
  HeaderCondition,
  RecipientsCondition,
  SenderCondition,
  TextMatch,
} from "../config/types.js";
import type { MessageFacts, RecipientInfo } from "../types.js";
import { domainOf, matchesDomain } from "./domain-match.js";
import { invalidCondition, matchText, stringList, toList, type TextMatchScope } from "./_text-match.js";
import { allOf, leaf, record, type Verdict } from "./_trace.js";
import { CONDITION_KEYS, MESSAGE_TYPES } from "./condition-keys.js";

/** What a condition is evaluated against, plus where its trace goes. */
export interface ConditionContext extends TextMatchScope {
  facts: MessageFacts;
  /** `facts.bodyText`, cached for the whole evaluation: decoding a body is the costliest fact. */
  bodyText(scope: "latest" | "whole"): string;
}

type ConditionKey = keyof Condition;

const MESSAGE_TYPE_SET: ReadonlySet<string> = new Set<string>(MESSAGE_TYPES);
const CONDITION_KEY_SET: ReadonlySet<string> = new Set<string>(CONDITION_KEYS);

/** The keys of a condition object in written order, rejecting keys that are not conditions. */
export function conditionKeys(cond: Condition, path: string, ctx: ConditionContext): ConditionKey[] {
  if (typeof cond !== "object" || cond === null || Array.isArray(cond)) {
    invalidCondition(`${ctx.rulePath}.${path}`, "expected a condition object");
  }
  return Object.keys(cond).filter((key): key is ConditionKey => {
    // An unknown key silently ignored would make the condition broader than the admin wrote it.
    if (!CONDITION_KEY_SET.has(key)) invalidCondition(`${ctx.rulePath}.${path}.${key}`, "unknown condition");
    return cond[key as ConditionKey] !== undefined;
  });
}

/** Evaluates a condition object: its keys are ANDed, short-circuiting at the first that fails. */
export function evaluateCondition(cond: Condition, path: string, ctx: ConditionContext): Verdict {
  return allOf(conditionKeys(cond, path, ctx).map((key) => () => evaluateConditionKey(cond, key, path, ctx)));
}

/** Evaluates one key of a condition object; `path` is the object's path (`when`, `when.any[1]`). */
export function evaluateConditionKey(
  cond: Condition,
  key: ConditionKey,
  path: string,
  ctx: ConditionContext,
): Verdict {
  const at = `${path}.${key}`;
  const { facts, trace } = ctx;
  switch (key) {
    case "sender":
      return evaluateSender(cond.sender as SenderCondition, at, ctx);
    case "recipients":
      return evaluateRecipients(cond.recipients as NonNullable<Condition["recipients"]>, at, ctx);
    case "subject":
      return matchText(ctx, at, [facts.subject], objectAt(cond.subject, at, ctx), facts.subject);
    case "body":
      return evaluateBody(objectAt(cond.body, at, ctx) as BodyCondition, at, ctx);
    case "header": {
      const list = toList(cond.header as HeaderCondition | HeaderCondition[]);
      const single = !Array.isArray(cond.header);
      return allOf(list.map((h, i) => () => evaluateHeader(h, single ? at : `${at}[${i}]`, ctx)));
    }
    case "messageType": {
      const types = stringList(cond.messageType, `${ctx.rulePath}.${at}`);
      if (!types.every((t) => MESSAGE_TYPE_SET.has(t))) {
        invalidCondition(`${ctx.rulePath}.${at}`, "expected new, reply or forward");
      }
      return leaf(trace, at, facts.messageType, types.includes(facts.messageType));
    }
    case "attachments":
      if (typeof cond.attachments !== "boolean")
        invalidCondition(`${ctx.rulePath}.${at}`, "expected true or false");
      return leaf(trace, at, facts.hasAttachments, facts.hasAttachments === cond.attachments);
    case "size":
      return evaluateSize(objectAt(cond.size, at, ctx), at, ctx);
    case "date":
      return evaluateDate(objectAt(cond.date, at, ctx), at, ctx);
    case "all":
    case "any":
      return evaluateList(key, cond[key], at, ctx);
    case "not": {
      const inner = evaluateCondition(objectAt(cond.not, at, ctx), at, ctx);
      record(trace, at, inner.holds, !inner.holds);
      return { holds: !inner.holds, decidedBy: at };
    }
  }
}

function evaluateList(key: "all" | "any", list: unknown, at: string, ctx: ConditionContext): Verdict {
  if (!Array.isArray(list)) invalidCondition(`${ctx.rulePath}.${at}`, "expected a list of conditions");
  const seen: boolean[] = [];
  let decided: Verdict | undefined;
  for (const [i, child] of (list as Condition[]).entries()) {
    const v = evaluateCondition(child, `${at}[${i}]`, ctx);
    seen.push(v.holds);
    if (key === "all" && !v.holds) {
      decided = v;
      break;
    }
    if (key === "any" && v.holds) {
      decided = v;
      break;
    }
    if (key === "all") decided = v;
  }
  // `all: []` holds and `any: []` does not: the identities of AND and OR.
  const holds = key === "all" ? seen.every(Boolean) : seen.some(Boolean);
  record(ctx.trace, at, seen, holds);
  const decidedBy = key === "any" && !holds ? at : (decided?.decidedBy ?? at);
  return { holds, decidedBy };
}

function evaluateSender(cond: SenderCondition, at: string, ctx: ConditionContext): Verdict {
  const { facts, trace } = ctx;
  const user = facts.user;
  const address = facts.sender.address?.trim().toLowerCase();
  return allOf(
    Object.entries(objectAt(cond, at, ctx))
      .filter(([, v]) => v !== undefined)
      .map(([key, expected]) => (): Verdict => {
        const path = `${at}.${key}`;
        const errorPath = `${ctx.rulePath}.${path}`;
        switch (key) {
          case "address": {
            const wanted = stringList(expected, errorPath).map((a) => a.trim().toLowerCase());
            return leaf(trace, path, address ?? null, address !== undefined && wanted.includes(address));
          }
          case "domain": {
            const domain = facts.sender.domain?.toLowerCase() ?? domainOf(address ?? "");
            const patterns = stringList(expected, errorPath);
            return leaf(
              trace,
              path,
              domain,
              patterns.some((p) => matchesDomain(domain, p)),
            );
          }
          case "groups": {
            const wanted = stringList(expected, errorPath).map((g) => g.toLowerCase());
            // An unknown sender has no groups: the condition is false, never an error.
            const groups = user?.groups;
            const holds = groups?.some((g) => wanted.includes(String(g).toLowerCase())) ?? false;
            return leaf(trace, path, groups ?? null, holds);
          }
          case "attributes":
            return evaluateAttributes(objectAt(expected, path, ctx), path, ctx);
          default:
            return invalidCondition(errorPath, "unknown sender condition");
        }
      }),
  );
}

function evaluateAttributes(cond: Record<string, unknown>, at: string, ctx: ConditionContext): Verdict {
  const user = ctx.facts.user;
  return allOf(
    Object.entries(cond)
      .filter(([, v]) => v !== undefined)
      .map(([name, expected]) => (): Verdict => {
        const path = `${at}.${name}`;
        const raw = user?.[name];
        const values = user ? attributeValues(raw) : undefined;
        const seen = user ? (raw ?? null) : null;
        if (typeof expected === "object" && expected !== null && !Array.isArray(expected)) {
          return matchText(ctx, path, values, expected as TextMatch, seen);
        }
        const wanted = stringList(expected, `${ctx.rulePath}.${path}`).map((w) => w.toLowerCase());
        const holds = values?.some((v) => wanted.includes(v.toLowerCase())) ?? false;
        return leaf(ctx.trace, path, seen, holds);
      }),
  );
}

/** Directory attributes are strings, lists (`businessPhones`) or occasionally numbers; anything else has no text. */
function attributeValues(raw: unknown): string[] {
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  return list.flatMap((v) =>
    typeof v === "string" ? [v] : typeof v === "number" || typeof v === "boolean" ? [String(v)] : [],
  );
}

function describeRecipients(recipients: readonly RecipientInfo[]): string[] {
  return recipients.map((r) => `${r.address} (${r.internal ? "internal" : "external"})`);
}

function evaluateRecipients(
  cond: NonNullable<Condition["recipients"]>,
  at: string,
  ctx: ConditionContext,
): Verdict {
  const recipients = ctx.facts.recipients;
  const seen = describeRecipients(recipients);
  if (cond === "internal") {
    // "All inside" needs at least one recipient: a message to nobody is not internal mail.
    return leaf(ctx.trace, at, seen, recipients.length > 0 && recipients.every((r) => r.internal));
  }
  if (cond === "external") {
    return leaf(
      ctx.trace,
      at,
      seen,
      recipients.some((r) => !r.internal),
    );
  }
  if (typeof cond === "string") {
    invalidCondition(`${ctx.rulePath}.${at}`, "expected internal, external or an object");
  }
  const c = objectAt(cond, at, ctx) as RecipientsCondition;
  const errorPath = `${ctx.rulePath}.${at}`;
  for (const key of Object.keys(c)) {
    if (!["scope", "domains", "addresses", "match"].includes(key)) {
      invalidCondition(`${errorPath}.${key}`, "unknown recipients condition");
    }
  }
  if (c.scope !== undefined && c.scope !== "internal" && c.scope !== "external") {
    invalidCondition(`${errorPath}.scope`, "expected internal or external");
  }
  if (c.match !== undefined && c.match !== "any" && c.match !== "all") {
    invalidCondition(`${errorPath}.match`, "expected any or all");
  }
  const domains = c.domains === undefined ? undefined : stringList(c.domains, `${errorPath}.domains`);
  const addresses =
    c.addresses === undefined
      ? undefined
      : stringList(c.addresses, `${errorPath}.addresses`).map((a) => a.trim().toLowerCase());
  // The keys are ANDed per recipient; `match` then says whether one recipient or every recipient must pass.
  const passes = (r: RecipientInfo): boolean =>
    (c.scope === undefined || r.internal === (c.scope === "internal")) &&
    (domains === undefined || domains.some((d) => matchesDomain(r.domain || domainOf(r.address), d))) &&
    (addresses === undefined || addresses.includes(r.address.trim().toLowerCase()));
  const holds =
    c.match === "all" ? recipients.length > 0 && recipients.every(passes) : recipients.some(passes);
  return leaf(ctx.trace, at, seen, holds);
}

function evaluateBody(cond: BodyCondition, at: string, ctx: ConditionContext): Verdict {
  const { scope = "latest", ...tests } = cond;
  if (scope !== "latest" && scope !== "whole") {
    invalidCondition(`${ctx.rulePath}.${at}.scope`, "expected latest or whole");
  }
  if ("equals" in tests)
    invalidCondition(`${ctx.rulePath}.${at}.equals`, "body supports contains and matches");
  // Only decode the body when a test actually needs it: most rules never look at it.
  let text: string | undefined;
  const lazy = (): string => (text ??= ctx.bodyText(scope));
  const entries = Object.entries(tests).filter(([, v]) => v !== undefined);
  return allOf(
    entries.map(([key, value]) => () => {
      const body = lazy();
      return matchText(ctx, at, [body], { [key]: value } as TextMatch, body);
    }),
  );
}

function evaluateHeader(cond: HeaderCondition, at: string, ctx: ConditionContext): Verdict {
  const h = objectAt(cond, at, ctx) as HeaderCondition;
  if (typeof h.name !== "string" || h.name.trim() === "") {
    invalidCondition(`${ctx.rulePath}.${at}.name`, "expected a header name");
  }
  const values = ctx.facts.headers.get(h.name.trim().toLowerCase()) ?? [];
  const seen = values.length === 1 ? values[0] : values;
  const entries = Object.entries(h).filter(([key, v]) => key !== "name" && v !== undefined);
  // A header condition with only a name asks whether the header is there.
  if (entries.length === 0) return leaf(ctx.trace, `${at}.exists`, seen, values.length > 0);
  return allOf(
    entries.map(([key, value]) => (): Verdict => {
      if (key === "exists") {
        if (typeof value !== "boolean")
          invalidCondition(`${ctx.rulePath}.${at}.exists`, "expected true or false");
        return leaf(ctx.trace, `${at}.exists`, seen, values.length > 0 === value);
      }
      return matchText(ctx, at, values, { [key]: value } as TextMatch, seen);
    }),
  );
}

function evaluateSize(cond: { over?: number; under?: number }, at: string, ctx: ConditionContext): Verdict {
  const size = ctx.facts.size;
  return allOf(
    Object.entries(cond)
      .filter(([, v]) => v !== undefined)
      .map(([key, limit]) => (): Verdict => {
        const path = `${at}.${key}`;
        if (key !== "over" && key !== "under")
          invalidCondition(`${ctx.rulePath}.${path}`, "expected over or under");
        if (typeof limit !== "number" || !Number.isFinite(limit)) {
          invalidCondition(`${ctx.rulePath}.${path}`, "expected a number of bytes");
        }
        return leaf(ctx.trace, path, size, key === "over" ? size > limit : size < limit);
      }),
  );
}

function evaluateDate(cond: { from?: string; until?: string }, at: string, ctx: ConditionContext): Verdict {
  const now = ctx.facts.now;
  return allOf(
    Object.entries(cond)
      .filter(([, v]) => v !== undefined)
      .map(([key, iso]) => (): Verdict => {
        const path = `${at}.${key}`;
        if (key !== "from" && key !== "until")
          invalidCondition(`${ctx.rulePath}.${path}`, "expected from or until");
        const when = typeof iso === "string" ? Date.parse(iso) : NaN;
        if (Number.isNaN(when)) invalidCondition(`${ctx.rulePath}.${path}`, "expected an ISO 8601 date");
        // [from, until): a campaign that ends at midnight is over at midnight.
        const holds = key === "from" ? now.getTime() >= when : now.getTime() < when;
        return leaf(ctx.trace, path, now.toISOString(), holds);
      }),
  );
}

function objectAt<T>(value: T | undefined, at: string, ctx: ConditionContext): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    invalidCondition(`${ctx.rulePath}.${at}`, "expected an object");
  }
  return value;
}
