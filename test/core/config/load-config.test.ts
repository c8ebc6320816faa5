import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findConfigFile, loadConfig } from "../../../src/core/config/load-config.js";
import { ConfigError } from "../../../src/core/errors.js";
import { tempDir } from "./_helpers.js";

const YAML_CONFIG = `
organization:
  name: Example Corp
  domains: [example.com, "*.example.org"]
templates:
  standard:
    htmlFile: templates/standard.html
    text: |
      {{ user.displayName }}
rules:
  - name: Signature for external mail
    when: { recipients: external }
    stamps:
      - { template: standard, placement: under-reply }
directory:
  graph:
    tenantId: contoso
    clientSecret: \${env:GRAPH_CLIENT_SECRET}
options:
  marker: { header: X-Mailstamp, secret: "\${env:MAILSTAMP_SECRET}" }
`;

async function loadError(path: string, env: Record<string, string> = {}): Promise<ConfigError> {
  try {
    await loadConfig(path, { env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error("expected loadConfig to reject");
}

describe("loadConfig", () => {
  it("loads YAML and reads template files relative to the config file", async () => {
    const dir = tempDir({ "mailstamp.config.yaml": YAML_CONFIG });
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "templates", "standard.html"), "<p>{{ user.displayName }}</p>");
    const config = await loadConfig(join(dir, "mailstamp.config.yaml"), {
      env: { MAILSTAMP_SECRET: "k", GRAPH_CLIENT_SECRET: "g" },
    });
    expect(config.templates.standard?.html).toBe("<p>{{ user.displayName }}</p>");
    expect(config.templates.standard?.text).toBe("{{ user.displayName }}\n");
    expect(config.options.marker).toEqual({ header: "X-Mailstamp", secret: "k" });
    expect(config.rules[0]?.when).toEqual({ recipients: "external" });
    expect(config.directory.graph).toEqual({ tenantId: "contoso", clientSecret: "g" });
  });

  it("reads an unquoted ${env:NAME} inside a YAML { … } mapping, as SPEC §3 writes it", async () => {
    const file = join(
      tempDir({
        "c.yaml":
          "templates: {}\nrules: []\noptions:\n  marker: { header: X-Mailstamp, secret: ${env:SECRET} }\n",
      }),
      "c.yaml",
    );
    expect((await loadConfig(file, { env: { SECRET: "s" } })).options.marker).toEqual({
      header: "X-Mailstamp",
      secret: "s",
    });
  });

  it("explains that ${env:NAME} must be quoted where it is part of a larger value inside { … }", async () => {
    const file = join(
      tempDir({ "c.yaml": "templates: {}\nrules: []\noptions:\n  marker: { secret: x-${env:SECRET} }\n" }),
      "c.yaml",
    );
    const error = await loadError(file, { SECRET: "s" });
    expect(error.issues[0]?.message).toContain("line 4");
    expect(error.issues[0]?.message).toContain('quote the reference: "${env:NAME}"');
  });

  it("reports the first YAML error of each line, and at most five", async () => {
    const broken = Array.from({ length: 12 }, (_, i) => `k${i}: {{ : ]`).join("\n");
    const error = await loadError(join(tempDir({ "c.yaml": broken }), "c.yaml"));
    expect(error.issues.length).toBeLessThanOrEqual(6);
    const lines = error.issues.map((i) => /line (\d+)/.exec(i.message)?.[1]).filter(Boolean);
    expect(new Set(lines).size).toBe(lines.length);
    expect(error.issues.at(-1)?.message).toMatch(/more YAML errors after these/);
  });

  it("loads JSON and .yml", async () => {
    const json = JSON.stringify({
      templates: { a: { html: "<p>a</p>" } },
      rules: [{ name: "A", stamps: [{ template: "a" }] }],
    });
    const dir = tempDir({ "c.json": json, "c.yml": "templates: { a: { html: x } }\nrules: []\n" });
    expect((await loadConfig(join(dir, "c.json"), { env: {} })).rules[0]?.name).toBe("A");
    expect((await loadConfig(join(dir, "c.yml"), { env: {} })).templates.a?.html).toBe("x");
  });

  it("reports a YAML syntax error with its line and column", async () => {
    const file = join(
      tempDir({ "bad.yaml": "templates:\n  a: { html: x }\nrules:\n  - name: a: b\n" }),
      "bad.yaml",
    );
    const error = await loadError(file);
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.message).toMatch(
      new RegExp(`^${file.replace(/[\\.]/g, "\\$&")} line 4, column \\d+: `),
    );
  });

  it("reports duplicate YAML keys instead of keeping the last one", async () => {
    const file = join(tempDir({ "dup.yaml": "templates: {}\nrules: []\nrules: []\n" }), "dup.yaml");
    const error = await loadError(file);
    expect(error.issues[0]?.message).toContain("line 3, column 1");
    expect(error.issues[0]?.message).toContain("unique");
  });

  it("reports a JSON syntax error with its line and column", async () => {
    const file = join(tempDir({ "bad.json": '{\n  "templates": {},\n  "rules": [],\n}\n' }), "bad.json");
    const error = await loadError(file);
    expect(error.issues[0]?.message).toMatch(/ line 4, column 1: /);
  });

  it("supports YAML merge keys for shared blocks", async () => {
    const file = join(
      tempDir({
        "m.yaml": [
          "templates: { a: { html: x }, b: { html: y } }",
          "rules:",
          "  - &base { name: A, when: { recipients: external }, stamps: [{ template: a }] }",
          "  - { <<: *base, name: B, stamps: [{ template: b }] }",
        ].join("\n"),
      }),
      "m.yaml",
    );
    const config = await loadConfig(file, { env: {} });
    expect(config.rules[1]).toMatchObject({
      name: "B",
      when: { recipients: "external" },
      stamps: [{ template: "b" }],
    });
  });

  it("validates the loaded data and reports every issue", async () => {
    const file = join(
      tempDir({ "c.yaml": "templates: {}\nrules:\n  - name: A\n    stamps: [{ template: nope }]\n" }),
      "c.yaml",
    );
    const error = await loadError(file);
    expect(error.issues).toEqual([
      { path: "rules[0].stamps[0].template", message: 'unknown template "nope" (no templates are defined)' },
    ]);
  });

  it("never trusts resolved: true from a file", async () => {
    const file = join(
      tempDir({
        "c.yaml": "resolved: true\ntemplates: {}\nrules: []\noptions: { limits: { maxParts: 0 } }\n",
      }),
      "c.yaml",
    );
    const error = await loadError(file);
    expect(error.issues.map((i) => i.path)).toEqual(["resolved", "options.limits.maxParts"]);
  });

  it("rejects an empty file", async () => {
    const file = join(tempDir({ "c.yaml": "# nothing yet\n" }), "c.yaml");
    expect((await loadError(file)).issues).toEqual([{ path: "", message: `${file} is empty` }]);
  });

  it("throws CONFIG_READ for a file that cannot be read", async () => {
    const file = join(tempDir(), "absent.yaml");
    const error = await loadError(file);
    expect(error.code).toBe("CONFIG_READ");
    expect(error.issues).toEqual([{ path: "", message: `cannot read ${file}: no such file` }]);
  });

  it("throws CONFIG_READ for an unsupported extension", async () => {
    const file = join(tempDir({ "c.toml": "" }), "c.toml");
    const error = await loadError(file);
    expect(error.code).toBe("CONFIG_READ");
    expect(error.message).toContain("expected .yaml, .yml or .json");
  });

  it("looks up ${env:NAME} in the given env", async () => {
    const file = join(
      tempDir({ "c.yaml": "templates: { a: { html: '${env:HTML}' } }\nrules: []\n" }),
      "c.yaml",
    );
    expect((await loadConfig(file, { env: { HTML: "<p>from env</p>" } })).templates.a?.html).toBe(
      "<p>from env</p>",
    );
    expect((await loadError(file)).issues).toEqual([
      { path: "templates.a.html", message: "environment variable HTML is not set" },
    ]);
  });
});

describe("findConfigFile", () => {
  it("prefers .yaml, then .yml, then .json", () => {
    const dir = tempDir({ "mailstamp.config.json": "{}", "mailstamp.config.yml": "" });
    expect(findConfigFile(dir)).toBe(join(dir, "mailstamp.config.yml"));
    const all = tempDir({
      "mailstamp.config.json": "{}",
      "mailstamp.config.yml": "",
      "mailstamp.config.yaml": "",
    });
    expect(findConfigFile(all)).toBe(join(all, "mailstamp.config.yaml"));
    const json = tempDir({ "mailstamp.config.json": "{}" });
    expect(findConfigFile(json)).toBe(join(json, "mailstamp.config.json"));
  });

  it("returns undefined when there is none, and ignores a directory of that name", () => {
    const dir = tempDir({ "other.yaml": "" });
    mkdirSync(join(dir, "mailstamp.config.yaml"));
    expect(findConfigFile(dir)).toBeUndefined();
  });
});
