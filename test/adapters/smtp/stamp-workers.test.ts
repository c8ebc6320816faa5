import { afterEach, describe, expect, it } from "vitest";
import { createStamper, isMailstampError, type Directory, type DirectoryUser } from "../../../src/index.js";
import { createRelay, relayOptionsFromConfig } from "../../../src/adapters/smtp/index.js";
import { parseConfig } from "../../../src/index.js";
import { alternativeMessage, slowConfig, testConfig } from "../../helpers/config.js";
import { startNextHop, type NextHop } from "../../helpers/smtp-next-hop.js";
import { relayClient, startRelay, type TestRelay } from "../../helpers/smtp-relay.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  relayOptions: Parameters<typeof startRelay>[1],
  config = testConfig(),
): Promise<{ hop: NextHop; r: TestRelay }> {
  const hop = await startNextHop();
  cleanups.push(() => hop.close());
  const r = await startRelay(hop.port, relayOptions, config);
  cleanups.push(() => r.relay.close({ timeoutMs: 1000 }));
  return { hop, r };
}

function send(port: number, subject: string) {
  const client = relayClient(port);
  cleanups.push(() => client.close());
  return client.sendMail({
    envelope: { from: "alice@example.com", to: ["bob@partner.test"] },
    raw: alternativeMessage({ subject }),
  });
}

describe("createRelay: stampWorkers", () => {
  it("stamps through two workers to the same bytes as stamping on the event loop", async () => {
    const config = testConfig();
    const inThread = await setup({ stamper: createStamper(config) }, config);
    const workers = await setup({ stamperConfig: config, stampWorkers: 2 }, config);
    const subjects = ["One", "Two", "Three", "Four"];
    await Promise.all(subjects.map((s) => send(inThread.r.port, s)));
    await Promise.all(subjects.map((s) => send(workers.r.port, s)));
    const bySubject = (hop: NextHop) =>
      new Map(hop.messages.map((m) => [/^Subject: (.*)$/m.exec(m.raw.toString())?.[1], m.raw.toString()]));
    const expected = bySubject(inThread.hop);
    const actual = bySubject(workers.hop);
    expect(actual.size).toBe(subjects.length);
    for (const subject of subjects) {
      expect(actual.get(subject)).toBe(expected.get(subject));
      expect(actual.get(subject)).toContain('data-mailstamp="standard"');
    }
    expect(workers.r.transactions().every((t) => t.outcome === "stamped")).toBe(true);
  });

  it("replaces a worker that hangs past stampTimeoutMs; onError pass forwards the original, marked", async () => {
    const config = slowConfig();
    const { hop, r } = await setup(
      { stamperConfig: config, stampWorkers: 1, limits: { stampTimeoutMs: 300 } },
      config,
    );
    // Large enough (> 4 KiB, outside Node's shared buffer pool) that the relay moves the received bytes to the
    // worker without a copy: the original forwarded on error is rebuilt from what was received.
    const filler = Array.from({ length: 800 }, (_, i) => `Line ${i} of the appendix.`).join("\r\n");
    const original = alternativeMessage({ subject: "[slow] numbers" }).replace(
      "the numbers are attached.",
      filler,
    );
    expect(original.length).toBeGreaterThan(16_000);
    const client = relayClient(r.port);
    cleanups.push(() => client.close());
    const info = await client.sendMail({
      envelope: { from: "alice@example.com", to: ["bob@partner.test"] },
      raw: original,
    });
    expect(info.response).toBe("250 2.0.0 Ok: queued as Q1");
    const passed = hop.messages[0]!.raw.toString();
    expect(passed).not.toContain("data-mailstamp");
    expect(passed).toMatch(/^X-Mailstamp/im);
    // Every original byte is there, under the marker header.
    expect(passed.replace(/^X-Mailstamp[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/im, "")).toBe(original);
    expect(r.transactions()[0]).toMatchObject({ outcome: "passed-on-error" });
    expect(String(r.transactions()[0]?.error)).toContain("stampTimeoutMs");
    // The replacement worker stamps the next message.
    await send(r.port, "Quarterly numbers");
    expect(hop.messages[1]!.raw.toString()).toContain('data-mailstamp="standard"');
  });

  it("with onError tempfail a hanging worker gives 451, and the next message still works", async () => {
    const config = slowConfig();
    const { hop, r } = await setup(
      {
        stamperConfig: config,
        stampWorkers: 1,
        onError: "tempfail",
        limits: { stampTimeoutMs: 300 },
      },
      config,
    );
    const err = (await send(r.port, "[slow] numbers").catch((e: unknown) => e)) as { responseCode?: number };
    expect(err.responseCode).toBe(451);
    expect(hop.messages).toHaveLength(0);
    await send(r.port, "Quarterly numbers");
    expect(hop.messages).toHaveLength(1);
    expect(hop.messages[0]!.raw.toString()).toContain('data-mailstamp="standard"');
  });

  it("refuses combinations that cannot go to a worker, and bad values", () => {
    const config = testConfig();
    const base = { upstream: { host: "127.0.0.1", tls: "none" as const }, logger: false as const };
    const invalid = (options: Parameters<typeof createRelay>[0]): string => {
      try {
        createRelay(options);
      } catch (err) {
        expect(isMailstampError(err) && err.code).toBe("OPTIONS_INVALID");
        return (err as Error).message;
      }
      throw new Error("expected OPTIONS_INVALID");
    };
    const stamper = createStamper(config);
    expect(invalid({ ...base, stamper, stampWorkers: 2 })).toMatch(
      /stamper: cannot be sent to a stamp worker/,
    );
    expect(invalid({ ...base, resolveStamper: () => stamper, stampWorkers: 1 })).toMatch(
      /resolveStamper: cannot be sent/,
    );
    expect(invalid({ ...base, stamper, stamperConfig: config })).toMatch(/stamperConfig: pass either/);
    expect(invalid({ ...base, stamperConfig: config, stampWorkers: -1 })).toMatch(/stampWorkers/);
    expect(invalid({ ...base, stamperConfig: config, stampWorkers: 1.5 })).toMatch(/stampWorkers/);
    expect(invalid({ ...base, stamperConfig: config, stampWorkers: "2" as unknown as number })).toMatch(
      /stampWorkers/,
    );
    const graphConfig = { ...config, directory: { ...config.directory, graph: { tenantId: "x" } } };
    expect(invalid({ ...base, stamperConfig: graphConfig, stampWorkers: 1 })).toMatch(
      /directory: required for a stamperConfig with directory\.graph/,
    );
    expect(invalid({ ...base, stamper, directory: { lookup: async () => undefined } })).toMatch(
      /directory: only with stamperConfig/,
    );
    expect(invalid({ ...base, stamperConfig: config, directory: {} as unknown as Directory })).toMatch(
      /directory: expected an object with a lookup/,
    );
    // Accepted: a config and workers; nothing is spawned until listen().
    expect(() => createRelay({ ...base, stamperConfig: config, stampWorkers: 2 })).not.toThrow();
  });

  it("reads relay.stampWorkers from a config, and refuses a bad value", () => {
    const withRelay = (stampWorkers: unknown) =>
      parseConfig({ ...testConfig(), relay: { upstream: { host: "127.0.0.1" }, stampWorkers } });
    expect(relayOptionsFromConfig(withRelay(2), { baseDir: "." }).stampWorkers).toBe(2);
    expect(() => relayOptionsFromConfig(withRelay(-1), { baseDir: "." })).toThrow(/relay\.stampWorkers/);
    expect(() => relayOptionsFromConfig(withRelay("two"), { baseDir: "." })).toThrow(/relay\.stampWorkers/);
  });
});

describe("createRelay: stampWorkers with a relay directory", () => {
  /** A directory in the test's (the relay's) thread: counts lookups, answers after `delayMs(address)`. */
  function countingDirectory(
    users: Record<string, Partial<DirectoryUser>>,
    delayMs: (address: string) => number = () => 0,
  ): Directory & { lookups: string[] } {
    const lookups: string[] = [];
    return {
      lookups,
      lookup: async (address) => {
        lookups.push(address);
        await new Promise((resolve) => setTimeout(resolve, delayMs(address)));
        const user = users[address.toLowerCase()];
        return user ? { groups: [], ...user } : undefined;
      },
    };
  }

  function sendFrom(port: number, from: string, subject: string) {
    const client = relayClient(port);
    cleanups.push(() => client.close());
    return client.sendMail({
      envelope: { from, to: ["bob@partner.test"] },
      raw: alternativeMessage({ from, subject }),
    });
  }

  it("looks senders up in the relay's directory, whose answers reach the right message", async () => {
    // No static users: everything the signatures show comes through the directory in this thread. The first
    // sender's answer is the slowest, so answers come back in the reverse order of the questions.
    const config = testConfig({ directory: { users: [] } });
    const directory = countingDirectory(
      {
        "ann@example.com": { displayName: "Ann Remote", jobTitle: "Treasurer", groups: ["Staff"] },
        "ben@example.com": { displayName: "Ben Remote", jobTitle: "Buyer", groups: ["Staff"] },
        "cat@example.com": { displayName: "Cat Remote", jobTitle: "Counsel", groups: ["Staff"] },
      },
      (address) => (address.startsWith("ann") ? 150 : address.startsWith("ben") ? 75 : 0),
    );
    const { hop, r } = await setup({ stamperConfig: config, stampWorkers: 1, directory }, config);
    const senders = ["ann", "ben", "cat"];
    await Promise.all(senders.map((name) => sendFrom(r.port, `${name}@example.com`, `From ${name}`)));
    expect(hop.messages).toHaveLength(3);
    const titles = { ann: "Treasurer", ben: "Buyer", cat: "Counsel" } as const;
    for (const name of senders) {
      const raw = hop.messages
        .find((m) => m.raw.toString().includes(`Subject: From ${name}`))
        ?.raw.toString();
      expect(raw).toContain(`${name[0]?.toUpperCase()}${name.slice(1)} Remote`);
      expect(raw).toContain(titles[name as keyof typeof titles]);
      expect(raw).toContain("This message is confidential."); // the Staff group came through too
    }
    // Looked up at MAIL FROM; Ann's and Ben's answers were not there yet when their messages were stamped,
    // so the worker asked for them again.
    expect(new Set(directory.lookups)).toEqual(new Set(senders.map((n) => `${n}@example.com`)));
    expect(r.transactions().every((t) => t.outcome === "stamped")).toBe(true);
  });

  it("uses the answer for the envelope sender looked up at MAIL FROM, and asks for any other From", async () => {
    const config = testConfig({ directory: { users: [] } });
    const directory = countingDirectory({
      "ann@example.com": { displayName: "Ann Remote", jobTitle: "Treasurer", groups: ["Staff"] },
      "ben@example.com": { displayName: "Ben Remote", jobTitle: "Buyer", groups: ["Staff"] },
    });
    const { hop, r } = await setup({ stamperConfig: config, stampWorkers: 1, directory }, config);
    await sendFrom(r.port, "ann@example.com", "Same sender");
    expect(directory.lookups).toEqual(["ann@example.com"]);
    // Ben's message submitted by Ann's mailbox (send on behalf): the signature is Ben's, asked for by the worker.
    const client = relayClient(r.port);
    cleanups.push(() => client.close());
    await client.sendMail({
      envelope: { from: "ann@example.com", to: ["bob@partner.test"] },
      raw: alternativeMessage({ from: "ben@example.com", subject: "On behalf" }),
    });
    expect(directory.lookups).toEqual(["ann@example.com", "ann@example.com", "ben@example.com"]);
    expect(hop.messages[0]?.raw.toString()).toContain("Treasurer");
    expect(hop.messages[1]?.raw.toString()).toContain("Buyer");
  });

  it("a failing or unusable directory answer makes the stamp fail (onError), not hang", async () => {
    const config = testConfig({ directory: { users: [] } });
    const directory: Directory = {
      lookup: async (address) => {
        if (address.startsWith("down")) throw new Error("Graph is down");
        // A record that cannot cross threads.
        return { groups: [], displayName: "Odd", render: () => "x" } as unknown as DirectoryUser;
      },
    };
    const { hop, r } = await setup(
      { stamperConfig: config, stampWorkers: 1, directory, limits: { stampTimeoutMs: 5000 } },
      config,
    );
    await sendFrom(r.port, "down@example.com", "One");
    await sendFrom(r.port, "odd@example.com", "Two");
    expect(hop.messages).toHaveLength(2);
    for (const m of hop.messages) expect(m.raw.toString()).not.toContain("data-mailstamp");
    const [down, odd] = r.transactions();
    expect(down).toMatchObject({ outcome: "passed-on-error" });
    expect(String(down?.error)).toMatch(/directory lookup for down@example\.com failed: .*Graph is down/);
    expect(odd).toMatchObject({ outcome: "passed-on-error" });
    expect(String(odd?.error)).toMatch(/could not be cloned|DataCloneError/i);
  });
});
