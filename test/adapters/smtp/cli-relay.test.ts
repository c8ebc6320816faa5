import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { run } from "../../../src/cli/run.js";
import { alternativeMessage, testConfig } from "../../helpers/config.js";
import { startNextHop } from "../../helpers/smtp-next-hop.js";
import { relayClient } from "../../helpers/smtp-relay.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function cli(dir: string) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdin: new PassThrough(),
    stdout: { write: (chunk: string | Uint8Array) => (stdout += chunk.toString()) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    cwd: dir,
  };
  return { io, out: () => stdout, err: () => stderr };
}

function writeConfig(relay: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "mailstamp-cli-relay-"));
  writeFileSync(join(dir, "mailstamp.config.yaml"), stringify({ ...testConfig(), relay }));
  return dir;
}

describe("mailstamp relay", () => {
  it("runs the relay from the config's relay section, logs JSON lines, and drains on SIGTERM", async () => {
    const hop = await startNextHop();
    cleanups.push(() => hop.close());
    const dir = writeConfig({
      listen: "127.0.0.1:0",
      upstream: { host: "127.0.0.1", port: hop.port, tls: "none" },
    });
    const { io, out } = cli(dir);
    const exit = run(["relay"], io);
    let port = 0;
    while (!port) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const listening = out()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg: string; port?: number })
        .find((event) => event.msg === "relay listening");
      port = listening?.port ?? 0;
    }
    const client = relayClient(port);
    await client.sendMail({
      envelope: { from: "alice@example.com", to: ["bob@partner.test"] },
      raw: alternativeMessage(),
    });
    client.close();
    process.emit("SIGTERM");
    expect(await exit).toBe(0);
    expect(hop.messages).toHaveLength(1);
    const events = out()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { msg: string; outcome?: string });
    expect(events.filter((e) => e.msg === "transaction").map((e) => e.outcome)).toEqual(["stamped"]);
    expect(events.at(-1)?.msg).toBe("relay closed");
    // relay.stampWorkers left out: one stamp worker thread (no directory.graph in this config).
    expect(out()).toContain('"stamping":"1 worker thread"');
  });

  it("exits 1 with every relay problem on its own line", async () => {
    const dir = writeConfig({ upstream: { tls: "maybe" }, onError: "ignore" });
    const { io, err } = cli(dir);
    expect(await run(["relay"], io)).toBe(1);
    expect(err()).toContain("mailstamp relay: relay.upstream.host: required");
    expect(err()).toContain("mailstamp relay: relay.onError: expected one of pass, tempfail");
  });

  it("exits 2 for arguments it does not take", async () => {
    const { io } = cli(tmpdir());
    expect(await run(["relay", "extra"], io)).toBe(2);
    expect(await run(["relay", "--json"], io)).toBe(2);
  });
});
