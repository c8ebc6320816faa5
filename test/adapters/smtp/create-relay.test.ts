import { afterEach, describe, expect, it } from "vitest";
import { createStamper, type Stamper } from "../../../src/index.js";
import { alternativeMessage, testConfig } from "../../helpers/config.js";
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
  config = testConfig(),
): Promise<{ hop: NextHop; r: TestRelay }> {
  const hop = await startNextHop(hopOptions);
  cleanups.push(() => hop.close());
  const r = await startRelay(hop.port, relayOptions, config);
  cleanups.push(() => r.relay.close({ timeoutMs: 1000 }));
  return { hop, r };
}

function send(port: number, to: string[], raw = alternativeMessage(), from = "alice@example.com") {
  const client = relayClient(port);
  cleanups.push(() => client.close());
  return client.sendMail({ envelope: { from, to }, raw });
}

interface SmtpFailure {
  responseCode?: number;
  response?: string;
}

async function failure(promise: Promise<unknown>): Promise<SmtpFailure> {
  try {
    await promise;
  } catch (err) {
    return err as SmtpFailure;
  }
  throw new Error("expected the send to fail, it succeeded");
}

describe("createRelay: stamping in the flow", () => {
  it("stamps the message and answers with the next hop's own reply and queue id", async () => {
    const { hop, r } = await setup();
    const info = await send(r.port, ["bob@partner.test"]);
    expect(info.response).toBe("250 2.0.0 Ok: queued as Q1");
    expect(hop.messages).toHaveLength(1);
    const received = hop.messages[0]!;
    expect(received.mailFrom).toBe("alice@example.com");
    expect(received.rcptTo).toEqual(["bob@partner.test"]);
    expect(received.raw.toString()).toContain('data-mailstamp="standard"');
    expect(received.raw.toString()).toContain("Chief Financial Officer");
  });

  it("passes a message with a valid marker through byte for byte", async () => {
    const { hop, r } = await setup();
    const once = await r.stamper.stamp(alternativeMessage(), { envelope: { rcptTo: ["bob@partner.test"] } });
    expect(once.status).toBe("stamped");
    await send(r.port, ["bob@partner.test"], Buffer.from(once.message).toString("utf8"));
    expect(hop.messages[0]!.raw.equals(Buffer.from(once.message))).toBe(true);
    expect(r.transactions()[0]).toMatchObject({ outcome: "skipped", reason: "already-stamped" });
  });

  it("marks a message it passes on unstamped so a routing rule does not send it round again", async () => {
    const config = testConfig({ options: { marker: { secret: "relay-test-secret" } } });
    const { hop, r } = await setup({}, {}, config);
    // Internal recipient and a sender outside the Staff group: no rule matches.
    const raw = alternativeMessage({ from: "Dave <dave@example.com>", to: "Erin <erin@example.com>" });
    await send(r.port, ["erin@example.com"], raw, "dave@example.com");
    const received = hop.messages[0]!.raw;
    expect(received.toString()).toMatch(/^X-Mailstamp: v=1; h=[\w-]+\r\n/);
    // The rest is the original message, untouched.
    expect(received.subarray(received.indexOf("\r\n") + 2).toString()).toBe(raw);
    const again = await createStamper(config).stamp(received);
    expect(again).toMatchObject({ status: "skipped", reason: "already-stamped" });
    expect(r.transactions()[0]).toMatchObject({ outcome: "skipped", reason: "no-rule-matched" });
  });

  it("leaves unstamped messages unmarked with markUnstamped: false", async () => {
    const { hop, r } = await setup({}, { markUnstamped: false });
    const raw = alternativeMessage({ from: "Dave <dave@example.com>", to: "Erin <erin@example.com>" });
    await send(r.port, ["erin@example.com"], raw, "dave@example.com");
    expect(hop.messages[0]!.raw.toString()).toBe(raw);
  });

  it("uses the stamper resolveStamper picks for the transaction", async () => {
    const tenantB = createStamper(
      testConfig({
        templates: { standard: { html: "<p>Tenant B footer</p>", text: "Tenant B footer" } },
        rules: [{ name: "all", stamps: [{ template: "standard" }] }],
      }),
    );
    const tenantA = createStamper(testConfig());
    const seen: string[] = [];
    const { hop, r } = await setup(
      {},
      {
        resolveStamper: (session) => {
          seen.push(`${session.envelope.mailFrom} → ${session.envelope.rcptTo.join(",")}`);
          return session.envelope.mailFrom.endsWith("@tenant-b.test") ? tenantB : tenantA;
        },
      },
    );
    await send(
      r.port,
      ["bob@partner.test"],
      alternativeMessage({ from: "x@tenant-b.test" }),
      "x@tenant-b.test",
    );
    await send(r.port, ["bob@partner.test"]);
    expect(seen).toEqual(["x@tenant-b.test → bob@partner.test", "alice@example.com → bob@partner.test"]);
    expect(hop.messages[0]!.raw.toString()).toContain("Tenant B footer");
    expect(hop.messages[1]!.raw.toString()).toContain("Alice Example");
  });

  it("refuses a message a policy rejects with 550 5.7.1 and sends nothing on", async () => {
    const { hop, r } = await setup({}, {}, testConfig({ options: { protected: "reject" } }));
    const signed = [
      "From: alice@example.com",
      "To: bob@partner.test",
      "Subject: signed",
      "Message-ID: <signed@example.com>",
      "MIME-Version: 1.0",
      'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="s"',
      "",
      "--s",
      "Content-Type: text/plain",
      "",
      "hello",
      "--s",
      "Content-Type: application/pkcs7-signature",
      "",
      "AAAA",
      "--s--",
      "",
    ].join("\r\n");
    const err = await failure(send(r.port, ["bob@partner.test"], signed));
    expect(err.responseCode).toBe(550);
    expect(err.response).toMatch(/^550 5\.7\.1 Message refused by policy \(protected/);
    expect(hop.messages).toHaveLength(0);
  });
});

describe("createRelay: onError", () => {
  const real = createStamper(testConfig());
  const broken: Stamper = {
    config: real.config,
    stamp: () => Promise.reject(new Error("directory is down")),
    mark: real.mark,
  };
  const stuck: Stamper = { config: real.config, stamp: () => new Promise(() => {}), mark: real.mark };

  it("forwards the original unchanged (marked) when stamping fails, and logs it (pass)", async () => {
    const { hop, r } = await setup({}, { stamper: broken });
    const info = await send(r.port, ["bob@partner.test"]);
    expect(info.response).toMatch(/^250 /);
    expect(hop.messages[0]!.raw.toString()).toBe(`X-Mailstamp: v=1\r\n${alternativeMessage()}`);
    expect(r.events.some((e) => e.level === "error" && e.msg === "stamping failed")).toBe(true);
    expect(r.transactions()[0]).toMatchObject({ outcome: "passed-on-error", error: "directory is down" });
  });

  it("forwards the original when stamping exceeds stampTimeoutMs (pass)", async () => {
    const { hop, r } = await setup({}, { stamper: stuck, limits: { stampTimeoutMs: 50 } });
    const info = await send(r.port, ["bob@partner.test"]);
    expect(info.response).toMatch(/^250 /);
    expect(hop.messages[0]!.raw.toString()).toContain("the numbers are attached.");
    expect(hop.messages[0]!.raw.toString()).not.toContain("mailstamp");
  });

  it("answers 451 and sends nothing on when stamping fails (tempfail)", async () => {
    const { hop, r } = await setup({}, { stamper: broken, onError: "tempfail" });
    const err = await failure(send(r.port, ["bob@partner.test"]));
    expect(err.responseCode).toBe(451);
    expect(hop.messages).toHaveLength(0);
  });
});

describe("createRelay: lockstep with the next hop", () => {
  it("gives each recipient the next hop's own verdict", async () => {
    const { hop, r } = await setup({
      rcpt: (address) =>
        address.startsWith("nobody@") ? { code: 550, message: "5.1.1 No such user here" } : undefined,
    });
    const info = await send(r.port, ["bob@partner.test", "nobody@partner.test", "carol@partner.test"]);
    expect(info.accepted).toEqual(["bob@partner.test", "carol@partner.test"]);
    expect(info.rejected).toEqual(["nobody@partner.test"]);
    const rejected = info.rejectedErrors?.[0] as SmtpFailure | undefined;
    expect(rejected?.response).toBe("550 5.1.1 No such user here");
    expect(hop.messages[0]!.rcptTo).toEqual(["bob@partner.test", "carol@partner.test"]);
  });

  it("passes a temporary recipient refusal on as a temporary refusal", async () => {
    const { hop, r } = await setup({ rcpt: () => ({ code: 452, message: "4.2.2 Mailbox full" }) });
    const err = await failure(send(r.port, ["bob@partner.test"]));
    expect(String(err.response ?? (err as Error).message)).toContain("452 4.2.2 Mailbox full");
    expect(hop.messages).toHaveLength(0);
  });

  it("passes the next hop's refusal of the message back", async () => {
    const { hop, r } = await setup({ data: () => ({ code: 554, message: "5.7.1 Content rejected" }) });
    const err = await failure(send(r.port, ["bob@partner.test"]));
    expect(err.responseCode).toBe(554);
    expect(err.response).toBe("554 5.7.1 Content rejected");
    expect(hop.messages).toHaveLength(0);
    expect(r.transactions()[0]).toMatchObject({ outcome: "refused-by-next-hop" });
  });

  it("answers 4xx at MAIL FROM when the next hop is unreachable", async () => {
    const hop = await startNextHop();
    const port = hop.port;
    await hop.close(); // nothing listens there any more
    const r = await startRelay(port, {
      upstream: { host: "127.0.0.1", port, tls: "none", connectTimeoutMs: 2000 },
    });
    cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
    const err = await failure(send(r.port, ["bob@partner.test"]));
    expect(err.responseCode).toBe(451);
    expect(err.response).toMatch(/^451 4\.4\.1 Next hop 127\.0\.0\.1:\d+ failed at MAIL FROM/);
  });

  it("answers 4xx, never 250, when the next hop hangs up during DATA", async () => {
    const { hop, r } = await setup({ data: () => "drop" });
    const err = await failure(send(r.port, ["bob@partner.test"]));
    expect(err.responseCode).toBe(451);
    expect(err.response).toMatch(/^451 4\.4\.2 /);
    expect(hop.messages).toHaveLength(0);
  });

  it("answers 4xx when the next hop does not answer DATA within its timeout", async () => {
    const { hop, r } = await setup(
      { data: () => "hang" },
      { upstream: { host: "127.0.0.1", tls: "none", dataTimeoutMs: 200 } },
    );
    void hop;
    const err = await failure(send(r.port, ["bob@partner.test"]));
    expect(err.responseCode).toBe(451);
    expect(err.response).toContain("no reply from the next hop within 200 ms");
  });

  it("delivers nothing when the client hangs up while its message is being stamped", async () => {
    // The client never gets a 250, so it will send the message again: delivering this copy would make two.
    const real = createStamper(testConfig());
    const slow: Stamper = {
      ...real,
      stamp: async (raw, options) => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return real.stamp(raw, options);
      },
    };
    const { hop, r } = await setup({}, { stamper: slow });
    const s = await connectSmtp(r.port);
    await s.command("EHLO client.test");
    await s.command("MAIL FROM:<alice@example.com>");
    await s.command("RCPT TO:<bob@partner.test>");
    await s.command("DATA");
    void s.data(`${alternativeMessage()}.\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the message is being stamped
    s.close();
    await new Promise((resolve) => setTimeout(resolve, 600)); // the stamp is done
    expect(hop.messages).toHaveLength(0);
    expect(r.transactions().map((t) => t.outcome)).toEqual(["aborted"]);
    // The next hop's half of the transaction was ended; a new client gets through.
    await send(r.port, ["bob@partner.test"]);
    expect(hop.messages).toHaveLength(1);
  });

  it("answers 4xx for the whole transaction when the next hop hangs up at MAIL FROM", async () => {
    const { hop, r } = await setup({ dropAtMail: true });
    const err = await failure(send(r.port, ["bob@partner.test"]));
    expect(err.responseCode).toBe(451);
    expect(hop.messages).toHaveLength(0);
  });

  it("handles RSET and several transactions on one connection over one next-hop connection", async () => {
    const { hop, r } = await setup();
    const s = await connectSmtp(r.port);
    cleanups.push(() => s.close());
    expect((await s.command("EHLO client.test")).code).toBe(250);
    expect((await s.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
    expect((await s.command("RCPT TO:<first@partner.test>")).code).toBe(250);
    expect((await s.command("RSET")).code).toBe(250);
    for (const rcpt of ["second@partner.test", "third@partner.test"]) {
      expect((await s.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
      expect((await s.command(`RCPT TO:<${rcpt}>`)).code).toBe(250);
      expect((await s.command("DATA")).code).toBe(354);
      const done = await s.data(`${alternativeMessage()}\r\n.\r\n`.replace("\r\n\r\n.\r\n", "\r\n.\r\n"));
      expect(done.code).toBe(250);
    }
    expect((await s.command("QUIT")).code).toBe(221);
    expect(hop.messages.map((m) => m.rcptTo)).toEqual([["second@partner.test"], ["third@partner.test"]]);
    expect(hop.connections).toBe(1);
    expect(r.transactions().map((t) => t.outcome)).toEqual(["aborted", "stamped", "stamped"]);
  });

  it("carries a message whose lines start with dots, or hold a lone dot, through intact", async () => {
    const { hop, r } = await setup({}, { markUnstamped: false });
    const raw = [
      "From: dave@example.com",
      "To: erin@example.com",
      "Subject: dots",
      "Message-ID: <dots@example.com>",
      "",
      ".leading dot",
      ".",
      "..two dots",
      "end",
      "",
    ].join("\r\n");
    await send(r.port, ["erin@example.com"], raw, "dave@example.com");
    expect(hop.messages[0]!.raw.toString()).toBe(raw);
  });
});

describe("createRelay: limits", () => {
  it("advertises SIZE and refuses a declared size above it with 552", async () => {
    const { r } = await setup({}, { limits: { maxMessageBytes: 2000 } });
    const s = await connectSmtp(r.port);
    cleanups.push(() => s.close());
    expect((await s.command("EHLO client.test")).text).toContain("SIZE 2000");
    expect((await s.command("MAIL FROM:<alice@example.com> SIZE=2001")).code).toBe(552);
  });

  it("refuses a message over maxMessageBytes with 552 5.3.4 and sends nothing on", async () => {
    const { hop, r } = await setup({}, { limits: { maxMessageBytes: 2000 } });
    const big = alternativeMessage().replace("the numbers are attached.", "x".repeat(3000));
    const s = await connectSmtp(r.port);
    cleanups.push(() => s.close());
    await s.command("EHLO client.test");
    await s.command("MAIL FROM:<alice@example.com>");
    await s.command("RCPT TO:<bob@partner.test>");
    await s.command("DATA");
    const reply = await s.data(`${big}.\r\n`);
    expect(reply.code).toBe(552);
    expect(reply.text).toMatch(/^5\.3\.4 /);
    expect(hop.messages).toHaveLength(0);
    // The connection stays usable: the next transaction goes through.
    await s.command("MAIL FROM:<alice@example.com>");
    await s.command("RCPT TO:<bob@partner.test>");
    await s.command("DATA");
    expect((await s.data(`${alternativeMessage()}.\r\n`)).code).toBe(250);
    expect(hop.messages).toHaveLength(1);
  });

  it("answers 452 to recipients beyond maxRecipients", async () => {
    const { hop, r } = await setup({}, { limits: { maxRecipients: 2 } });
    const info = await send(r.port, ["a@partner.test", "b@partner.test", "c@partner.test"]);
    expect(info.accepted).toEqual(["a@partner.test", "b@partner.test"]);
    expect(info.rejected).toEqual(["c@partner.test"]);
    expect(hop.messages[0]!.rcptTo).toEqual(["a@partner.test", "b@partner.test"]);
  });

  it("answers 421 to a connection beyond maxConnections", async () => {
    const { r } = await setup({}, { limits: { maxConnections: 1 } });
    const first = await connectSmtp(r.port);
    cleanups.push(() => first.close());
    expect(first.greeting.code).toBe(220);
    const second = await connectSmtp(r.port);
    cleanups.push(() => second.close());
    expect(second.greeting.code).toBe(421);
  });
});
