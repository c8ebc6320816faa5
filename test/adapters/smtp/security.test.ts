import { afterEach, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "../../../src/adapters/smtp/index.js";
import { _compileNetworks, _checkNetwork } from "../../../src/adapters/smtp/_networks.js";
import { alternativeMessage } from "../../helpers/config.js";
import { startNextHop, TEST_TLS, type NextHop } from "../../helpers/smtp-next-hop.js";
import { connectSmtp, type RawSmtpSession } from "../../helpers/smtp-client.js";
import { relayClient, startRelay, type TestRelay } from "../../helpers/smtp-relay.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Cost 10 keeps the tests fast; production hashes use 15.
const PASSWORD = "correct horse battery staple";
const hashed = hashPassword(PASSWORD, { cost: 10 });

async function setup(
  hopOptions: Parameters<typeof startNextHop>[0],
  relayOptions: Parameters<typeof startRelay>[1],
): Promise<{ hop: NextHop; r: TestRelay }> {
  const hop = await startNextHop(hopOptions);
  cleanups.push(() => hop.close());
  const r = await startRelay(hop.port, relayOptions);
  cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
  return { hop, r };
}

async function session(port: number): Promise<RawSmtpSession> {
  const s = await connectSmtp(port);
  cleanups.push(() => s.close());
  return s;
}

/** One message from Alice to Bob through the relay. */
function sendOne(port: number) {
  const client = relayClient(port);
  cleanups.push(() => client.close());
  return client.sendMail({
    envelope: { from: "alice@example.com", to: ["bob@partner.test"] },
    raw: alternativeMessage(),
  });
}

const plain = (user: string, pass: string): string => Buffer.from(`\0${user}\0${pass}`).toString("base64");

describe("allow: networks", () => {
  it("refuses a client outside allow.networks at connect with 554 5.7.1", async () => {
    const { r } = await setup({}, { allow: { networks: ["10.0.0.0/8", "2001:db8::/32"] } });
    const s = await session(r.port);
    expect(s.greeting.code).toBe(554);
    expect(s.greeting.text).toContain("5.7.1 127.0.0.1 is not allowed to relay");
    await s.closed;
  });

  it("matches IPv4, IPv6 and IPv4-mapped IPv6 client addresses", () => {
    const list = _compileNetworks(["127.0.0.0/8", "40.92.0.0/15", "2001:db8::/32", "::1"]);
    expect(list.allows("40.93.255.1")).toBe(true);
    expect(list.allows("40.94.0.1")).toBe(false);
    expect(list.allows("::ffff:127.0.0.1")).toBe(true);
    expect(list.allows("2001:db8:1::25")).toBe(true);
    expect(list.allows("2001:db9::25")).toBe(false);
    expect(list.allows("::1")).toBe(true);
    expect(list.allows("not an address")).toBe(false);
  });

  it("explains a malformed network", () => {
    expect(_checkNetwork("10.0.0.0/33")).toContain("at most 32");
    expect(_checkNetwork("10.0.0/8")).toContain("not an IPv4 or IPv6 network");
    expect(_checkNetwork("2001:db8::/129")).toContain("at most 128");
    expect(_checkNetwork("192.0.2.1")).toBeUndefined();
  });
});

describe("AUTH and STARTTLS", () => {
  async function authRelay(extra: Parameters<typeof startRelay>[1] = {}) {
    return setup(
      {},
      {
        tls: { key: TEST_TLS.key, cert: TEST_TLS.cert },
        allow: { networks: ["10.0.0.0/8"], users: { exchange: await hashed } },
        ...extra,
      },
    );
  }

  it("relays for an authenticated client over STARTTLS (nodemailer, test certificate)", async () => {
    const { hop, r } = await authRelay();
    const client = relayClient(r.port, { ca: TEST_TLS.ca, auth: { user: "exchange", pass: PASSWORD } });
    cleanups.push(() => client.close());
    const info = await client.sendMail({
      envelope: { from: "alice@example.com", to: ["bob@partner.test"] },
      raw: alternativeMessage(),
    });
    expect(info.response).toMatch(/^250 /);
    expect(hop.messages).toHaveLength(1);
    expect(r.transactions()[0]).toMatchObject({ client: { user: "exchange", tls: true } });
  });

  it("does not offer AUTH before STARTTLS and refuses it there", async () => {
    const { r } = await authRelay();
    const s = await session(r.port);
    const ehlo = await s.command("EHLO client.test");
    expect(ehlo.text).toContain("STARTTLS");
    expect((await s.command(`AUTH PLAIN ${plain("exchange", PASSWORD)}`)).code).toBe(538);
  });

  it("refuses a wrong password and an unknown user with 535 5.7.8", async () => {
    const { r } = await authRelay();
    const s = await session(r.port);
    await s.command("EHLO client.test");
    await s.startTls(TEST_TLS.ca);
    await s.command("EHLO client.test");
    const wrong = await s.command(`AUTH PLAIN ${plain("exchange", "guess")}`);
    expect(wrong).toEqual({ code: 535, text: "5.7.8 Authentication credentials invalid" });
    const unknown = await s.command(`AUTH PLAIN ${plain("mallory", PASSWORD)}`);
    expect(unknown.code).toBe(535);
    expect(r.relay.metrics().authFailures).toBe(2);
  });

  it("is no open relay by any path: unauthenticated MAIL is refused before and after RSET and a second EHLO", async () => {
    const { hop, r } = await authRelay();
    const s = await session(r.port);
    await s.command("EHLO client.test");
    expect((await s.command("MAIL FROM:<spam@bad.test>")).code).toBe(530);
    await s.command("RSET");
    expect((await s.command("MAIL FROM:<spam@bad.test>")).code).toBe(530);
    await s.command("EHLO other.test");
    expect((await s.command("MAIL FROM:<spam@bad.test>")).code).toBe(530);
    await s.startTls(TEST_TLS.ca);
    await s.command("EHLO client.test");
    expect((await s.command("MAIL FROM:<spam@bad.test>")).code).toBe(530);
    expect((await s.command("RCPT TO:<victim@partner.test>")).code).toBe(503);
    expect((await s.command("DATA")).code).toBe(503);
    expect(hop.connections).toBe(0);
  });

  it("refuses MAIL before STARTTLS with requireTLS", async () => {
    const { r } = await setup({}, { tls: { key: TEST_TLS.key, cert: TEST_TLS.cert, requireTLS: true } });
    const s = await session(r.port);
    await s.command("EHLO client.test");
    const refused = await s.command("MAIL FROM:<alice@example.com>");
    expect(refused).toEqual({ code: 530, text: "5.7.0 Must issue a STARTTLS command first" });
    await s.startTls(TEST_TLS.ca);
    await s.command("EHLO client.test");
    expect((await s.command("MAIL FROM:<alice@example.com>")).code).toBe(250);
  });
});

describe("TLS to the next hop", () => {
  it("verifies the next hop's certificate (required) and delivers over TLS", async () => {
    const { hop } = await setup({ tls: true }, {});
    const r = await startRelay(hop.port, {
      upstream: { host: "127.0.0.1", port: hop.port, tls: "required", ca: TEST_TLS.ca },
    });
    cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
    await sendOne(r.port);
    expect(hop.messages[0]!.secure).toBe(true);
  });

  it("answers 4xx and delivers nothing when the next hop's certificate does not verify", async () => {
    const hop = await startNextHop({ tls: true });
    cleanups.push(() => hop.close());
    const r = await startRelay(hop.port, {
      upstream: { host: "127.0.0.1", port: hop.port, tls: "required" },
    });
    cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
    const err = (await sendOne(r.port).catch((e: unknown) => e)) as {
      responseCode?: number;
      response?: string;
    };
    expect(err.responseCode).toBe(451);
    expect(err.response).toMatch(/^451 4\.7\.5 /);
    expect(hop.messages).toHaveLength(0);
  });

  it("answers 4xx when the next hop offers no STARTTLS and TLS is required", async () => {
    const hop = await startNextHop();
    cleanups.push(() => hop.close());
    const r = await startRelay(hop.port, {
      upstream: { host: "127.0.0.1", port: hop.port, tls: "required" },
    });
    cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
    const err = (await sendOne(r.port).catch((e: unknown) => e)) as { response?: string };
    expect(err.response).toContain("does not offer STARTTLS");
    expect(hop.messages).toHaveLength(0);
  });

  it("encrypts without verifying in opportunistic mode", async () => {
    const hop = await startNextHop({ tls: true });
    cleanups.push(() => hop.close());
    const r = await startRelay(hop.port, {
      upstream: { host: "127.0.0.1", port: hop.port, tls: "opportunistic" },
    });
    cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
    await sendOne(r.port);
    expect(hop.messages[0]!.secure).toBe(true);
  });

  it("authenticates at a smart host over TLS", async () => {
    const hop = await startNextHop({ tls: true, auth: { user: "relay", pass: "smarthost-secret" } });
    cleanups.push(() => hop.close());
    const r = await startRelay(hop.port, {
      upstream: {
        host: "localhost",
        port: hop.port,
        tls: "required",
        ca: TEST_TLS.ca,
        auth: { user: "relay", pass: "smarthost-secret" },
      },
    });
    cleanups.push(() => r.relay.close({ timeoutMs: 500 }));
    await sendOne(r.port);
    expect(hop.messages).toHaveLength(1);
  });
});

describe("hashPassword", () => {
  it("produces a PHC scrypt string that verifies only the right password", async () => {
    const hash = await hashed;
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifyPassword(PASSWORD, hash)).toBe(true);
    expect(await verifyPassword(`${PASSWORD} `, hash)).toBe(false);
    expect(await verifyPassword(PASSWORD, "plain-text-password")).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("x", { cost: 10 })).not.toBe(await hashPassword("x", { cost: 10 }));
  });

  it("refuses an empty password and an out-of-range cost", async () => {
    await expect(hashPassword("")).rejects.toMatchObject({ code: "OPTIONS_INVALID" });
    await expect(hashPassword("x", { cost: 40 })).rejects.toMatchObject({ code: "OPTIONS_INVALID" });
  });
});
