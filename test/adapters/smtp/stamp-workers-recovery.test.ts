/**
 * Stamp workers when things go wrong: a worker replaced while messages wait on it, a stamp that times out
 * after its bytes moved to the worker, a runaway stamp behind a slow lookup, messages around the size where
 * Node stops pooling buffers. Found by an independent review; each test but the last (a guard that held)
 * failed before its fix.
 */
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import type { Directory, MailstampConfig } from "../../../src/index.js";
import { alternativeMessage, slowConfig, testConfig } from "../../helpers/config.js";
import { connectSmtp } from "../../helpers/smtp-client.js";
import { startNextHop, type NextHop } from "../../helpers/smtp-next-hop.js";
import { relayClient, startRelay, type TestRelay } from "../../helpers/smtp-relay.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** > 4 KiB, so the relay moves the received bytes to the worker instead of copying them. */
function bigMessage(subject: string, from?: string): string {
  const filler = Array.from({ length: 400 }, (_, i) => `Line ${i} of ${subject}.`).join("\r\n");
  return alternativeMessage({ subject, ...(from ? { from } : {}) }).replace(
    "the numbers are attached.",
    filler,
  );
}

async function relay(options: Parameters<typeof startRelay>[1], config: MailstampConfig) {
  const hop: NextHop = await startNextHop();
  cleanups.push(() => hop.close());
  const r: TestRelay = await startRelay(hop.port, options, config);
  cleanups.push(() => r.relay.close({ timeoutMs: 1000 }));
  return { hop, r };
}

function sender(port: number) {
  return (raw: string, from = "alice@example.com") => {
    const client = relayClient(port);
    cleanups.push(() => client.close());
    return client.sendMail({ envelope: { from, to: ["bob@partner.test"] }, raw });
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("stamp workers: messages waiting on a replaced worker", () => {
  it("reach the next hop whole and stamped after a runaway stamp before them times out", async () => {
    const config = slowConfig();
    const { hop, r } = await relay(
      { stamperConfig: config, stampWorkers: 1, limits: { stampTimeoutMs: 600 } },
      config,
    );
    const send = sender(r.port);
    const slow = send(bigMessage("[slow] first"));
    // The slow message reaches the worker; two more are sent on to it behind it.
    await wait(150);
    const infos = await Promise.all([slow, ...["Second", "Third"].map((s) => send(bigMessage(s)))]);
    for (const info of infos) expect(info.response).toMatch(/^250 /);
    expect(hop.messages).toHaveLength(3);
    for (const subject of ["Second", "Third"]) {
      const got = hop.messages.find((m) => m.raw.toString().includes(`Subject: ${subject}`))?.raw.toString();
      expect(got).toContain(`Line 399 of ${subject}.`);
      expect(got).toContain('data-mailstamp="standard"');
    }
    expect(r.relay.metrics().stampWorkersReplaced).toBe(1);
  });

  it("reach the next hop whole when a lookup outlasts stampTimeoutMs (a throttled Graph)", async () => {
    const config = testConfig({ directory: { users: [] } });
    const directory: Directory = {
      lookup: async (address) => {
        if (address.startsWith("slow")) await wait(1500);
        return { groups: ["Staff"], displayName: `Remote ${address}` };
      },
    };
    const { hop, r } = await relay(
      { stamperConfig: config, stampWorkers: 1, directory, limits: { stampTimeoutMs: 500 } },
      config,
    );
    const send = sender(r.port);
    const slow = send(bigMessage("Slow lookup", "slow@example.com"), "slow@example.com");
    await wait(150);
    const others = [
      send(bigMessage("Second", "ann@example.com"), "ann@example.com"),
      send(bigMessage("Third", "ben@example.com"), "ben@example.com"),
    ];
    const infos = await Promise.all([slow, ...others]);
    for (const info of infos) expect(info.response).toMatch(/^250 /);
    expect(hop.messages).toHaveLength(3);
    for (const m of hop.messages) expect(m.raw.length).toBeGreaterThan(8000);
    const second = hop.messages.find((m) => m.raw.toString().includes("Subject: Second"))?.raw.toString();
    expect(second).toContain("Remote ann@example.com");
    // The worker was waiting for this thread, not stuck: only the slow message failed, the worker stayed.
    const slowTx = r.transactions().find((t) => t.outcome === "passed-on-error");
    expect(String(slowTx?.error)).toContain("waiting for the directory");
    expect(r.transactions().filter((t) => t.outcome === "stamped")).toHaveLength(2);
    expect(r.relay.metrics().stampWorkersReplaced).toBe(0);
  });
});

describe("stamp workers: a runaway stamp is the one that pays", () => {
  it("a message whose lookup answers within stampTimeoutMs is not failed for a runaway stamp after it", async () => {
    const config = slowConfig(testConfig({ directory: { users: [] } }));
    // Ann's lookup takes 300 ms (Graph), well inside the 800 ms stampTimeoutMs.
    const directory: Directory = {
      lookup: async (address) => {
        if (address.startsWith("ann")) await wait(300);
        return { groups: ["Staff"], displayName: `Remote ${address}` };
      },
    };
    const { hop, r } = await relay(
      { stamperConfig: config, stampWorkers: 1, directory, limits: { stampTimeoutMs: 800 } },
      config,
    );
    await wait(1500); // the worker has started
    const send = sender(r.port);
    const ann = send(
      alternativeMessage({ from: "ann@example.com", subject: "Ann's message" }),
      "ann@example.com",
    );
    await wait(100);
    const runaway = send(
      alternativeMessage({ from: "ben@example.com", subject: "[slow] runaway" }),
      "ben@example.com",
    );
    await Promise.all([ann, runaway]);
    const annRaw = hop.messages.find((m) => m.raw.toString().includes("Ann's message"))?.raw.toString();
    expect(annRaw).toContain("Remote ann@example.com");
    expect(r.transactions().map((t) => t.outcome)).toEqual(["stamped", "passed-on-error"]);
  });
});

describe("stamp workers: the original after its bytes moved to the worker", () => {
  /**
   * Stamp requests still go to the worker (their bytes are moved) but under an id the relay does not wait for,
   * so every stamp times out: the error path must find the original without the moved bytes.
   */
  function answersGetLost(): void {
    const original = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, value: unknown, transfer?: readonly unknown[]) {
      const request =
        value && typeof value === "object" && "envelope" in value ? { ...value, id: -1 } : value;
      original.call(this, request, transfer as never);
    } as typeof original;
    cleanups.push(() => {
      Worker.prototype.postMessage = original;
    });
  }

  async function sendRaw(port: number, message: string) {
    const s = await connectSmtp(port);
    cleanups.push(() => s.close());
    await s.command("EHLO client.test");
    await s.command("MAIL FROM:<alice@example.com>");
    await s.command("RCPT TO:<bob@partner.test>");
    expect((await s.command("DATA")).code).toBe(354);
    return s.data(`${message}.\r\n`);
  }

  for (const markUnstamped of [true, false]) {
    it(`passes an empty message on with 250 (markUnstamped: ${markUnstamped})`, async () => {
      const config = testConfig();
      const { hop, r } = await relay(
        { stamperConfig: config, stampWorkers: 1, limits: { stampTimeoutMs: 300 }, markUnstamped },
        config,
      );
      answersGetLost();
      expect(await sendRaw(r.port, "")).toEqual({ code: 250, text: "2.0.0 Ok: queued as Q1" });
      expect(r.transactions()).toHaveLength(1);
      expect(r.transactions()[0]).toMatchObject({ outcome: "passed-on-error" });
      expect(hop.messages).toHaveLength(1);
      // Nothing but the marker line (when marking) — the empty original.
      if (markUnstamped) expect(hop.messages[0]?.raw.toString()).toMatch(/^X-Mailstamp: [^\r\n]+\r\n$/);
      else expect(hop.messages[0]?.raw.toString()).toBe("");
    });
  }

  it("passes messages around 4 KiB (pooled and not) on byte for byte", async () => {
    const config = testConfig();
    const { hop, r } = await relay(
      { stamperConfig: config, stampWorkers: 1, limits: { stampTimeoutMs: 300 } },
      config,
    );
    answersGetLost();
    const head =
      "From: alice@example.com\r\nTo: bob@partner.test\r\nSubject: size\r\nContent-Type: text/plain\r\n\r\n";
    for (const size of [4095, 4096, 4097, 65536]) {
      const original = head + "x".repeat(size - head.length - 2) + "\r\n";
      expect(original.length).toBe(size);
      expect((await sendRaw(r.port, original)).code).toBe(250);
      const got = hop.messages.at(-1)?.raw.toString("latin1");
      expect(got?.replace(/^X-Mailstamp[^\r\n]*\r\n/i, "")).toBe(original);
    }
    expect(r.transactions().map((t) => t.outcome)).toEqual(Array(4).fill("passed-on-error"));
  });
});
