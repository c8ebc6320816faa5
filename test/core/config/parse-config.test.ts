import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../../src/core/config/defaults.js";
import { defineConfig } from "../../../src/core/config/define-config.js";
import { parseConfig } from "../../../src/core/config/parse-config.js";
import { ConfigError } from "../../../src/core/errors.js";
import { baseConfig, issuesOf } from "./_helpers.js";

describe("parseConfig", () => {
  it("applies every default to a minimal config", () => {
    const config = parseConfig(baseConfig(), { env: {} });
    expect(config.resolved).toBe(true);
    expect(config.sender).toBe("header");
    expect(config.directory).toEqual({ users: [] });
    expect(config.options).toEqual({
      marker: { header: "X-Mailstamp" },
      protected: "skip",
      calendar: "skip",
      limits: { maxMessageBytes: 52428800, maxMimeDepth: 32, maxParts: 2000, renderTimeoutMs: 1000 },
    });
    expect(config.rules).toEqual([
      {
        name: "Signature",
        index: 0,
        enabled: true,
        priority: 0,
        stop: false,
        stamps: [{ template: "standard", placement: "under-reply" }],
      },
    ]);
    expect(config.templates.standard).toEqual({
      name: "standard",
      html: "<p>{{ user.displayName }}</p>",
      images: {},
    });
  });

  it("accepts the configuration shown in the specification", () => {
    const config = parseConfig(
      defineConfig({
        organization: {
          name: "Example Corp",
          domains: ["example.com", "*.example.org"],
          phone: "+1 555 0100",
        },
        sender: "header",
        directory: {
          users: [
            {
              mail: "alice@example.com",
              aliases: ["a@example.com"],
              displayName: "Alice Example",
              jobTitle: "Chief Financial Officer",
              mobilePhone: "+1 555 0100",
              groups: ["Executives", "Staff"],
            },
          ],
          graph: { tenantId: "t", clientId: "c", clientSecret: "${env:GRAPH_CLIENT_SECRET}" },
        },
        templates: {
          standard: {
            html: "<p><b>{{ user.displayName }}</b><br>{{ user.jobTitle }}</p>",
            text: "{{ user.displayName }} · {{ user.jobTitle }}",
          },
          legal: { html: '<p style="font-size:10px">This message is confidential.</p>' },
        },
        rules: [
          {
            name: "Signature for external mail",
            when: { recipients: "external" },
            unless: { subject: { contains: "[no-signature]" } },
            stamps: [{ template: "standard", placement: "under-reply" }],
            stop: false,
          },
          {
            name: "Legal disclaimer",
            when: { sender: { groups: ["Staff"] } },
            stamps: [{ template: "legal", placement: "bottom", once: "thread" }],
          },
        ],
        options: {
          marker: { header: "X-Mailstamp", secret: "${env:MAILSTAMP_SECRET}" },
          protected: "wrap",
          calendar: "stamp",
          limits: { maxMessageBytes: 1000, maxMimeDepth: 8, maxParts: 50, renderTimeoutMs: 250 },
        },
      }),
      { env: { GRAPH_CLIENT_SECRET: "graph-secret", MAILSTAMP_SECRET: "marker-secret" } },
    );
    expect(config.organization).toEqual({
      name: "Example Corp",
      domains: ["example.com", "*.example.org"],
      phone: "+1 555 0100",
    });
    expect(config.directory.graph).toEqual({ tenantId: "t", clientId: "c", clientSecret: "graph-secret" });
    expect(config.directory.users[0]).toMatchObject({
      mail: "alice@example.com",
      aliases: ["a@example.com"],
    });
    expect(config.rules[1]?.stamps).toEqual([{ template: "legal", placement: "bottom", once: "thread" }]);
    expect(config.options).toEqual({
      marker: { header: "X-Mailstamp", secret: "marker-secret" },
      protected: "wrap",
      calendar: "stamp",
      limits: { maxMessageBytes: 1000, maxMimeDepth: 8, maxParts: 50, renderTimeoutMs: 250 },
    });
  });

  it("returns an already resolved config as is", () => {
    const config = parseConfig(baseConfig(), { env: {} });
    expect(parseConfig(config)).toBe(config);
  });

  it("does not share objects with the input, so later edits to the input change nothing", () => {
    const input = baseConfig();
    const config = parseConfig(input, { env: {} });
    (input.organization as { domains: string[] }).domains.push("evil.example");
    (input.rules as Array<{ name: string }>)[0]!.name = "changed";
    expect(config.organization.domains).toEqual(["example.com"]);
    expect(config.rules[0]?.name).toBe("Signature");
  });

  it("sorts rules by priority, then list order, and keeps each rule's list index", () => {
    const config = parseConfig(
      {
        ...baseConfig(),
        rules: [
          { name: "a", priority: 5, stamps: [{ template: "standard" }] },
          { name: "b", stamps: [{ template: "standard" }] },
          { name: "c", priority: -1, stamps: [{ template: "standard" }] },
          { name: "d", priority: 5, stamps: [{ template: "legal" }] },
          { name: "e", stamps: [{ template: "legal" }] },
        ],
      },
      { env: {} },
    );
    expect(config.rules.map((r) => [r.name, r.index])).toEqual([
      ["c", 2],
      ["b", 1],
      ["e", 4],
      ["a", 0],
      ["d", 3],
    ]);
  });

  it("lower-cases organization domains and drops duplicates", () => {
    const config = parseConfig(
      { ...baseConfig(), organization: { domains: ["Example.COM", "*.Example.org", "example.com"] } },
      { env: {} },
    );
    expect(config.organization.domains).toEqual(["example.com", "*.example.org"]);
  });

  it("normalises static users with empty aliases and groups and keeps free attributes", () => {
    const config = parseConfig(
      {
        ...baseConfig(),
        directory: {
          users: [
            { mail: "Bob@Example.com", displayName: "Bob", extension: 204, remote: true, phones: ["1", "2"] },
          ],
        },
      },
      { env: {} },
    );
    expect(config.directory.users).toEqual([
      {
        mail: "Bob@Example.com",
        displayName: "Bob",
        extension: 204,
        remote: true,
        phones: ["1", "2"],
        aliases: [],
        groups: [],
      },
    ]);
  });

  it("throws a ConfigError with code CONFIG_INVALID whose message lists every problem", () => {
    let error: unknown;
    try {
      parseConfig({ templates: {}, rules: [{ name: "" }] }, { env: {} });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe("CONFIG_INVALID");
    expect((error as ConfigError).message).toContain("rules[0].name: expected a non-empty string");
    expect((error as ConfigError).message).toContain("rules[0].stamps: required");
  });

  it("reports both mistakes of a config with two, each at its path", () => {
    const config = baseConfig();
    config.rules = [
      { name: "A", stamps: [{ template: "standard" }] },
      { name: "B", stamps: [{ template: "legal", placement: "middle" }] },
      { name: "C", when: { sender: { groups: 42 } }, stamps: [{ template: "legal" }] },
    ];
    expect(issuesOf(config)).toEqual([
      { path: "rules[1].stamps[0].placement", message: "expected one of top, under-reply, bottom" },
      { path: "rules[2].when.sender.groups", message: "expected string or string[]" },
    ]);
  });

  it("rejects a non-object config", () => {
    for (const input of [null, "rules: []", 42, [], undefined]) {
      expect(issuesOf(input)).toEqual([
        { path: "", message: "expected the config to be an object with templates and rules" },
      ]);
    }
  });

  it("keeps the relay section for mailstamp/smtp, which validates it", () => {
    const relay = { listen: "127.0.0.1:2525", upstream: { host: "mail.example.net", port: 25 } };
    const config = parseConfig({ ...baseConfig(), relay }, { env: {} });
    expect((config as unknown as { relay: unknown }).relay).toEqual(relay);
    expect(issuesOf({ ...baseConfig(), relay: "127.0.0.1:2525" })).toEqual([
      { path: "relay", message: "expected object" },
    ]);
  });

  it("requires templates and rules", () => {
    expect(issuesOf({})).toEqual([
      { path: "templates", message: "required" },
      { path: "rules", message: "required" },
    ]);
  });

  it("treats a resolved flag in raw data as a config, not a shortcut, when it is not resolved: true", () => {
    expect(issuesOf({ ...baseConfig(), resolved: "yes" })).toEqual([
      { path: "resolved", message: expect.stringContaining('unknown key "resolved"') },
    ]);
  });
});

describe("unknown keys", () => {
  const cases: Array<[string, (c: Record<string, unknown>) => void, string, string]> = [
    [
      "a stamp",
      (c) => (c.rules = [{ name: "R", stamps: [{ template: "standard", plcement: "top" }] }]),
      "rules[0].stamps[0].plcement",
      'unknown key "plcement" (did you mean "placement"?)',
    ],
    [
      "a rule",
      (c) => (c.rules = [{ name: "R", wehn: { attachments: true }, stamps: [{ template: "standard" }] }]),
      "rules[0].wehn",
      'unknown key "wehn" (did you mean "when"?)',
    ],
    [
      "a condition",
      (c) => (c.rules = [{ name: "R", when: { recipient: "external" }, stamps: [{ template: "standard" }] }]),
      "rules[0].when.recipient",
      'unknown key "recipient" (did you mean "recipients"?)',
    ],
    ["the top level", (c) => (c.rule = []), "rule", 'unknown key "rule" (did you mean "rules"?)'],
    [
      "options",
      (c) => (c.options = { limit: { maxParts: 10 } }),
      "options.limit",
      'unknown key "limit" (did you mean "limits"?)',
    ],
    [
      "limits",
      (c) => (c.options = { limits: { maxpart: 10 } }),
      "options.limits.maxpart",
      'unknown key "maxpart" (did you mean "maxParts"?)',
    ],
    [
      "a template",
      (c) => (c.templates = { standard: { html: "<p>x</p>", htlm: "y" }, legal: { html: "z" } }),
      "templates.standard.htlm",
      'unknown key "htlm" (did you mean "html"?)',
    ],
    [
      "the directory",
      (c) => (c.directory = { user: [] }),
      "directory.user",
      'unknown key "user" (did you mean "users"?)',
    ],
  ];
  it.each(cases)("are errors in %s, with a suggestion", (_where, mutate, path, message) => {
    const config = baseConfig();
    mutate(config);
    expect(issuesOf(config)).toContainEqual({ path, message });
  });

  it("lists the allowed keys when no key is close", () => {
    const config = baseConfig();
    config.options = { frobnicate: true };
    expect(issuesOf(config)).toEqual([
      {
        path: "options.frobnicate",
        message: 'unknown key "frobnicate" (expected one of marker, protected, calendar, limits)',
      },
    ]);
  });

  it("allows free keys in organization and passes them through for templates", () => {
    const config = parseConfig(
      { ...baseConfig(), organization: { domains: [], website: "https://example.com", founded: 1999 } },
      { env: {} },
    );
    expect(config.organization).toMatchObject({ website: "https://example.com", founded: 1999 });
  });

  it("refuses keys that would reach Object.prototype", () => {
    const config = JSON.parse(
      '{"organization": {"__proto__": {"polluted": true}}, "templates": {}, "rules": []}',
    );
    expect(issuesOf(config)).toEqual([
      { path: "organization.__proto__", message: 'reserved key "__proto__"' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("rules", () => {
  const rule = (extra: Record<string, unknown>): Record<string, unknown> => ({
    ...baseConfig(),
    rules: [{ name: "R", stamps: [{ template: "standard" }], ...extra }],
  });
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ["a missing name", { name: undefined }, "rules[0].name", "required"],
    ["a blank name", { name: "  " }, "rules[0].name", "expected a non-empty string"],
    ["missing stamps", { stamps: undefined }, "rules[0].stamps", "required"],
    ["an empty stamps list", { stamps: [] }, "rules[0].stamps", "expected at least one stamp"],
    [
      "stamps that are not a list",
      { stamps: { template: "standard" } },
      "rules[0].stamps",
      "expected a list",
    ],
    ["a fractional priority", { priority: 1.5 }, "rules[0].priority", "expected an integer"],
    ["a string priority", { priority: "1" }, "rules[0].priority", "expected an integer"],
    ["a string stop", { stop: "yes" }, "rules[0].stop", "expected boolean (true or false)"],
    ["a string enabled", { enabled: "false" }, "rules[0].enabled", "expected boolean (true or false)"],
    [
      "a bad placement",
      { stamps: [{ template: "standard", placement: "middle" }] },
      "rules[0].stamps[0].placement",
      "expected one of top, under-reply, bottom",
    ],
    [
      "once other than thread",
      { stamps: [{ template: "standard", once: "message" }] },
      "rules[0].stamps[0].once",
      "expected one of thread",
    ],
    [
      "a stamp without template",
      { stamps: [{ placement: "top" }] },
      "rules[0].stamps[0].template",
      "required",
    ],
    [
      "an unknown template with a close name",
      { stamps: [{ template: "standrad" }] },
      "rules[0].stamps[0].template",
      'unknown template "standrad" (did you mean "standard"?)',
    ],
    [
      "an unknown template",
      { stamps: [{ template: "banner" }] },
      "rules[0].stamps[0].template",
      'unknown template "banner" (defined: standard, legal)',
    ],
    [
      "the same template twice",
      { stamps: [{ template: "legal" }, { template: "legal", placement: "top" }] },
      "rules[0].stamps[1].template",
      'template "legal" is already stamped by rules[0].stamps[0]',
    ],
    ["a stamp that is a string", { stamps: ["standard"] }, "rules[0].stamps[0]", "expected object"],
  ];
  it.each(cases)("rejects %s", (_what, extra, path, message) => {
    expect(issuesOf(rule(extra))).toEqual([{ path, message }]);
  });

  it("rejects duplicate rule names, naming the first", () => {
    const config = baseConfig();
    config.rules = [
      { name: "Same", stamps: [{ template: "standard" }] },
      { name: "Other", stamps: [{ template: "standard" }] },
      { name: "Same", stamps: [{ template: "legal" }] },
    ];
    expect(issuesOf(config)).toEqual([
      { path: "rules[2].name", message: "duplicate rule name (also rules[0])" },
    ]);
  });

  it("keeps a disabled rule, marked disabled", () => {
    const config = parseConfig(rule({ enabled: false, stop: true, priority: 3 }), { env: {} });
    expect(config.rules[0]).toMatchObject({ enabled: false, stop: true, priority: 3 });
  });

  it("does not report a rule naming a broken template as naming a missing one", () => {
    const config = baseConfig();
    config.templates = { standard: { html: 42 }, legal: { html: "x" } };
    expect(issuesOf(config)).toEqual([
      { path: "templates.standard.html", message: "expected a non-empty string" },
    ]);
  });
});

describe("organization, sender and directory", () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ["a sender mode", { sender: "from" }, "sender", "expected one of header, envelope, sender"],
    [
      "domains as a string",
      { organization: { domains: "example.com" } },
      "organization.domains",
      "expected string[]",
    ],
    [
      "a domain with @",
      { organization: { domains: ["@example.com"] } },
      "organization.domains[0]",
      'expected a domain without "@" (example.com)',
    ],
    [
      "a domain with a space",
      { organization: { domains: ["example .com"] } },
      "organization.domains[0]",
      'expected a domain such as example.com or *.example.com, got "example .com"',
    ],
    [
      "an organization name that is a number",
      { organization: { name: 7 } },
      "organization.name",
      "expected string",
    ],
    ["users that are not a list", { directory: { users: {} } }, "directory.users", "expected a list"],
    [
      "a user without mail",
      { directory: { users: [{ displayName: "X" }] } },
      "directory.users[0].mail",
      "required",
    ],
    [
      "a user mail that is not an address",
      { directory: { users: [{ mail: "alice" }] } },
      "directory.users[0].mail",
      'expected an address such as alice@example.com, got "alice"',
    ],
    [
      "aliases as a string",
      { directory: { users: [{ mail: "a@example.com", aliases: "b@example.com" }] } },
      "directory.users[0].aliases",
      "expected string[]",
    ],
    [
      "an attribute that is an object",
      { directory: { users: [{ mail: "a@example.com", manager: { name: "B" } }] } },
      "directory.users[0].manager",
      "expected string, number, boolean or string[]",
    ],
    [
      "a photo in the static directory",
      { directory: { users: [{ mail: "a@example.com", photo: "./a.png" }] } },
      "directory.users[0].photo",
      "photos are not supported in the static directory; use a template image instead",
    ],
    [
      "a graph section with a numeric value",
      { directory: { graph: { tenantId: 5 } } },
      "directory.graph.tenantId",
      "expected string",
    ],
  ];
  it.each(cases)("rejects %s", (_what, extra, path, message) => {
    expect(issuesOf({ ...baseConfig(), ...extra })).toEqual([{ path, message }]);
  });

  it("rejects an address used by two users, in any case", () => {
    const issues = issuesOf({
      ...baseConfig(),
      directory: {
        users: [
          { mail: "alice@example.com", aliases: ["sales@example.com"] },
          { mail: "bob@example.com", aliases: ["Sales@Example.com"] },
        ],
      },
    });
    expect(issues).toEqual([
      {
        path: "directory.users[1].aliases[0]",
        message: "address Sales@Example.com is already used by directory.users[0].aliases[0]",
      },
    ]);
  });

  it("accepts internationalised and wildcard domains", () => {
    const config = parseConfig(
      { ...baseConfig(), organization: { domains: ["bücher.example", "*.Sub.Example.com"] } },
      { env: {} },
    );
    expect(config.organization.domains).toEqual(["bücher.example", "*.sub.example.com"]);
  });
});

describe("options", () => {
  const limitCases: Array<[string, unknown]> = [
    ["0", 0],
    ["-1", -1],
    ["1.5", 1.5],
    ['"10"', "10"],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["null", null],
    ["true", true],
  ];
  for (const key of ["maxMessageBytes", "maxMimeDepth", "maxParts", "renderTimeoutMs"]) {
    it.each(limitCases)(`rejects ${key} = %s instead of switching the limit off`, (_shown, value) => {
      expect(issuesOf({ ...baseConfig(), options: { limits: { [key]: value } } })).toEqual([
        { path: `options.limits.${key}`, message: "expected a positive integer" },
      ]);
    });
  }

  it("keeps the default of limits that are not set", () => {
    const config = parseConfig({ ...baseConfig(), options: { limits: { maxParts: 10 } } }, { env: {} });
    expect(config.options.limits).toEqual({ ...DEFAULTS.options.limits, maxParts: 10 });
  });

  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    [
      "a protected policy",
      { protected: "ignore" },
      "options.protected",
      "expected one of skip, wrap, reject",
    ],
    ["a calendar policy", { calendar: "yes" }, "options.calendar", "expected one of skip, stamp"],
    [
      "a marker header with a colon",
      { marker: { header: "X-Mailstamp:" } },
      "options.marker.header",
      'expected a header field name (printable ASCII without ":" or spaces), got "X-Mailstamp:"',
    ],
    [
      "a marker header with a space",
      { marker: { header: "X Mailstamp" } },
      "options.marker.header",
      'expected a header field name (printable ASCII without ":" or spaces), got "X Mailstamp"',
    ],
    [
      "a marker header that would replace the subject",
      { marker: { header: "Subject" } },
      "options.marker.header",
      "Subject carries meaning that the marker would overwrite or remove; use a name such as X-Mailstamp",
    ],
    [
      "a marker header in the Content- family",
      { marker: { header: "content-type" } },
      "options.marker.header",
      "content-type carries meaning that the marker would overwrite or remove; use a name such as X-Mailstamp",
    ],
    [
      "an empty marker secret",
      { marker: { secret: "" } },
      "options.marker.secret",
      "expected a non-empty string",
    ],
    [
      "a numeric marker secret",
      { marker: { secret: 1234 } },
      "options.marker.secret",
      "expected a non-empty string",
    ],
    ["limits that are not an object", { limits: 5 }, "options.limits", "expected object"],
  ];
  it.each(cases)("rejects %s", (_what, options, path, message) => {
    expect(issuesOf({ ...baseConfig(), options })).toEqual([{ path, message }]);
  });

  it("accepts a custom marker header", () => {
    const config = parseConfig(
      { ...baseConfig(), options: { marker: { header: "X-Corp-Stamped" } } },
      { env: {} },
    );
    expect(config.options.marker).toEqual({ header: "X-Corp-Stamped" });
  });
});
