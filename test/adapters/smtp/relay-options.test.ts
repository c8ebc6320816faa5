import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, createStamper, parseConfig } from "../../../src/index.js";
import { createRelay, relayOptionsFromConfig, RELAY_DEFAULTS } from "../../../src/adapters/smtp/index.js";
import { testConfig } from "../../helpers/config.js";
import { TEST_TLS } from "../../helpers/smtp-next-hop.js";

function issuesOf(relay: unknown, baseDir = tmpdir()): Array<{ path: string; message: string }> {
  try {
    relayOptionsFromConfig(parseConfig({ ...testConfig(), relay }, { env: {} }), { baseDir });
  } catch (err) {
    if (err instanceof ConfigError) return [...err.issues];
    throw err;
  }
  return [];
}

describe("relayOptionsFromConfig", () => {
  it("reads a complete section, with key and certificate files relative to the config", () => {
    const dir = mkdtempSync(join(tmpdir(), "mailstamp-relay-"));
    writeFileSync(join(dir, "relay.key"), TEST_TLS.key);
    writeFileSync(join(dir, "relay.crt"), TEST_TLS.cert);
    const config = parseConfig({
      ...testConfig(),
      relay: {
        listen: "[::]:2525",
        upstream: { host: "mail.example.net", tls: "opportunistic" },
        tls: { key: "./relay.key", cert: "relay.crt", requireTLS: true },
        allow: { networks: ["127.0.0.0/8", "40.92.0.0/15"] },
        onError: "tempfail",
        limits: { maxMessageBytes: 1048576, maxRecipients: 100 },
        metrics: { listen: "127.0.0.1:9464" },
      },
    });
    const options = relayOptionsFromConfig(config, { baseDir: dir });
    expect(options.listen).toBe("[::]:2525");
    expect(options.upstream).toMatchObject({ host: "mail.example.net", port: 25, tls: "opportunistic" });
    expect(Buffer.from(options.tls!.cert).equals(TEST_TLS.cert)).toBe(true);
    expect(options.tls!.requireTLS).toBe(true);
    expect(options.onError).toBe("tempfail");
    expect(options.limits).toMatchObject({
      maxMessageBytes: 1048576,
      maxRecipients: 100,
      maxConnections: 200,
    });
    expect(options.metrics).toEqual({ listen: "127.0.0.1:9464" });
    // And createRelay takes it as it is.
    expect(() => createRelay({ ...options, stamper: createStamper(config), logger: false })).not.toThrow();
  });

  it("defaults to loopback only, verified TLS to the next hop, and pass", () => {
    const config = parseConfig({ ...testConfig(), relay: { upstream: { host: "mail.example.net" } } });
    const options = relayOptionsFromConfig(config, { baseDir: tmpdir() });
    expect(options.allow?.networks).toEqual(RELAY_DEFAULTS.networks);
    expect(options.upstream.tls).toBe("required");
    expect(options.onError).toBe("pass");
    expect(options.markUnstamped).toBe(true);
    expect(options.listen).toBe("127.0.0.1:2525");
  });

  it("lists every problem with its relay.… path", () => {
    expect(
      issuesOf({
        listen: "everywhere",
        upstream: { port: 0, tls: "maybe" },
        tls: { key: "./missing.key" },
        allow: { networks: ["10.0.0.0/33"], users: { exchange: "hunter2" } },
        onError: "ignore",
        limits: { maxConnections: 0, stampTimeoutMs: "5s", maxMessages: 3 },
        extra: true,
      }),
    ).toEqual([
      { path: "relay.extra", message: expect.stringContaining("unknown key") },
      { path: "relay.listen", message: expect.stringContaining("host:port") },
      { path: "relay.upstream.host", message: "required" },
      { path: "relay.upstream.tls", message: "expected one of required, opportunistic, none" },
      { path: "relay.upstream.port", message: "expected an integer from 1 to 65535" },
      { path: "relay.tls.key", message: "cannot read ./missing.key: ENOENT" },
      { path: "relay.tls.cert", message: "required" },
      { path: "relay.allow.networks[0]", message: expect.stringContaining("at most 32") },
      {
        path: "relay.allow.users.exchange",
        message: expect.stringContaining("plain passwords are not accepted"),
      },
      { path: "relay.onError", message: "expected one of pass, tempfail" },
      { path: "relay.limits.maxMessages", message: expect.stringContaining("unknown key") },
      { path: "relay.limits.maxConnections", message: "expected an integer from 1 to 100000" },
      { path: "relay.limits.stampTimeoutMs", message: "expected an integer from 1 to 600000" },
    ]);
  });

  it("refuses AUTH users without a TLS certificate", () => {
    expect(
      issuesOf({
        upstream: { host: "h" },
        allow: {
          users: {
            u: "$scrypt$ln=15,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g",
          },
        },
      }),
    ).toEqual([{ path: "relay.allow.users", message: expect.stringContaining("only over TLS") }]);
  });

  it("says so when the config has no relay section", () => {
    expect(() => relayOptionsFromConfig(parseConfig(testConfig()), { baseDir: tmpdir() })).toThrow(
      /relay: required/,
    );
  });
});

describe("createRelay options", () => {
  it("throws OPTIONS_INVALID listing every problem", () => {
    let error: unknown;
    try {
      createRelay({ upstream: { host: "" }, listen: 70000, logger: false });
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: "OPTIONS_INVALID" });
    const message = (error as Error).message;
    expect(message).toContain("listen:");
    expect(message).toContain("upstream.host: expected a non-empty string");
    expect(message).toContain("stamper: pass a stamper or a resolveStamper function");
  });
});
