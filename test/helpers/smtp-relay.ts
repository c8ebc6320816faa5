/** Starts a relay for tests: loopback, port 0, log events captured, the shared test config. */
import nodemailer, { type Transporter } from "nodemailer";
import { createStamper, type MailstampConfig, type Stamper } from "../../src/index.js";
import {
  createRelay,
  type Relay,
  type RelayAddress,
  type RelayOptions,
} from "../../src/adapters/smtp/index.js";
import { testConfig } from "./config.js";

export interface LogEvent {
  level: string;
  msg: string;
  data: Record<string, unknown>;
}

export interface TestRelay {
  relay: Relay;
  address: RelayAddress;
  port: number;
  events: LogEvent[];
  /** The `transaction` log events. */
  transactions(): Array<Record<string, unknown>>;
  stamper: Stamper;
}

/** A relay in front of `nextHopPort`, plain text to the next hop unless the options say otherwise. */
export async function startRelay(
  nextHopPort: number,
  options: Partial<RelayOptions> = {},
  config: MailstampConfig = testConfig(),
): Promise<TestRelay> {
  const events: LogEvent[] = [];
  const capture =
    (level: string) =>
    (msg: string, data: Record<string, unknown> = {}): void => {
      events.push({ level, msg, data });
    };
  const stamper = options.stamper ?? createStamper(config);
  const relay = createRelay({
    // A relay given a stamperConfig builds its stamper(s) itself.
    ...(options.stamperConfig ? {} : { stamper }),
    listen: "127.0.0.1:0",
    hostname: "relay.test",
    logger: { info: capture("info"), warn: capture("warn"), error: capture("error") },
    ...options,
    upstream: { host: "127.0.0.1", port: nextHopPort, tls: "none", ...options.upstream },
  });
  const address = await relay.listen();
  return {
    relay,
    address,
    port: address.port,
    events,
    stamper,
    transactions: () => events.filter((e) => e.msg === "transaction").map((e) => e.data),
  };
}

/** A nodemailer transport to the relay (no TLS unless `ca` is given). */
export function relayClient(
  port: number,
  extra: { ca?: Buffer; auth?: { user: string; pass: string }; pool?: boolean; maxConnections?: number } = {},
): Transporter {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port,
    secure: false,
    ...(extra.ca
      ? { requireTLS: true, tls: { ca: extra.ca, servername: "localhost" } }
      : { ignoreTLS: true }),
    ...(extra.auth ? { auth: extra.auth } : {}),
    ...(extra.pool ? { pool: true, maxConnections: extra.maxConnections ?? 5, maxMessages: Infinity } : {}),
    // The relay answers in lockstep with its next hop; a few seconds is plenty on loopback.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}
