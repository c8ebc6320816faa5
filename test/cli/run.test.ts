import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import PostalMime from "postal-mime";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";

const fixtures = join(import.meta.dirname, "../fixtures/config");

async function cli(args: string[], stdinText = "") {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout: {
      write: (c: string | Uint8Array) => (stdout += typeof c === "string" ? c : Buffer.from(c).toString()),
    },
    stderr: { write: (c: string) => (stderr += c) },
    cwd: fixtures,
  });
  return { code, stdout, stderr };
}

describe("mailstamp check", () => {
  it("accepts a valid config and says what it holds", async () => {
    const r = await cli(["check", "-c", "valid.yaml"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toContain("2 rules");
  });

  it("names both mistakes of a config with two and exits 1, writing nothing else", async () => {
    const r = await cli(["check", "-c", "two-mistakes.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("rules[0].stamps[0].placement");
    expect(r.stderr).toContain("rules[1].stamps[0].template");
    expect(r.stderr.trim().split("\n")).toHaveLength(2);
  });

  it("exits 1 with a clear line when the config file is missing", async () => {
    const r = await cli(["check", "-c", "nope.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.yaml/);
  });
});

describe("mailstamp stamp", () => {
  it("writes the stamped message to -o and the report as JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailstamp-cli-"));
    const out = join(dir, "out.eml");
    const report = join(dir, "report.json");
    const r = await cli(["stamp", "-c", "valid.yaml", "-o", out, "--report", report, "message.eml"]);
    expect(r.code).toBe(0);
    // The stamp's "·" is not ASCII, so the 7bit part became quoted-printable: read it decoded.
    expect((await PostalMime.parse(readFileSync(out))).text).toContain(
      "Alice Example · Chief Financial Officer",
    );
    const parsed = JSON.parse(readFileSync(report, "utf8"));
    expect(parsed).toMatchObject({ status: "stamped", messageType: "new" });
    expect(parsed).not.toHaveProperty("message");
  });

  it("reads the message from standard input and writes it to standard output", async () => {
    const raw = readFileSync(join(fixtures, "message.eml"), "utf8");
    const r = await cli(["stamp", "-c", "valid.yaml", "-"], raw);
    expect(r.code).toBe(0);
    const parsed = await PostalMime.parse(r.stdout);
    expect(parsed.text).toContain("see you tomorrow.");
    expect(parsed.text).toContain("Alice Example · Chief Financial Officer");
  });

  it("uses the envelope recipients given on the command line", async () => {
    const r = await cli(["stamp", "-c", "valid.yaml", "--rcpt", "colleague@example.com", "message.eml"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("no-rule-matched");
    expect(r.stdout).toBe(readFileSync(join(fixtures, "message.eml"), "utf8"));
  });

  it("writes nothing to -o when the config is bad", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailstamp-cli-"));
    const out = join(dir, "out.eml");
    const r = await cli(["stamp", "-c", "two-mistakes.yaml", "-o", out, "message.eml"]);
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it("writes neither -o nor the report when the report cannot be written", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mailstamp-cli-"));
    const out = join(dir, "out.eml");
    const r = await cli([
      "stamp",
      "-c",
      "valid.yaml",
      "-o",
      out,
      "--report",
      join(dir, "no/such/dir/r.json"),
      "message.eml",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("r.json");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("exits 1 when the message cannot be read", async () => {
    const r = await cli(["stamp", "-c", "valid.yaml", "missing.eml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("missing.eml");
  });
});

describe("mailstamp explain", () => {
  it("shows for each rule whether it matched and which condition decided", async () => {
    const r = await cli(["explain", "-c", "valid.yaml", "message.eml"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("message type: new");
    expect(r.stdout).toMatch(/1\. Signature for external mail: MATCHED/);
    expect(r.stdout).toMatch(/2\. Finance only: not matched — decided by when\.sender\.attributes/);
  });

  it("prints the result as JSON with --json", async () => {
    const r = await cli(["explain", "-c", "valid.yaml", "--json", "message.eml"]);
    const parsed = JSON.parse(r.stdout);
    expect(parsed.trace).toHaveLength(2);
    expect(parsed.trace[0].matched).toBe(true);
  });
});

describe("mailstamp preview", () => {
  it("renders the HTML and text stamps for one user", async () => {
    const r = await cli(["preview", "-c", "valid.yaml", "--user", "alice@example.com"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("<b>Alice Example</b>");
    expect(r.stdout).toContain("Alice Example · Chief Financial Officer");
  });

  it("exits 1 for a user who is not in the directory", async () => {
    const r = await cli(["preview", "-c", "valid.yaml", "--user", "nobody@example.com"]);
    expect(r.code).toBe(1);
  });
});

describe("usage", () => {
  it.each([
    [["frobnicate"]],
    [[]],
    [["check", "--rcpt", "x@y"]],
    [["stamp", "--bogus"]],
    [["preview", "-c", "valid.yaml"]],
    [["explain", "-c", "valid.yaml"]],
  ])("exits 2 for %j", async (args) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe("");
  });

  it("prints help with --help", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("mailstamp stamp");
  });
});
