import { afterEach, describe, expect, it } from "vitest";
import { createJsonLogger } from "../../../src/adapters/smtp/index.js";
import { alternativeMessage } from "../../helpers/config.js";
import { startNextHop, type NextHop } from "../../helpers/smtp-next-hop.js";
import { connectSmtp } from "../../helpers/smtp-client.js";
import { relayClient, startRelay, type TestRelay } from "../../helpers/smtp-relay.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  hopOptions: Parameters<typeof startNextHop>[0] = {},
  relayOptions: Parameters<typeof startRelay>[1] = {},
): Promise<{ hop: NextHop; r: TestRelay }> {
  const hop = await startNextHop(hopOptions);
  cleanups.push(() => hop.close());
  const r = await startRelay(hop.port, relayOptions);
  cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
  return { hop, r };
}

function send(port: number, to: string[]) {
  const client = relayClient(port);
  cleanups.push(() => client.close());
  return client.sendMail({ envelope: { from: "alice@example.com", to }, raw: alternativeMessage() });
}

describe("log events", () => {
  it("writes one transaction event with client, size, recipients, stamps, duration and the next hop's reply", async () => {
    const { r } = await setup({
      rcpt: (a) => (a.startsWith("x@") ? { code: 550, message: "5.1.1 unknown" } : undefined),
    });
    await send(r.port, ["bob@partner.test", "x@partner.test"]);
    const transactions = r.transactions();
    expect(transactions).toHaveLength(1);
    const event = transactions[0]!;
    expect(event).toMatchObject({
      client: { address: "127.0.0.1", tls: false },
      mailFrom: "alice@example.com",
      recipients: [
        { address: "bob@partner.test", code: 250 },
        { address: "x@partner.test", code: 550 },
      ],
      size: Buffer.byteLength(alternativeMessage()),
      outcome: "stamped",
      status: "stamped",
      stamps: ["standard@under-reply", "legal@bottom"],
      nextHop: "250 2.0.0 Ok: queued as Q1",
      reply: "250 2.0.0 Ok: queued as Q1",
    });
    expect(typeof event.id).toBe("string");
    expect(typeof event.durationMs).toBe("number");
  });

  it("createJsonLogger writes one parseable JSON object per line", () => {
    const lines: string[] = [];
    const logger = createJsonLogger((line) => lines.push(line));
    logger.info?.("transaction", { id: "abc", size: 12 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith("\n")).toBe(true);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", msg: "transaction", id: "abc", size: 12 });
  });
});

describe("metrics", () => {
  it("serves Prometheus counters on the metrics port", async () => {
    const { r } = await setup({}, { metrics: { listen: "127.0.0.1:0" } });
    await send(r.port, ["bob@partner.test"]);
    const url = r.address.metrics?.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(url!);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain('mailstamp_relay_transactions_total{outcome="stamped"} 1');
    expect(text).toContain('mailstamp_relay_recipients_total{verdict="accepted"} 1');
    expect(text).toContain("# TYPE mailstamp_relay_connections_active gauge");
    expect((await fetch(url!.replace("/metrics", "/other"))).status).toBe(404);
  });
});

describe("close()", () => {
  it("lets a transaction in flight finish with 250, then stops accepting", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let arrived: () => void = () => {};
    const inData = new Promise<void>((resolve) => (arrived = resolve));
    // The next hop holds its DATA reply until the test has called close().
    const { hop, r } = await setup({ data: () => "accept" });
    const original = r.stamper.stamp.bind(r.stamper);
    r.stamper.stamp = async (raw, options) => {
      arrived();
      await gate;
      return original(raw, options);
    };
    const sending = send(r.port, ["bob@partner.test"]);
    await inData;
    const closing = r.relay.close({ timeoutMs: 10_000 });
    release();
    const info = await sending;
    expect(info.response).toMatch(/^250 /);
    await closing;
    expect(hop.messages).toHaveLength(1);
    await expect(connectSmtp(r.port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("closes idle connections with 421 at once", async () => {
    const { r } = await setup();
    const s = await connectSmtp(r.port);
    cleanups.push(() => s.close());
    await s.command("EHLO client.test");
    await r.relay.close({ timeoutMs: 10_000 });
    await s.closed;
    // The unsolicited 421 is the next reply the client reads (RFC 5321 §3.8).
    const reply = await s.command("NOOP");
    expect(reply.code).toBe(421);
    expect(reply.text).toContain("4.3.2 Service shutting down");
  });

  it("cuts off a transaction that outlives the deadline with 4xx, never 250", async () => {
    const { hop, r } = await setup({ data: () => "hang" });
    const sending = send(r.port, ["bob@partner.test"]).then(
      () => "accepted",
      (err: { responseCode?: number }) => err.responseCode,
    );
    while (hop.connections === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Wait until the message is at the next hop (which never answers), then close with a short deadline.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await r.relay.close({ timeoutMs: 100 });
    expect(await sending).toBe(421);
    expect(hop.messages).toHaveLength(0);
  });
});
