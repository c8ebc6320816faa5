import { afterAll, describe, expect, it } from "vitest";
import { alternativeMessage } from "../../helpers/config.js";
import { startNextHop } from "../../helpers/smtp-next-hop.js";
import { relayClient, startRelay } from "../../helpers/smtp-relay.js";

const MESSAGES = 300;
const CONNECTIONS = 10;

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("createRelay under load", () => {
  it(`delivers ${MESSAGES} messages over ${CONNECTIONS} parallel connections, each exactly once`, async () => {
    const hop = await startNextHop();
    cleanups.push(() => hop.close());
    const r = await startRelay(hop.port);
    cleanups.push(() => r.relay.close({ timeoutMs: 1000 }));
    const client = relayClient(r.port, { pool: true, maxConnections: CONNECTIONS });
    cleanups.push(() => client.close());

    const ids = Array.from({ length: MESSAGES }, (_, i) => `<load-${i}@example.com>`);
    const results = await Promise.all(
      ids.map((id, i) =>
        client.sendMail({
          envelope: { from: "alice@example.com", to: [`rcpt${i % 7}@partner.test`] },
          raw: alternativeMessage({ subject: `load ${i}` }).replace("<q3-numbers@example.com>", id),
        }),
      ),
    );

    expect(results.every((info) => /^250 2\.0\.0 Ok: queued as Q\d+$/.test(info.response ?? ""))).toBe(true);
    // Every queue id the clients were told is a message the next hop holds, and no message arrived twice.
    const queued = new Set(results.map((info) => (info.response ?? "").split(" ").pop()));
    expect(queued.size).toBe(MESSAGES);
    const received = hop.messages.map((m) => /^Message-ID: (.*)$/m.exec(m.raw.toString())?.[1]?.trim());
    expect(received).toHaveLength(MESSAGES);
    expect(new Set(received)).toEqual(new Set(ids));
    expect(hop.messages.every((m) => m.raw.includes('data-mailstamp="standard"'))).toBe(true);
    expect(r.relay.metrics().transactions.stamped).toBe(MESSAGES);
    // Next-hop connections are reused across the transactions of each client connection.
    expect(hop.connections).toBeLessThanOrEqual(CONNECTIONS);
  });
});
