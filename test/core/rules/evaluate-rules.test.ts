import { describe, expect, it } from "vitest";
import { evaluateRules } from "../../../src/core/rules/evaluate-rules.js";
import { makeFacts } from "../../helpers/facts.js";
import { makeRule, makeRules } from "./_rule.js";

const external = { recipients: "external" } as const;
const internal = { recipients: "internal" } as const;

describe("evaluateRules", () => {
  describe("matching", () => {
    it("matches a rule without when", () => {
      const result = evaluateRules(makeRules([{ name: "always" }]), makeFacts());
      expect(result.matchedRules).toEqual(["always"]);
      expect(result.trace[0]?.note).toBe("matched (no conditions)");
    });

    it("selects the stamps of a matching rule with their placement and once", () => {
      const rules = makeRules([
        {
          name: "sig",
          when: external,
          stamps: [{ template: "standard" }, { template: "legal", placement: "bottom", once: "thread" }],
        },
      ]);
      expect(evaluateRules(rules, makeFacts()).stamps).toEqual([
        { rule: "sig", template: "standard", placement: "under-reply" },
        { rule: "sig", template: "legal", placement: "bottom", once: "thread" },
      ]);
    });

    it("selects nothing when no rule matches", () => {
      const result = evaluateRules(makeRules([{ when: internal }]), makeFacts());
      expect(result).toMatchObject({ stamps: [], matchedRules: [] });
      expect(result.trace[0]?.matched).toBe(false);
    });

    it("adds the stamps of every matching rule", () => {
      const rules = makeRules([
        { name: "sig", when: external },
        { name: "legal", stamps: [{ template: "legal", placement: "bottom" }] },
      ]);
      const result = evaluateRules(rules, makeFacts());
      expect(result.matchedRules).toEqual(["sig", "legal"]);
      expect(result.stamps.map((s) => s.template)).toEqual(["standard", "legal"]);
    });
  });

  describe("unless", () => {
    it("vetoes a matching rule when unless holds", () => {
      const rules = makeRules([{ when: external, unless: { subject: { contains: "[no-signature]" } } }]);
      const result = evaluateRules(rules, makeFacts({ subject: "Numbers [NO-SIGNATURE]" }));
      expect(result.matchedRules).toEqual([]);
      expect(result.trace[0]).toMatchObject({ matched: false, decidedBy: "unless.subject.contains" });
      expect(result.trace[0]?.note).toBe("vetoed by unless.subject.contains");
    });

    it("keeps a matching rule when unless does not hold", () => {
      const rules = makeRules([{ when: external, unless: { subject: { contains: "[no-signature]" } } }]);
      expect(evaluateRules(rules, makeFacts()).stamps).toHaveLength(1);
    });

    it("vetoes when any one top-level unless condition holds", () => {
      const rules = makeRules([{ unless: { attachments: true, messageType: "reply" } }]);
      const result = evaluateRules(rules, makeFacts({ messageType: "reply", hasAttachments: false }));
      expect(result.matchedRules).toEqual([]);
      expect(result.trace[0]?.decidedBy).toBe("unless.messageType");
    });

    it("ANDs the keys inside one unless condition", () => {
      const rules = makeRules([{ unless: { sender: { groups: "Staff", department: "Legal" } as never } }]);
      // `department` is not a sender key: this is a hand-built mistake, so it throws rather than veto.
      expect(() => evaluateRules(rules, makeFacts())).toThrow(/rules\[0\]\.unless\.sender\.department/);
      const valid = makeRules([
        { unless: { sender: { groups: "Staff", attributes: { department: "Legal" } } } },
      ]);
      expect(evaluateRules(valid, makeFacts()).matchedRules).toHaveLength(1);
    });

    it("does not evaluate unless when when fails", () => {
      const rules = makeRules([{ when: internal, unless: { subject: { contains: "x" } } }]);
      const paths = evaluateRules(rules, makeFacts()).trace[0]?.conditions.map((c) => c.path);
      expect(paths).toEqual(["when.recipients"]);
    });
  });

  describe("order", () => {
    it("runs lower priority first, then list order", () => {
      const rules = makeRules([
        { name: "c", priority: 5 },
        { name: "a", priority: -1 },
        { name: "d", priority: 5 },
        { name: "b", priority: 0 },
      ]);
      const result = evaluateRules(rules, makeFacts());
      expect(result.trace.map((t) => t.rule)).toEqual(["a", "b", "c", "d"]);
      expect(result.matchedRules).toEqual(["a", "b", "c", "d"]);
    });

    it("sorts by index when rules arrive out of order", () => {
      const rules = [
        makeRule({ name: "second", index: 1 }),
        makeRule({ name: "first", index: 0, stamps: [{ template: "first" }] }),
      ];
      const result = evaluateRules(rules, makeFacts());
      expect(result.matchedRules).toEqual(["first", "second"]);
      expect(result.trace.map((t) => t.index)).toEqual([0, 1]);
    });
  });

  describe("stop", () => {
    it("ends evaluation once a stop rule matched", () => {
      const rules = makeRules([
        { name: "banner", stop: true, stamps: [{ template: "banner", placement: "top" }] },
        { name: "sig" },
      ]);
      const result = evaluateRules(rules, makeFacts());
      expect(result.matchedRules).toEqual(["banner"]);
      expect(result.stamps.map((s) => s.template)).toEqual(["banner"]);
      expect(result.trace[1]).toMatchObject({ rule: "sig", matched: false, conditions: [] });
      expect(result.trace[1]?.note).toBe('not reached (stopped by rule "banner")');
    });

    it("does not stop when the stop rule did not match", () => {
      const rules = makeRules([{ name: "internal", when: internal, stop: true }, { name: "sig" }]);
      expect(evaluateRules(rules, makeFacts()).matchedRules).toEqual(["sig"]);
    });
  });

  describe("enabled", () => {
    it("skips a disabled rule and traces it as disabled", () => {
      const rules = makeRules([
        { name: "off", enabled: false },
        { name: "on", stamps: [{ template: "legal" }] },
      ]);
      const result = evaluateRules(rules, makeFacts());
      expect(result.matchedRules).toEqual(["on"]);
      expect(result.trace[0]).toEqual({
        rule: "off",
        index: 0,
        enabled: false,
        matched: false,
        note: "disabled",
        conditions: [],
      });
    });

    it("does not let a disabled stop rule stop evaluation", () => {
      const rules = makeRules([{ name: "off", enabled: false, stop: true }, { name: "on" }]);
      expect(evaluateRules(rules, makeFacts()).matchedRules).toEqual(["on"]);
    });
  });

  describe("templates", () => {
    it("never selects the same template twice", () => {
      const rules = makeRules([
        { name: "first", stamps: [{ template: "legal", placement: "bottom" }] },
        { name: "second", stamps: [{ template: "legal", placement: "top" }, { template: "banner" }] },
      ]);
      const result = evaluateRules(rules, makeFacts());
      expect(result.stamps).toEqual([
        { rule: "first", template: "legal", placement: "bottom" },
        { rule: "second", template: "banner", placement: "under-reply" },
      ]);
      expect(result.matchedRules).toEqual(["first", "second"]);
      expect(result.trace[1]?.note).toContain('template "legal" already selected by rule "first"');
    });

    it("does not repeat a template listed twice in one rule", () => {
      const rules = makeRules([{ name: "r", stamps: [{ template: "legal" }, { template: "legal" }] }]);
      expect(evaluateRules(rules, makeFacts()).stamps).toHaveLength(1);
    });
  });

  describe("unknown sender", () => {
    it("matches only rules that do not need the directory", () => {
      const rules = makeRules([
        { name: "staff", when: { sender: { groups: "Staff" } } },
        { name: "finance", when: { sender: { attributes: { department: "Finance" } } } },
        { name: "domain", when: { sender: { domain: "example.com" } } },
      ]);
      const result = evaluateRules(rules, makeFacts({ user: null }));
      expect(result.matchedRules).toEqual(["domain"]);
      expect(result.trace[0]?.conditions).toEqual([
        { path: "when.sender.groups", seen: null, verdict: false },
      ]);
    });
  });
});

describe("trace", () => {
  it("records each evaluated condition with path, seen value and verdict", () => {
    const rules = makeRules([
      { when: { sender: { groups: ["Sales", "Staff"] }, subject: { contains: "numbers" } } },
    ]);
    expect(evaluateRules(rules, makeFacts()).trace[0]).toEqual({
      rule: "rule 0",
      index: 0,
      enabled: true,
      matched: true,
      decidedBy: "when.subject.contains",
      note: "matched",
      conditions: [
        { path: "when.sender.groups", seen: ["Executives", "Staff"], verdict: true },
        { path: "when.subject.contains", seen: "Quarterly numbers", verdict: true },
      ],
    });
  });

  it("stops at the first failing condition of an AND and names it in decidedBy", () => {
    const rules = makeRules([{ when: { recipients: "internal", subject: { contains: "numbers" } } }]);
    const trace = evaluateRules(rules, makeFacts({ to: ["bob@example.com", "x@partner.net"] })).trace[0];
    expect(trace?.conditions).toEqual([
      {
        path: "when.recipients",
        seen: ["bob@example.com (internal)", "x@partner.net (external)"],
        verdict: false,
      },
    ]);
    expect(trace?.decidedBy).toBe("when.recipients");
    expect(trace?.note).toBe("not matched: when.recipients did not hold");
  });

  it("indexes paths inside any and all and records the combinator", () => {
    const rules = makeRules([{ when: { any: [{ attachments: true }, { all: [{ messageType: "new" }] }] } }]);
    const trace = evaluateRules(rules, makeFacts()).trace[0];
    expect(trace?.conditions).toEqual([
      { path: "when.any[0].attachments", seen: false, verdict: false },
      { path: "when.any[1].all[0].messageType", seen: "new", verdict: true },
      { path: "when.any[1].all", seen: [true], verdict: true },
      { path: "when.any", seen: [false, true], verdict: true },
    ]);
    expect(trace?.decidedBy).toBe("when.any");
  });

  it("names the any combinator when none of its branches held", () => {
    const rules = makeRules([{ when: { any: [{ attachments: true }, { messageType: "reply" }] } }]);
    expect(evaluateRules(rules, makeFacts()).trace[0]?.decidedBy).toBe("when.any");
  });

  it("names the failing branch of all", () => {
    const rules = makeRules([
      { when: { all: [{ messageType: "new" }, { attachments: true }, { size: { over: 1 } }] } },
    ]);
    const trace = evaluateRules(rules, makeFacts()).trace[0];
    expect(trace?.decidedBy).toBe("when.all[1].attachments");
    expect(trace?.conditions.map((c) => c.path)).toEqual([
      "when.all[0].messageType",
      "when.all[1].attachments",
      "when.all",
    ]);
  });

  it("records not with the inner verdict as seen", () => {
    const rules = makeRules([{ when: { not: { attachments: false } } }]);
    const trace = evaluateRules(rules, makeFacts()).trace[0];
    expect(trace?.conditions).toEqual([
      { path: "when.not.attachments", seen: false, verdict: true },
      { path: "when.not", seen: true, verdict: false },
    ]);
    expect(trace?.decidedBy).toBe("when.not");
  });

  it("names header list entries by index", () => {
    const rules = makeRules([
      {
        when: {
          header: [
            { name: "X-A", exists: false },
            { name: "X-B", equals: "1" },
          ],
        },
      },
    ]);
    const trace = evaluateRules(rules, makeFacts({ headers: { "X-B": "2" } })).trace[0];
    expect(trace?.conditions).toEqual([
      { path: "when.header[0].exists", seen: [], verdict: true },
      { path: "when.header[1].equals", seen: "2", verdict: false },
    ]);
  });

  it("names the attribute and test in the path", () => {
    const rules = makeRules([{ when: { sender: { attributes: { jobTitle: { matches: "^VP" } } } } }]);
    expect(evaluateRules(rules, makeFacts()).trace[0]?.conditions).toEqual([
      { path: "when.sender.attributes.jobTitle.matches", seen: "VP Finance", verdict: true },
    ]);
  });

  it("records the processing time and size it compared", () => {
    const rules = makeRules([{ when: { date: { until: "2026-01-01" }, size: { under: 5 } } }]);
    expect(evaluateRules(rules, makeFacts({ size: 10 })).trace[0]?.conditions).toEqual([
      { path: "when.date.until", seen: "2025-06-15T12:00:00.000Z", verdict: true },
      { path: "when.size.under", seen: 10, verdict: false },
    ]);
  });

  it("truncates long seen strings to 200 characters", () => {
    const subject = "x".repeat(5_000);
    const rules = makeRules([{ when: { subject: { contains: "y" } } }]);
    const seen = evaluateRules(rules, makeFacts({ subject })).trace[0]?.conditions[0]?.seen as string;
    expect(seen).toHaveLength(200);
    expect(seen.endsWith("…")).toBe(true);
  });

  it("cuts long seen lists to 20 items", () => {
    const to = Array.from({ length: 50 }, (_, i) => `user${i}@partner.net`);
    const rules = makeRules([{ when: internal }]);
    const seen = evaluateRules(rules, makeFacts({ to })).trace[0]?.conditions[0]?.seen as string[];
    expect(seen).toHaveLength(20);
    expect(seen[0]).toBe("user0@partner.net (external)");
  });

  it("records the vetoing unless after the when conditions", () => {
    const rules = makeRules([{ when: external, unless: { attachments: false, messageType: "new" } }]);
    const trace = evaluateRules(rules, makeFacts()).trace[0];
    expect(trace?.conditions.map((c) => [c.path, c.verdict])).toEqual([
      ["when.recipients", true],
      ["unless.attachments", true],
    ]);
    expect(trace?.decidedBy).toBe("unless.attachments");
  });

  it("names the last condition checked when a rule matches past its unless", () => {
    const rules = makeRules([{ when: external, unless: { attachments: true } }]);
    const trace = evaluateRules(rules, makeFacts()).trace[0];
    expect(trace).toMatchObject({ matched: true, decidedBy: "unless.attachments" });
  });

  it("shows a missing sender address as null", () => {
    const rules = makeRules([{ when: { sender: { address: "a@example.com" } } }]);
    expect(evaluateRules(rules, makeFacts({ from: null })).trace[0]?.conditions[0]).toEqual({
      path: "when.sender.address",
      seen: null,
      verdict: false,
    });
  });
});
