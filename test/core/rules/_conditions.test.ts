import { describe, expect, it } from "vitest";
import type { Condition } from "../../../src/core/config/types.js";
import { ConfigError } from "../../../src/core/errors.js";
import { evaluateRules } from "../../../src/core/rules/evaluate-rules.js";
import { ALICE, makeFacts, type FactsInput } from "../../helpers/facts.js";
import { makeRule } from "./_rule.js";

type Case = [name: string, when: Condition, facts: FactsInput, expected: boolean];

function holds(when: Condition, facts: FactsInput = {}): boolean {
  return evaluateRules([makeRule({ when })], makeFacts(facts)).matchedRules.length === 1;
}

function table(cases: Case[]): void {
  it.each(cases)("%s", (_name, when, facts, expected) => {
    expect(holds(when, facts)).toBe(expected);
  });
}

describe("sender", () => {
  describe("address", () => {
    table([
      [
        "matches the sender address case-insensitively",
        { sender: { address: "ALICE@example.com" } },
        {},
        true,
      ],
      [
        "matches any address of a list",
        { sender: { address: ["x@example.com", "alice@example.com"] } },
        {},
        true,
      ],
      ["does not match another address", { sender: { address: "bob@example.com" } }, {}, false],
      [
        "does not match when the message has no sender",
        { sender: { address: "alice@example.com" } },
        { from: null },
        false,
      ],
    ]);
  });

  describe("domain", () => {
    table([
      ["matches the sender domain case-insensitively", { sender: { domain: "EXAMPLE.com" } }, {}, true],
      [
        "matches subdomains with *.example.org",
        { sender: { domain: "*.example.org" } },
        { from: "a@eu.example.org" },
        true,
      ],
      [
        "matches the apex with *.example.org",
        { sender: { domain: "*.example.org" } },
        { from: "a@example.org" },
        true,
      ],
      [
        "does not match a subdomain with a plain domain",
        { sender: { domain: "example.org" } },
        { from: "a@eu.example.org" },
        false,
      ],
      ["matches any domain of a list", { sender: { domain: ["a.net", "example.com"] } }, {}, true],
      ["does not match another domain", { sender: { domain: "example.net" } }, {}, false],
      [
        "does not match when the message has no sender",
        { sender: { domain: "example.com" } },
        { from: null },
        false,
      ],
    ]);
  });

  describe("groups", () => {
    table([
      ["matches a directory group case-insensitively", { sender: { groups: "executives" } }, {}, true],
      ["matches when any listed group is held", { sender: { groups: ["Sales", "Staff"] } }, {}, true],
      ["does not match groups the sender is not in", { sender: { groups: ["Sales", "Legal"] } }, {}, false],
      ["does not match for an unknown sender", { sender: { groups: "Staff" } }, { user: null }, false],
    ]);
  });

  describe("attributes", () => {
    table([
      [
        "compares a string attribute case-insensitively",
        { sender: { attributes: { department: "FINANCE" } } },
        {},
        true,
      ],
      [
        "compares against any value of a list",
        { sender: { attributes: { department: ["Legal", "Finance"] } } },
        {},
        true,
      ],
      ["does not match a different value", { sender: { attributes: { department: "Legal" } } }, {}, false],
      ["compares equality, not substrings", { sender: { attributes: { department: "Fin" } } }, {}, false],
      ["does not match a missing attribute", { sender: { attributes: { city: "Paris" } } }, {}, false],
      ["applies a TextMatch regex", { sender: { attributes: { jobTitle: { matches: "^vp" } } } }, {}, true],
      [
        "rejects a TextMatch regex that does not match",
        { sender: { attributes: { jobTitle: { matches: "^CFO" } } } },
        {},
        false,
      ],
      [
        "applies a TextMatch contains",
        { sender: { attributes: { jobTitle: { contains: "finance" } } } },
        {},
        true,
      ],
      [
        "applies a TextMatch equals",
        { sender: { attributes: { jobTitle: { equals: "vp finance" } } } },
        {},
        true,
      ],
      [
        "matches a list attribute when any element matches",
        { sender: { attributes: { businessPhones: "+1 555 0199" } } },
        {},
        true,
      ],
      [
        "matches a list attribute with a TextMatch on any element",
        { sender: { attributes: { businessPhones: { contains: "0199" } } } },
        {},
        true,
      ],
      [
        "does not match a list attribute when no element matches",
        { sender: { attributes: { businessPhones: "+1 555 0000" } } },
        {},
        false,
      ],
      [
        "compares numeric attributes as text",
        { sender: { attributes: { employeeId: "42" } } },
        { user: { ...ALICE, employeeId: 42 } },
        true,
      ],
      [
        "does not match for an unknown sender",
        { sender: { attributes: { department: "Finance" } } },
        { user: null },
        false,
      ],
      [
        "does not match a TextMatch for an unknown sender",
        { sender: { attributes: { jobTitle: { matches: "." } } } },
        { user: null },
        false,
      ],
      [
        "ANDs several attributes",
        { sender: { attributes: { department: "Finance", jobTitle: "CFO" } } },
        {},
        false,
      ],
    ]);
  });

  table([
    ["ANDs the keys of a sender condition", { sender: { domain: "example.com", groups: "Staff" } }, {}, true],
    [
      "fails when one key of a sender condition fails",
      { sender: { domain: "example.com", groups: "Sales" } },
      {},
      false,
    ],
  ]);
});

describe("recipients", () => {
  const internalOnly = ["bob@example.com", "carol@eu.example.org"];
  const mixed = ["bob@example.com", "dave@partner.net"];
  table([
    ["treats all-internal recipients as internal", { recipients: "internal" }, { to: internalOnly }, true],
    ["does not treat mixed recipients as internal", { recipients: "internal" }, { to: mixed }, false],
    [
      "does not treat a message without recipients as internal",
      { recipients: "internal" },
      { to: [] },
      false,
    ],
    ["treats one outside recipient as external", { recipients: "external" }, { to: mixed }, true],
    [
      "does not treat all-internal recipients as external",
      { recipients: "external" },
      { to: internalOnly },
      false,
    ],
    [
      "does not treat a message without recipients as external",
      { recipients: "external" },
      { to: [] },
      false,
    ],
    [
      "matches a recipient domain (any by default)",
      { recipients: { domains: "partner.net" } },
      { to: mixed },
      true,
    ],
    [
      "matches recipient subdomains with *.",
      { recipients: { domains: "*.partner.net" } },
      { to: ["x@eu.partner.net"] },
      true,
    ],
    [
      "does not match when no recipient is in the domains",
      { recipients: { domains: "other.net" } },
      { to: mixed },
      false,
    ],
    [
      "requires every recipient with match: all",
      { recipients: { domains: "partner.net", match: "all" } },
      { to: mixed },
      false,
    ],
    [
      "holds with match: all when every recipient matches",
      { recipients: { domains: ["partner.net", "example.com"], match: "all" } },
      { to: mixed },
      true,
    ],
    [
      "does not hold match: all without recipients",
      { recipients: { domains: "partner.net", match: "all" } },
      { to: [] },
      false,
    ],
    [
      "matches a recipient address case-insensitively",
      { recipients: { addresses: "DAVE@partner.net" } },
      { to: mixed },
      true,
    ],
    [
      "does not match an address that is not a recipient",
      { recipients: { addresses: "eve@partner.net" } },
      { to: mixed },
      false,
    ],
    ["matches scope external per recipient", { recipients: { scope: "external" } }, { to: mixed }, true],
    [
      "fails scope external with only internal recipients",
      { recipients: { scope: "external" } },
      { to: internalOnly },
      false,
    ],
    [
      "requires scope internal for every recipient with match: all",
      { recipients: { scope: "internal", match: "all" } },
      { to: mixed },
      false,
    ],
    [
      "ANDs scope and domains for the same recipient",
      { recipients: { scope: "internal", domains: "partner.net" } },
      { to: mixed },
      false,
    ],
  ]);
});

describe("subject", () => {
  table([
    ["contains a substring case-insensitively", { subject: { contains: "QUARTERLY" } }, {}, true],
    ["contains any of a list", { subject: { contains: ["[secure]", "numbers"] } }, {}, true],
    ["does not contain an absent substring", { subject: { contains: "[no-signature]" } }, {}, false],
    ["matches a regular expression case-insensitively", { subject: { matches: "^quarterly\\b" } }, {}, true],
    ["does not match a regular expression that fails", { subject: { matches: "^(Re|Fwd):" } }, {}, false],
    ["equals the whole subject case-insensitively", { subject: { equals: "quarterly NUMBERS" } }, {}, true],
    ["does not equal a part of the subject", { subject: { equals: "Quarterly" } }, {}, false],
    ["ANDs contains and matches", { subject: { contains: "numbers", matches: "^Re:" } }, {}, false],
    ["sees an empty subject", { subject: { equals: "" } }, { subject: "" }, true],
  ]);
});

describe("body", () => {
  table([
    ["contains text of the latest part by default", { body: { contains: "numbers" } }, {}, true],
    ["ignores the quoted conversation by default", { body: { contains: "Bob wrote" } }, {}, false],
    [
      "looks at the quoted conversation with scope: whole",
      { body: { contains: "bob WROTE", scope: "whole" } },
      {},
      true,
    ],
    ["matches a regular expression", { body: { matches: "\\battached\\b" } }, {}, true],
    [
      "does not match a regular expression that fails",
      { body: { matches: "\\bconfidential\\b" } },
      {},
      false,
    ],
  ]);

  it("does not decode the body when no rule looks at it", () => {
    const facts = makeFacts();
    evaluateRules([makeRule({ when: { subject: { contains: "numbers" } } })], facts);
    expect(facts.bodyCalls).toEqual([]);
  });

  it("decodes each body scope once for all rules", () => {
    const facts = makeFacts();
    const when: Condition = { body: { contains: "numbers" } };
    evaluateRules([makeRule({ when }), makeRule({ when, stamps: [{ template: "legal" }] })], facts);
    expect(facts.bodyCalls).toEqual(["latest"]);
  });
});

describe("header", () => {
  const headers = {
    "X-Priority": "1",
    Received: ["from a.example.com", "from mx.partner.net"],
    "List-Id": "<news.example.com>",
  };
  table([
    [
      "finds a present header with exists: true, any case",
      { header: { name: "x-PRIORITY", exists: true } },
      { headers },
      true,
    ],
    [
      "fails exists: true for an absent header",
      { header: { name: "X-Spam", exists: true } },
      { headers },
      false,
    ],
    [
      "holds exists: false for an absent header",
      { header: { name: "X-Spam", exists: false } },
      { headers },
      true,
    ],
    [
      "fails exists: false for a present header",
      { header: { name: "X-Priority", exists: false } },
      { headers },
      false,
    ],
    ["treats a name alone as exists", { header: { name: "List-Id" } }, { headers }, true],
    [
      "contains a substring of the value",
      { header: { name: "List-Id", contains: "NEWS." } },
      { headers },
      true,
    ],
    ["equals the whole value", { header: { name: "X-Priority", equals: "1" } }, { headers }, true],
    ["does not equal another value", { header: { name: "X-Priority", equals: "2" } }, { headers }, false],
    [
      "matches a regex against the value",
      { header: { name: "X-Priority", matches: "^[12]$" } },
      { headers },
      true,
    ],
    [
      "matches when any value of a repeated header matches",
      { header: { name: "Received", contains: "partner.net" } },
      { headers },
      true,
    ],
    [
      "matches a regex on any value of a repeated header",
      { header: { name: "Received", matches: "^from a\\." } },
      { headers },
      true,
    ],
    ["fails contains on an absent header", { header: { name: "X-Spam", contains: "" } }, { headers }, false],
    [
      "ANDs a list of header conditions",
      {
        header: [
          { name: "X-Priority", equals: "1" },
          { name: "List-Id", exists: true },
        ],
      },
      { headers },
      true,
    ],
    [
      "fails a list when one header condition fails",
      {
        header: [
          { name: "X-Priority", equals: "1" },
          { name: "X-Spam", exists: true },
        ],
      },
      { headers },
      false,
    ],
  ]);
});

describe("messageType, attachments, size, date", () => {
  table([
    ["matches one message type", { messageType: "reply" }, { messageType: "reply" }, true],
    ["does not match another message type", { messageType: "reply" }, { messageType: "new" }, false],
    [
      "matches any of a list of message types",
      { messageType: ["new", "forward"] },
      { messageType: "forward" },
      true,
    ],
    ["holds attachments: true with an attachment", { attachments: true }, { hasAttachments: true }, true],
    ["fails attachments: true without one", { attachments: true }, { hasAttachments: false }, false],
    ["holds attachments: false without one", { attachments: false }, { hasAttachments: false }, true],
    ["fails attachments: false with one", { attachments: false }, { hasAttachments: true }, false],
    ["holds size over for a larger message", { size: { over: 9_999 } }, { size: 10_000 }, true],
    ["fails size over at exactly the limit", { size: { over: 10_000 } }, { size: 10_000 }, false],
    ["holds size under for a smaller message", { size: { under: 10_001 } }, { size: 10_000 }, true],
    ["fails size under at exactly the limit", { size: { under: 10_000 } }, { size: 10_000 }, false],
    ["ANDs over and under", { size: { over: 1_000, under: 5_000 } }, { size: 10_000 }, false],
    ["holds date from at exactly the start", { date: { from: "2025-06-15T12:00:00Z" } }, {}, true],
    ["fails date from before the start", { date: { from: "2025-06-16" } }, {}, false],
    ["holds date until before the end", { date: { until: "2025-07-01" } }, {}, true],
    ["fails date until at exactly the end", { date: { until: "2025-06-15T12:00:00Z" } }, {}, false],
    ["holds inside a from-until window", { date: { from: "2025-06-01", until: "2025-07-01" } }, {}, true],
    ["fails outside a from-until window", { date: { from: "2025-05-01", until: "2025-06-01" } }, {}, false],
  ]);
});

describe("combinators", () => {
  table([
    ["ANDs the keys of one object", { subject: { contains: "numbers" }, recipients: "internal" }, {}, false],
    [
      "holds all when every child holds",
      { all: [{ subject: { contains: "numbers" } }, { recipients: "external" }] },
      {},
      true,
    ],
    [
      "fails all when one child fails",
      { all: [{ subject: { contains: "numbers" } }, { recipients: "internal" }] },
      {},
      false,
    ],
    [
      "holds any when one child holds",
      { any: [{ recipients: "internal" }, { subject: { contains: "numbers" } }] },
      {},
      true,
    ],
    [
      "fails any when no child holds",
      { any: [{ recipients: "internal" }, { attachments: true }] },
      {},
      false,
    ],
    ["holds an empty all", { all: [] }, {}, true],
    ["fails an empty any", { any: [] }, {}, false],
    ["negates with not", { not: { recipients: "internal" } }, {}, true],
    ["fails not when the inner condition holds", { not: { recipients: "external" } }, {}, false],
    [
      "nests any inside all inside not",
      {
        not: { all: [{ any: [{ attachments: true }, { messageType: "new" }] }, { recipients: "external" }] },
      },
      {},
      false,
    ],
    [
      "nests not inside any",
      { any: [{ attachments: true }, { not: { sender: { groups: "Sales" } } }] },
      {},
      true,
    ],
    ["holds an empty condition object", {}, {}, true],
  ]);
});

describe("misuse", () => {
  it.each<[string, Condition]>([
    ["an unknown condition key", { subjct: { contains: "x" } } as unknown as Condition],
    ["an unknown text test", { subject: { startsWith: "x" } } as unknown as Condition],
    ["an unknown sender key", { sender: { mail: "x" } } as unknown as Condition],
    ["an unsafe regular expression", { subject: { matches: "(a+)+$" } }],
    ["an invalid date", { date: { from: "next tuesday" } }],
    ["a size that is not a number", { size: { over: "1 MB" } } as unknown as Condition],
    ["a header without a name", { header: { contains: "x" } } as unknown as Condition],
    ["a misspelt recipients scope", { recipients: "externals" } as unknown as Condition],
    ["an unknown message type", { messageType: "replies" } as unknown as Condition],
    ["a body equals test", { body: { equals: "x" } } as unknown as Condition],
    ["attachments that is not a boolean", { attachments: "yes" } as unknown as Condition],
  ])("throws a ConfigError for %s, naming the rule path", (_name, when) => {
    let error: unknown;
    try {
      evaluateRules([makeRule({ index: 4, when })], makeFacts());
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("CONFIG_INVALID");
    expect((error as ConfigError).issues[0]?.path).toMatch(/^rules\[4\]\.when\./);
  });
});
