import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../../src/cli/run.js";
import { startFakeGraph, type FakeGraph } from "../../helpers/fake-graph.js";
import { startNextHop } from "../../helpers/smtp-next-hop.js";
import { relayClient } from "../../helpers/smtp-relay.js";
import { CLIENT_ID, CLIENT_SECRET, contoso, TENANT_ID } from "./_tenant.js";

let fake: FakeGraph;
let dir: string;
const SECRET_VARIABLE = "MAILSTAMP_TEST_GRAPH_SECRET";

beforeAll(async () => {
  fake = await startFakeGraph(contoso());
  process.env[SECRET_VARIABLE] = CLIENT_SECRET;
  dir = mkdtempSync(join(tmpdir(), "mailstamp-graph-cli-"));
  writeFileSync(
    join(dir, "mailstamp.config.yaml"),
    `organization:
  name: Contoso
  domains: [contoso.com]
directory:
  graph:
    tenantId: ${TENANT_ID}
    clientId: ${CLIENT_ID}
    clientSecret: \${env:${SECRET_VARIABLE}}
    graphUrl: ${fake.url}
    authorityUrl: ${fake.url}
templates:
  signature:
    html: "<p>{{ user.displayName }} | {{ user.jobTitle }}, {{ user.department }} | {{ user.businessPhones | first }} | {{ user.extensionAttribute1 }}</p>"
    text: "-- \\n{{ user.displayName }} | {{ user.jobTitle }}, {{ user.department }} | {{ user.businessPhones | first }} | {{ user.extensionAttribute1 }}"
  staff:
    text: "Contoso staff notice"
    html: "<p>Contoso staff notice</p>"
rules:
  - name: Signature
    when: { recipients: external }
    stamps: [{ template: signature }]
  - name: All Staff disclaimer
    when: { sender: { groups: [All Staff] } }
    stamps: [{ template: staff, placement: bottom }]
`,
  );
  writeFileSync(
    join(dir, "message.eml"),
    [
      "From: Adele Vance <AdeleV@contoso.com>",
      "To: partner@fabrikam.example",
      "Subject: Store opening",
      "Message-ID: <opening@contoso.com>",
      "Date: Wed, 01 May 2024 09:00:00 +0000",
      "Content-Type: text/plain; charset=utf-8",
      "",
      "See you at the opening.",
      "",
    ].join("\r\n"),
  );
});

afterAll(async () => {
  delete process.env[SECRET_VARIABLE];
  await fake.close();
});

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdin: Readable.from([]),
    stdout: {
      write: (c: string | Uint8Array) => (stdout += typeof c === "string" ? c : Buffer.from(c).toString()),
    },
    stderr: { write: (c: string) => (stderr += c) },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe("mailstamp stamp with directory.graph", () => {
  it("renders the Graph user's attributes and applies a rule on a transitive group", async () => {
    const out = join(dir, "out.eml");
    const report = join(dir, "report.json");
    const r = await cli(["stamp", "-o", out, "--report", report, "message.eml"]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const text = (await PostalMime.parse(readFileSync(out))).text ?? "";
    expect(text).toContain("Adele Vance | Retail Manager, Retail | +1 425 555 0109 | she/her");
    expect(text).toContain("Contoso staff notice");
    const result = JSON.parse(readFileSync(report, "utf8")) as { stamps: Array<{ rule: string }> };
    expect(result.stamps.map((s) => s.rule)).toEqual(["Signature", "All Staff disclaimer"]);
    expect(fake.count(/^POST \/.+\/oauth2\/v2\.0\/token$/)).toBe(1);
  });

  it("exits 1 with Graph's error code when the app may not read users", async () => {
    fake.fail({ status: 403, times: 1 });
    const r = await cli(["stamp", "message.eml"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("Authorization_RequestDenied");
  });
});

describe("mailstamp relay with directory.graph", () => {
  it("stamps in a worker thread with the Graph user's attributes, looked up in the relay's thread", async () => {
    const hop = await startNextHop();
    const relayDir = mkdtempSync(join(tmpdir(), "mailstamp-graph-relay-"));
    const config = readFileSync(join(dir, "mailstamp.config.yaml"), "utf8");
    writeFileSync(
      join(relayDir, "mailstamp.config.yaml"),
      `${config}relay:\n  listen: 127.0.0.1:0\n  upstream: { host: 127.0.0.1, port: ${hop.port}, tls: none }\n`,
    );
    let stdout = "";
    const io = {
      stdin: Readable.from([]),
      stdout: { write: (c: string | Uint8Array) => (stdout += c.toString()) },
      stderr: { write: (c: string) => (stdout += c) },
      cwd: relayDir,
    };
    const tokensBefore = fake.count(/^POST \/.+\/oauth2\/v2\.0\/token$/);
    const userGets = () => fake.count(/^GET \/v1\.0\/users(\/[^/]+)?$/);
    const usersBefore = userGets();
    const exit = run(["relay"], io);
    try {
      let port = 0;
      for (let i = 0; i < 500 && !port; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        const listening = stdout
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as { msg: string; port?: number; stamping?: string })
          .find((event) => event.msg === "relay listening");
        if (listening) {
          expect(listening.stamping).toBe("1 worker thread");
          port = listening.port ?? 0;
        }
      }
      expect(port).toBeGreaterThan(0);
      const client = relayClient(port);
      const message = readFileSync(join(dir, "message.eml"));
      for (const subject of ["Store opening", "Store opening, day 2"]) {
        await client.sendMail({
          envelope: { from: "AdeleV@contoso.com", to: ["partner@fabrikam.example"] },
          raw: message.toString().replace("Subject: Store opening", `Subject: ${subject}`),
        });
      }
      client.close();
    } finally {
      process.emit("SIGTERM");
      expect(await exit).toBe(0);
      await hop.close();
    }
    expect(hop.messages).toHaveLength(2);
    for (const m of hop.messages) {
      const text = (await PostalMime.parse(m.raw)).text ?? "";
      expect(text).toContain("Adele Vance | Retail Manager, Retail | +1 425 555 0109 | she/her");
      expect(text).toContain("Contoso staff notice");
    }
    // One token and one user read for the relay's one Graph directory: its cache serves the worker's lookups.
    expect(fake.count(/^POST \/.+\/oauth2\/v2\.0\/token$/) - tokensBefore).toBe(1);
    expect(userGets() - usersBefore).toBe(1);
  });
});
