import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { issuesOf, withCondition } from "./_helpers.js";

describe("conditions", () => {
  it("accepts every condition key, nested through all, any and not", () => {
    const when = {
      sender: {
        address: ["alice@example.com"],
        domain: "*.example.org",
        groups: "Staff",
        attributes: { department: "Finance", jobTitle: { matches: "^VP" }, country: ["DE", "AT"] },
      },
      recipients: {
        scope: "external",
        domains: ["partner.example"],
        addresses: "bob@partner.example",
        match: "all",
      },
      subject: { contains: ["invoice", "quote"], equals: "Hello" },
      body: { contains: "confidential", scope: "whole" },
      header: [
        { name: "X-Priority", equals: "1" },
        { name: "List-Id", exists: false },
      ],
      messageType: ["new", "forward"],
      attachments: true,
      size: { over: 1000, under: 2000 },
      all: [
        { recipients: "internal" },
        { any: [{ subject: { matches: "\\d{3}-\\d{4}" } }, { not: { attachments: false } }] },
      ],
    };
    const config = parseConfig(withCondition(when), { env: {} });
    expect(config.rules[0]?.when).toEqual(when);
  });

  const invalid: Array<[string, unknown, string, string]> = [
    ["a condition that is a string", "external", "rules[0].when", "expected object"],
    [
      "an empty condition",
      {},
      "rules[0].when",
      "empty condition (expected at least one of sender, recipients, subject, body, header, messageType, attachments, size, date, all, any, not)",
    ],
    [
      "groups as a number",
      { sender: { groups: 42 } },
      "rules[0].when.sender.groups",
      "expected string or string[]",
    ],
    [
      "an empty groups list",
      { sender: { groups: [] } },
      "rules[0].when.sender.groups",
      "expected at least one value (an empty list never matches)",
    ],
    [
      "a number inside a list",
      { sender: { groups: ["Staff", 2024] } },
      "rules[0].when.sender.groups[1]",
      "expected string",
    ],
    [
      "an empty sender",
      { sender: {} },
      "rules[0].when.sender",
      "expected at least one of address, domain, groups, attributes",
    ],
    [
      "a sender address without @",
      { sender: { address: "example.com" } },
      "rules[0].when.sender.address",
      'expected an address such as alice@example.com, got "example.com"',
    ],
    [
      "a sender domain written as an address",
      { sender: { domain: ["a@example.com"] } },
      "rules[0].when.sender.domain[0]",
      'expected a domain, not an address ("a@example.com")',
    ],
    [
      "an attribute test that is a number",
      { sender: { attributes: { floor: 3 } } },
      "rules[0].when.sender.attributes.floor",
      "expected string, string[] or { contains, matches, equals }",
    ],
    [
      "an attribute text test with a typo",
      { sender: { attributes: { jobTitle: { match: "^VP" } } } },
      "rules[0].when.sender.attributes.jobTitle.match",
      'unknown key "match" (did you mean "matches"?)',
    ],
    [
      "recipients as another word",
      { recipients: "outside" },
      "rules[0].when.recipients",
      "expected one of internal, external",
    ],
    [
      "recipients as a list",
      { recipients: ["external"] },
      "rules[0].when.recipients",
      "expected internal, external or { scope, domains, addresses, match }",
    ],
    [
      "recipients with only match",
      { recipients: { match: "all" } },
      "rules[0].when.recipients",
      "expected at least one of scope, domains, addresses",
    ],
    [
      "recipients match other than any/all",
      { recipients: { domains: "partner.example", match: "some" } },
      "rules[0].when.recipients.match",
      "expected one of any, all",
    ],
    [
      "an empty subject test",
      { subject: {} },
      "rules[0].when.subject",
      "expected at least one of contains, matches, equals",
    ],
    [
      "an empty contains",
      { subject: { contains: "" } },
      "rules[0].when.subject.contains",
      "expected a non-empty string (every text contains the empty string)",
    ],
    [
      "an empty regex",
      { subject: { matches: "" } },
      "rules[0].when.subject.matches",
      "expected a non-empty string",
    ],
    [
      "a body test with only a scope",
      { body: { scope: "whole" } },
      "rules[0].when.body",
      "expected at least one of contains, matches",
    ],
    [
      "a body scope",
      { body: { contains: "x", scope: "all" } },
      "rules[0].when.body.scope",
      "expected one of latest, whole",
    ],
    ["a header test without name", { header: { contains: "x" } }, "rules[0].when.header.name", "required"],
    [
      "a header name with a colon",
      { header: [{ name: "X-Test:", exists: true }] },
      "rules[0].when.header[0].name",
      'expected a header field name (printable ASCII without ":" or spaces), got "X-Test:"',
    ],
    [
      "a header absent and containing text",
      { header: { name: "X-Test", exists: false, contains: "x" } },
      "rules[0].when.header.exists",
      "exists: false cannot be combined with contains, matches or equals",
    ],
    ["a header as a string", { header: "X-Test" }, "rules[0].when.header", "expected object or object[]"],
    [
      "a message type",
      { messageType: "draft" },
      "rules[0].when.messageType",
      "expected one of new, reply, forward",
    ],
    [
      "a message type in a list",
      { messageType: ["reply", "fwd"] },
      "rules[0].when.messageType[1]",
      "expected one of new, reply, forward",
    ],
    [
      "attachments as a string",
      { attachments: "yes" },
      "rules[0].when.attachments",
      "expected boolean (true or false)",
    ],
    ["a zero size", { size: { over: 0 } }, "rules[0].when.size.over", "expected a positive integer"],
    [
      "a size in text",
      { size: { under: "10MB" } },
      "rules[0].when.size.under",
      "expected a positive integer",
    ],
    [
      "a size window that is empty",
      { size: { over: 2000, under: 1000 } },
      "rules[0].when.size.under",
      "must be greater than over (2000), or no message can match",
    ],
    ["an empty size", { size: {} }, "rules[0].when.size", "expected at least one of over, under"],
    [
      "an empty all",
      { all: [] },
      "rules[0].when.all",
      'expected at least one condition (an empty "all" is almost certainly a mistake)',
    ],
    [
      "an empty any",
      { any: [] },
      "rules[0].when.any",
      'expected at least one condition (an empty "any" is almost certainly a mistake)',
    ],
    ["any as an object", { any: { attachments: true } }, "rules[0].when.any", "expected a list"],
    ["not as a list", { not: [{ attachments: true }] }, "rules[0].when.not", "expected object"],
    [
      "a nested mistake",
      { any: [{ attachments: true }, { subject: { matches: 5 } }] },
      "rules[0].when.any[1].subject.matches",
      "expected a non-empty string",
    ],
    [
      "a mistake deep inside not",
      { not: { all: [{ messageType: "reply" }, { recipients: "somewhere" }] } },
      "rules[0].when.not.all[1].recipients",
      "expected one of internal, external",
    ],
  ];
  it.each(invalid)("rejects %s", (_what, when, path, message) => {
    expect(issuesOf(withCondition(when))).toEqual([{ path, message }]);
  });

  it("validates unless like when", () => {
    const config = withCondition({ attachments: true });
    (config.rules as Array<Record<string, unknown>>)[0]!.unless = { subject: { contans: "x" } };
    expect(issuesOf(config)).toEqual([
      {
        path: "rules[0].unless.subject.contans",
        message: 'unknown key "contans" (did you mean "contains"?)',
      },
    ]);
  });

  it("rejects conditions nested absurdly deep instead of overflowing the stack", () => {
    let condition: Record<string, unknown> = { attachments: true };
    for (let i = 0; i < 40; i++) condition = { not: condition };
    const issues = issuesOf(withCondition(condition));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe("conditions nested deeper than 32 levels");
  });

  it("reports a circular condition built in code instead of looping", () => {
    const condition: Record<string, unknown> = { attachments: true };
    condition.not = condition;
    expect(issuesOf(withCondition(condition))).toEqual([
      { path: "rules[0].when.not", message: "circular reference" },
    ]);
  });
});

describe("regular expressions", () => {
  it.each(["(a+)+$", "(a|a)*b", "(.*a){20}"])("rejects %s, which backtracks catastrophically", (source) => {
    const issues = issuesOf(withCondition({ subject: { matches: source } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("rules[0].when.subject.matches");
    expect(issues[0]?.message).toMatch(/^regular expression can backtrack catastrophically/);
  });

  it.each(["^VP", "\\d{3}-\\d{4}", "^(re|aw|sv):\\s", "\\[secure\\]"])("accepts %s", (source) => {
    expect(() => parseConfig(withCondition({ subject: { matches: source } }), { env: {} })).not.toThrow();
  });

  it("rejects a regex that does not compile", () => {
    const issues = issuesOf(withCondition({ body: { matches: "(unclosed" } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("rules[0].when.body.matches");
    expect(issues[0]?.message).toMatch(/^regular expression does not compile: .*Unterminated group/);
  });

  it("checks regexes everywhere: attributes, headers and body", () => {
    const issues = issuesOf(
      withCondition({
        sender: { attributes: { jobTitle: { matches: "(a+)+$" } } },
        header: { name: "X-Test", matches: "(a|a)*b" },
        body: { matches: "(.*a){20}" },
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      "rules[0].when.sender.attributes.jobTitle.matches",
      "rules[0].when.body.matches",
      "rules[0].when.header.matches",
    ]);
  });
});

describe("date windows", () => {
  it.each([
    ["2025-12-01", "2025-12-01T00:00:00.000Z"],
    ["2025-12-01T09:30:00Z", "2025-12-01T09:30:00.000Z"],
    ["2025-12-01T09:30+02:00", "2025-12-01T07:30:00.000Z"],
    ["2024-02-29T23:59:59.5Z", "2024-02-29T23:59:59.500Z"],
  ])("accepts %s as the instant %s", (from, instant) => {
    const config = parseConfig(withCondition({ date: { from } }), { env: {} });
    expect(config.rules[0]?.when?.date).toEqual({ from: instant });
  });

  it.each([
    "next tuesday",
    "2025-12",
    "12/01/2025",
    "2025-02-30",
    "2025-13-01",
    "2025-12-01T25:00Z",
    "2025-12-01 09:00",
    "",
  ])("rejects %j", (from) => {
    const issues = issuesOf(withCondition({ date: { from } }));
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe("rules[0].when.date.from");
  });

  it("names the accepted format", () => {
    expect(issuesOf(withCondition({ date: { until: "next tuesday" } }))).toEqual([
      {
        path: "rules[0].when.date.until",
        message: 'expected an ISO 8601 date such as 2025-12-01 or 2025-12-01T09:00:00Z, got "next tuesday"',
      },
    ]);
  });

  it("rejects a window whose end is not after its start", () => {
    for (const date of [
      { from: "2025-12-02", until: "2025-12-01" },
      { from: "2025-12-01", until: "2025-12-01T00:00:00Z" },
    ]) {
      expect(issuesOf(withCondition({ date }))).toEqual([
        { path: "rules[0].when.date.until", message: "must be later than from, or the window is empty" },
      ]);
    }
  });
});
