/**
 * createRelay(): the SMTP relay of SPEC §8 — smtp-server receives, the stamper stamps, and an SMTP client of
 * our own passes every step to the next hop in lockstep, so nothing is accepted that the next hop did not
 * accept, and nothing accepted is lost.
 */
import type { AddressInfo } from "node:net";
import type http from "node:http";
import { domainToASCII } from "node:url";
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerDataStream,
  type SMTPServerSession,
} from "smtp-server";
import {
  MailstampError,
  createStamper,
  parseConfig,
  type Logger,
  type StampResult,
  type Stamper,
} from "../../index.js";
import { _StampPool, type _SenderHint } from "./_stamp-pool.js";
import { createJsonLogger } from "./json-logger.js";
import {
  RelayMetrics,
  _serveMetrics,
  type RelayMetricsSnapshot,
  type TransactionOutcome,
} from "./metrics.js";
import { verifyPassword } from "./password-hash.js";
import {
  _resolveRelayOptions,
  type RelayOptions,
  type RelaySession,
  type ResolvedRelayOptions,
} from "./relay-options.js";
import { _fromReply, _smtpError, replyText, type SmtpReply } from "./smtp-reply.js";
import { UpstreamConnection, UpstreamError } from "./upstream-client.js";

/** Where a listening relay can be reached. */
export interface RelayAddress {
  host: string;
  port: number;
  /** The metrics endpoint, when `metrics` is configured. */
  metrics?: { host: string; port: number; url: string };
}

/** A relay; create it with {@link createRelay}, then `listen()`. */
export interface Relay {
  /**
   * Starts accepting connections (and serving metrics, when configured).
   * @throws Error when the address is taken or cannot be bound.
   */
  listen(): Promise<RelayAddress>;
  /**
   * Stops accepting connections, closes idle ones, lets transactions in flight finish until the deadline,
   * then answers the rest 421 and closes them. Resolves when every connection is gone.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /** The address once listening. */
  readonly address: RelayAddress | undefined;
  /** The counters behind `/metrics`. */
  metrics(): RelayMetricsSnapshot;
}

interface Recipient {
  address: string;
  code: number;
}

interface Transaction {
  id: string;
  started: number;
  mailFrom: string;
  recipients: Recipient[];
  /** Set when the next hop failed mid-transaction: the 4xx every later step gets. */
  broken?: string;
  /** The relay directory's answer for the envelope sender, once it came (stamp workers use it). */
  hint?: _SenderHint;
}

interface ConnectionState {
  session: SMTPServerSession;
  upstream?: UpstreamConnection;
  tx?: Transaction;
  /** A handler is waiting for the next hop or the stamper. */
  busy: boolean;
  count: number;
}

/** What a transaction log line holds besides the basics. */
interface TransactionDetail {
  size?: number;
  result?: StampResult;
  error?: string;
  nextHop?: SmtpReply;
  reply: string;
}

class StampTimeout extends Error {}

function _withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StampTimeout(`stamping took longer than ${ms} ms (stampTimeoutMs)`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An envelope address as it goes to the next hop. smtp-server hands domains over as Unicode (it decodes
 * punycode); the A-label form is valid with or without SMTPUTF8 (RFC 6531 §3.2), so domains go out as ASCII.
 */
function _wireAddress(address: string): string {
  if (!address) return "<>";
  const at = address.lastIndexOf("@");
  if (at < 0) return `<${address}>`;
  const domain = address.slice(at + 1);
  const ascii = domain.startsWith("[") ? domain : domainToASCII(domain) || domain;
  return `<${address.slice(0, at)}@${ascii}>`;
}

function _describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The 4xx for a failed next hop; the enhanced code says which kind of failure (RFC 3463). */
function _upstreamFailure(
  err: unknown,
  host: string,
  port: number,
  stage: string,
): { code: number; text: string } {
  if (err instanceof UpstreamError) {
    const enhanced =
      err.kind === "connect"
        ? "4.4.1"
        : err.kind === "tls"
          ? "4.7.5"
          : err.kind === "auth"
            ? "4.7.0"
            : "4.4.2";
    return {
      code: 451,
      text: `${enhanced} Next hop ${host}:${port} failed ${stage}: ${err.message}; try again later`,
    };
  }
  return { code: 451, text: `4.3.0 Relay error ${stage}; try again later` };
}

/**
 * Creates the SMTP relay: receives with smtp-server, stamps, and passes each step to the next hop before
 * answering the client.
 *
 * @example
 * import { createStamper, loadConfig } from "mailstamp";
 * import { createRelay } from "mailstamp/smtp";
 * const relay = createRelay({
 *   stamper: createStamper(await loadConfig("mailstamp.config.yaml")),
 *   listen: "0.0.0.0:2525",
 *   upstream: { host: "mail.example.net", port: 25, tls: "required" },
 *   allow: { networks: ["10.0.0.0/8"] },
 * });
 * await relay.listen();
 * process.once("SIGTERM", () => void relay.close());
 * @throws MailstampError (`OPTIONS_INVALID`) listing every invalid option.
 */
export function createRelay(options: RelayOptions): Relay {
  const resolved: ResolvedRelayOptions = _resolveRelayOptions(options);
  const { upstream: upstreamOptions, limits, allow } = resolved;
  // From `stamperConfig`: the stamper in this thread (it stamps when there are no workers, and marks), and the
  // workers', each built from the same resolved config.
  let configStamper: Stamper | undefined;
  let pool: _StampPool | undefined;
  if (options.stamperConfig !== undefined) {
    const config = parseConfig(options.stamperConfig);
    const { directory } = options;
    if (config.directory.graph !== undefined && directory === undefined) {
      throw new MailstampError(
        "OPTIONS_INVALID",
        "invalid relay options:\n  directory: required for a stamperConfig with directory.graph (pass createGraphDirectory(…) from mailstamp/graph)",
      );
    }
    configStamper = createStamper(config, directory ? { directory } : {});
    if (resolved.stampWorkers > 0) {
      try {
        structuredClone(config);
      } catch (err) {
        throw new MailstampError(
          "OPTIONS_INVALID",
          `invalid relay options:\n  stamperConfig: cannot be sent to a stamp worker: ${_describe(err)}`,
        );
      }
      pool = new _StampPool(resolved.stampWorkers, config, limits.stampTimeoutMs, directory, () => {
        metrics.data.stampWorkersReplaced++;
      });
    }
  }
  const logger: Logger = options.logger === false ? {} : (options.logger ?? createJsonLogger());
  const metrics = new RelayMetrics();
  const states = new Map<string, ConnectionState>();
  // Unknown user names are checked against a real hash too, so AUTH takes as long either way (no user
  // enumeration by timing); the result is discarded.
  const decoyHash = allow.users.values().next().value;
  let closing = false;
  let closePromise: Promise<void> | undefined;
  let address: RelayAddress | undefined;
  let metricsServer: http.Server | undefined;
  let drained: (() => void) | undefined;

  const server = new SMTPServer({
    name: resolved.hostname,
    banner: "mailstamp relay",
    logger: false,
    // smtp-server's own enhanced codes are guessed from the basic code (550 → 5.1.1 even for a refused
    // relay), so they stay off and every reply text written here carries its own (RFC 3463).
    hideENHANCEDSTATUSCODES: true,
    // DSN and REQUIRETLS parameters would have to be carried to the next hop; not offering them keeps the
    // promise simple: what the client asked for is what the next hop gets.
    hideDSN: true,
    hideREQUIRETLS: true,
    size: limits.maxMessageBytes,
    maxClients: limits.maxConnections,
    maxRecipients: limits.maxRecipients,
    socketTimeout: limits.commandTimeoutMs,
    closeTimeout: Math.max(1, limits.closeTimeoutMs),
    // A PTR lookup costs up to 1.5 s per connection and decides nothing here: allow is by address.
    disableReverseLookup: true,
    // Networks in `allow` relay without AUTH; the check that someone is allowed is ours, in onMailFrom.
    authOptional: true,
    authMethods: ["PLAIN", "LOGIN"],
    allowInsecureAuth: false,
    disabledCommands: [...(allow.users.size > 0 ? [] : ["AUTH"]), ...(resolved.tls ? [] : ["STARTTLS"])],
    hideSTARTTLS: !resolved.tls,
    ...(resolved.tls
      ? { key: resolved.tls.key, cert: resolved.tls.cert, minVersion: "TLSv1.2" as const }
      : {}),
    onConnect,
    onAuth,
    onMailFrom,
    onRcptTo,
    onData,
    onClose,
  });
  server.on("error", (err: Error) => {
    logger.warn?.("connection error", { error: err.message });
  });

  function isAllowed(session: SMTPServerSession): boolean {
    return (
      allow.networks.allows(session.remoteAddress) ||
      (allow.users.size > 0 && typeof session.user === "string" && allow.users.has(session.user))
    );
  }

  function clientInfo(session: SMTPServerSession): Record<string, unknown> {
    return {
      address: session.remoteAddress,
      port: session.remotePort,
      helo: session.hostNameAppearsAs || undefined,
      tls: session.secure,
      ...(typeof session.user === "string" ? { user: session.user } : {}),
    };
  }

  function finish(
    state: ConnectionState,
    tx: Transaction,
    outcome: TransactionOutcome,
    detail: TransactionDetail,
  ): void {
    if (state.tx === tx) delete state.tx;
    const seconds = (performance.now() - tx.started) / 1000;
    const result = detail.result;
    const skipReason = result?.status === "skipped" ? result.reason : undefined;
    metrics.transaction(outcome, seconds, skipReason);
    logger.info?.("transaction", {
      id: tx.id,
      client: clientInfo(state.session),
      mailFrom: tx.mailFrom,
      recipients: tx.recipients,
      ...(detail.size !== undefined ? { size: detail.size } : {}),
      outcome,
      ...(result ? { status: result.status } : {}),
      ...(result?.reason ? { reason: result.reason } : {}),
      ...(result?.detail ? { detail: result.detail } : {}),
      ...(result && result.stamps.length > 0
        ? { stamps: result.stamps.map((s) => `${s.template}@${s.placement}`) }
        : {}),
      ...(detail.error ? { error: detail.error } : {}),
      durationMs: Math.round(seconds * 1000),
      ...(detail.nextHop ? { nextHop: `${detail.nextHop.code} ${replyText(detail.nextHop)}` } : {}),
      reply: detail.reply,
    });
  }

  /** Ends the next hop's open transaction so the next MAIL FROM starts clean; a failure drops the connection. */
  async function resetUpstream(state: ConnectionState): Promise<void> {
    const upstream = state.upstream;
    if (!upstream?.usable) return;
    try {
      const reply = await upstream.command("RSET");
      if (reply.code !== 250) throw new Error(`RSET answered ${reply.code}`);
    } catch {
      upstream.destroy();
      delete state.upstream;
    }
  }

  async function openUpstream(state: ConnectionState): Promise<UpstreamConnection> {
    metrics.data.upstreamConnects++;
    const conn = await UpstreamConnection.open(upstreamOptions, resolved.hostname);
    state.upstream = conn;
    return conn;
  }

  /** The connection of a session, to answer or close it outside a command (shutdown). */
  function connectionOf(id: string): { send(code: number, text: string): void; close(): void } | undefined {
    for (const conn of server.connections) if (conn.id === id) return conn;
    return undefined;
  }

  function closeIfDraining(state: ConnectionState): void {
    if (!closing || state.busy || state.tx) return;
    // RFC 5321 §3.8: a server that shuts down may answer 421 and close at any time between transactions.
    setImmediate(() =>
      connectionOf(state.session.id)?.send(421, "4.3.2 Service shutting down, try again later"),
    );
  }

  function onConnect(session: SMTPServerSession, callback: (err?: Error | null) => void): void {
    if (closing) {
      metrics.data.connectionsRefused++;
      return callback(_smtpError(421, "4.3.2 Service shutting down, try again later"));
    }
    // Without AUTH there is nothing a client outside `allow.networks` could do here: refuse at once.
    if (allow.users.size === 0 && !allow.networks.allows(session.remoteAddress)) {
      metrics.data.connectionsRefused++;
      logger.warn?.("connection refused", {
        client: { address: session.remoteAddress },
        reason: "not in allow.networks",
      });
      return callback(
        _smtpError(554, `5.7.1 ${session.remoteAddress} is not allowed to relay through this host`),
      );
    }
    metrics.data.connectionsTotal++;
    metrics.data.connectionsActive++;
    states.set(session.id, { session, busy: false, count: 0 });
    callback();
  }

  function onAuth(
    auth: { method: string; username?: string | undefined; password?: string | null | undefined },
    session: SMTPServerSession,
    callback: (err: Error | null | undefined, response?: { user?: unknown }) => void,
  ): void {
    // smtp-server already refuses AUTH before STARTTLS; checked again so no option change can expose passwords.
    if (!session.secure)
      return callback(_smtpError(538, "5.7.11 Encryption required for requested authentication mechanism"));
    if (auth.method !== "PLAIN" && auth.method !== "LOGIN")
      return callback(_smtpError(504, "5.5.4 Unrecognized authentication type"));
    const username = auth.username ?? "";
    const hash = allow.users.get(username);
    verifyPassword(auth.password ?? "", hash ?? decoyHash ?? "").then(
      (ok) => {
        if (ok && hash !== undefined) return callback(null, { user: username });
        metrics.data.authFailures++;
        logger.warn?.("authentication failed", {
          client: { address: session.remoteAddress },
          user: username,
        });
        callback(_smtpError(535, "5.7.8 Authentication credentials invalid"));
      },
      (err: unknown) =>
        callback(_smtpError(454, `4.7.0 Temporary authentication failure: ${_describe(err)}`)),
    );
  }

  function onMailFrom(
    address: SMTPServerAddress,
    session: SMTPServerSession,
    callback: (err?: Error | null) => void,
  ): void {
    const state = states.get(session.id);
    if (!state) return callback(_smtpError(421, "4.3.0 Unknown session"));
    if (closing) return callback(_smtpError(421, "4.3.2 Service shutting down, try again later"));
    if (resolved.tls?.requireTLS && !session.secure) {
      return callback(_smtpError(530, "5.7.0 Must issue a STARTTLS command first"));
    }
    // Checked at every MAIL FROM (not once per connection), so neither RSET nor a second EHLO nor STARTTLS
    // (which clears the AUTH identity, RFC 3207 §4.2) can leave a client relaying that is not allowed to.
    if (!isAllowed(session)) {
      logger.warn?.("relay denied", { client: clientInfo(session), mailFrom: address.address });
      return callback(
        allow.users.size > 0
          ? _smtpError(530, "5.7.0 Authentication required")
          : _smtpError(550, `5.7.1 Relaying denied for ${session.remoteAddress}`),
      );
    }
    state.busy = true;
    void (async () => {
      if (state.tx) {
        // The client ended the last transaction without DATA (RSET, a new EHLO, or MAIL after refusals):
        // smtp-server does not tell us, so the next hop is reset here.
        finish(state, state.tx, "aborted", { reply: "(reset by the client)" });
        await resetUpstream(state);
      }
      state.count++;
      const tx: Transaction = {
        id: `${session.id}.${state.count}`,
        started: performance.now(),
        mailFrom: address.address,
        recipients: [],
      };
      // The sender is looked up while recipients and the message come in; the stamp takes the answer if it is
      // there by then (a worker then asks nothing of this thread), and asks as usual if not.
      void pool?.prefetch(address.address).then((hint) => {
        if (hint) tx.hint = hint;
      });
      const envelope = session.envelope;
      const send = async (conn: UpstreamConnection): Promise<SmtpReply | Error> => {
        if (envelope.smtpUtf8 && !conn.features.has("SMTPUTF8")) {
          return _smtpError(553, "5.6.7 The next hop does not support SMTPUTF8");
        }
        const params = [
          ...(envelope.bodyType === "8bitmime" && conn.features.has("8BITMIME") ? ["BODY=8BITMIME"] : []),
          ...(envelope.smtpUtf8 ? ["SMTPUTF8"] : []),
        ];
        return conn.command(
          `MAIL FROM:${_wireAddress(address.address)}${params.map((p) => ` ${p}`).join("")}`,
        );
      };
      let reply: SmtpReply | Error;
      try {
        const reused = state.upstream?.usable ? state.upstream : undefined;
        try {
          reply = await send(reused ?? (await openUpstream(state)));
        } catch (err) {
          // A kept-open connection may have been closed by the next hop while idle; that is no failure of
          // this transaction, so it gets one fresh connection before the client hears about it.
          if (!reused || !(err instanceof UpstreamError)) throw err;
          reused.destroy();
          reply = await send(await openUpstream(state));
        }
      } catch (err) {
        metrics.data.upstreamErrors++;
        state.upstream?.destroy();
        delete state.upstream;
        const failure = _upstreamFailure(err, upstreamOptions.host, upstreamOptions.port, "at MAIL FROM");
        logger.warn?.("next hop failed", { id: tx.id, stage: "MAIL FROM", error: _describe(err) });
        return callback(_smtpError(failure.code, failure.text));
      }
      if (reply instanceof Error) return callback(reply);
      if (reply.code >= 200 && reply.code < 300) {
        state.tx = tx;
        return callback();
      }
      callback(_fromReply(reply));
    })().finally(() => {
      state.busy = false;
      closeIfDraining(state);
    });
  }

  function onRcptTo(
    address: SMTPServerAddress,
    session: SMTPServerSession,
    callback: (err?: Error | null) => void,
  ): void {
    const state = states.get(session.id);
    const tx = state?.tx;
    const upstream = state?.upstream;
    if (!state || !isAllowed(session)) return callback(_smtpError(550, "5.7.1 Relaying denied"));
    if (!tx || !upstream)
      return callback(_smtpError(451, "4.3.0 No transaction open at the next hop; try again later"));
    if (tx.broken) return callback(_smtpError(451, tx.broken));
    // smtp-server keeps one entry per address; the next hop already gave its verdict on this one.
    const key = address.address.toLowerCase();
    if (session.envelope.rcptTo.some((r) => r.address.toLowerCase() === key)) return callback();
    state.busy = true;
    upstream
      .command(`RCPT TO:${_wireAddress(address.address)}`)
      .then(
        (reply) => {
          tx.recipients.push({ address: address.address, code: reply.code });
          if (reply.code >= 200 && reply.code < 300) {
            metrics.data.recipients.accepted++;
            return callback();
          }
          metrics.data.recipients.refused++;
          callback(_fromReply(reply));
        },
        (err: unknown) => {
          metrics.data.recipients.failed++;
          metrics.data.upstreamErrors++;
          const failure = _upstreamFailure(err, upstreamOptions.host, upstreamOptions.port, "at RCPT TO");
          tx.broken = failure.text;
          tx.recipients.push({ address: address.address, code: failure.code });
          upstream.destroy();
          logger.warn?.("next hop failed", { id: tx.id, stage: "RCPT TO", error: _describe(err) });
          callback(_smtpError(failure.code, failure.text));
        },
      )
      .finally(() => {
        state.busy = false;
      });
  }

  function onData(
    stream: SMTPServerDataStream,
    session: SMTPServerSession,
    callback: (err?: Error | null, message?: string) => void,
  ): void {
    const state = states.get(session.id);
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped: the message is refused, and memory stays bounded.
      if (size <= limits.maxMessageBytes) chunks.push(chunk);
    });
    stream.on("error", () => {
      // The client went away mid-message; onClose drops the next hop's half transaction (QUIT aborts it).
    });
    stream.on("end", () => {
      if (!state) return callback(_smtpError(451, "4.3.0 Unknown session"));
      state.busy = true;
      void deliver(state, session, chunks, size)
        .then(
          (outcome) => (outcome.ok ? callback(null, outcome.text) : callback(outcome.error)),
          (err: unknown) => callback(_smtpError(451, `4.3.0 Relay error: ${_describe(err)}`)),
        )
        .finally(() => {
          state.busy = false;
          closeIfDraining(state);
        });
    });
  }

  async function stampMessage(
    state: ConnectionState,
    session: SMTPServerSession,
    tx: Transaction,
    raw: Buffer,
    again: () => Uint8Array,
  ): Promise<{ stamper?: Stamper; result?: StampResult; error?: unknown }> {
    let stamper = options.stamper ?? configStamper;
    const rcptTo = session.envelope.rcptTo.map((r) => r.address);
    if (pool) {
      try {
        // The received bytes move to the worker without a copy; they are rebuilt from the chunks whenever the
        // original is needed again (a replaced worker's message sent once more, onError: pass).
        const result = await pool.stamp(
          raw,
          { mailFrom: tx.mailFrom, rcptTo },
          { again, ...(tx.hint ? { hint: tx.hint } : {}) },
        );
        return { ...(stamper ? { stamper } : {}), result };
      } catch (error) {
        return { ...(stamper ? { stamper } : {}), error };
      }
    }
    try {
      const work = (async () => {
        if (options.resolveStamper) {
          const info: RelaySession = {
            id: tx.id,
            remoteAddress: session.remoteAddress,
            ...(typeof session.user === "string" ? { user: session.user } : {}),
            secure: session.secure,
            envelope: { mailFrom: tx.mailFrom, rcptTo },
          };
          stamper = await options.resolveStamper(info);
        }
        if (!stamper) throw new Error("resolveStamper returned no stamper");
        return stamper.stamp(raw, { envelope: { mailFrom: tx.mailFrom, rcptTo } });
      })();
      // The stamp keeps running after a timeout (it cannot be cancelled); its result is dropped.
      work.catch(() => {});
      const result = await _withTimeout(work, limits.stampTimeoutMs);
      return { ...(stamper ? { stamper } : {}), result };
    } catch (error) {
      void state;
      return { ...(stamper ? { stamper } : {}), error };
    }
  }

  async function deliver(
    state: ConnectionState,
    session: SMTPServerSession,
    chunks: Buffer[],
    size: number,
  ): Promise<{ ok: true; text: string } | { ok: false; error: Error }> {
    const tx = state.tx;
    const upstream = state.upstream;
    metrics.data.bytesReceived += size;
    const fail = (
      code: number,
      text: string,
      outcome: TransactionOutcome,
      detail: Omit<TransactionDetail, "reply"> = {},
    ) => {
      if (tx) finish(state, tx, outcome, { ...detail, size, reply: `${code} ${text}` });
      return { ok: false as const, error: _smtpError(code, text) };
    };
    if (size > limits.maxMessageBytes) {
      await resetUpstream(state);
      return fail(
        552,
        `5.3.4 Message size exceeds fixed maximum message size (${limits.maxMessageBytes} bytes)`,
        "too-large",
      );
    }
    if (!tx || !upstream?.usable || tx.broken) {
      return fail(
        451,
        tx?.broken ?? "4.4.2 The connection to the next hop was lost; try again later",
        "next-hop-failed",
      );
    }
    const raw = Buffer.concat(chunks, size);
    const again = (): Buffer => Buffer.concat(chunks, size);
    const { stamper, result, error } = await stampMessage(state, session, tx, raw, again);
    if (!states.has(session.id)) {
      // The client hung up while the message was being stamped: it never gets a 250, so it will send the
      // message again — delivering this copy would make two. onClose logged the transaction as aborted and
      // ended the next hop's half (QUIT).
      return { ok: false, error: _smtpError(421, "4.4.2 The client closed the connection") };
    }

    let payload: Uint8Array;
    let outcome: TransactionOutcome;
    const mark = (bytes: Uint8Array): Uint8Array =>
      resolved.markUnstamped && stamper ? stamper.mark(bytes) : bytes;
    if (error !== undefined || !result) {
      metrics.data.stampErrors++;
      logger.error?.("stamping failed", { id: tx.id, error: _describe(error), onError: resolved.onError });
      if (resolved.onError === "tempfail") {
        await resetUpstream(state);
        return fail(451, "4.3.0 The message could not be stamped; try again later", "tempfail", {
          error: _describe(error),
        });
      }
      // In worker mode `raw` may have moved to the worker (it is empty now); the chunks still hold the bytes.
      payload = mark(pool ? again() : raw);
      outcome = "passed-on-error";
    } else if (result.status === "rejected") {
      await resetUpstream(state);
      const why = `${result.reason ?? "policy"}${result.detail ? `: ${result.detail}` : ""}`;
      return fail(550, `5.7.1 Message refused by policy (${why})`, "rejected", { result });
    } else if (result.status === "stamped") {
      payload = result.message;
      outcome = "stamped";
    } else {
      // A message that already carries a valid marker keeps its bytes; any other skip is marked as
      // processed so a routing rule "unless marked" does not send it round again.
      payload = result.reason === "already-stamped" ? result.message : mark(result.message);
      outcome = "skipped";
    }

    let reply: SmtpReply;
    try {
      reply = await upstream.data(payload);
    } catch (err) {
      metrics.data.upstreamErrors++;
      upstream.destroy();
      delete state.upstream;
      const failure = _upstreamFailure(err, upstreamOptions.host, upstreamOptions.port, "during DATA");
      return fail(failure.code, failure.text, "next-hop-failed", {
        ...(result ? { result } : {}),
        error: _describe(err),
      });
    }
    const extra = {
      ...(result ? { result } : {}),
      ...(error !== undefined ? { error: _describe(error) } : {}),
      nextHop: reply,
    };
    if (reply.code >= 200 && reply.code < 300) {
      metrics.data.bytesSent += payload.byteLength;
      const text = replyText(reply) || "2.0.0 Ok";
      finish(state, tx, outcome, { ...extra, size, reply: `250 ${text}` });
      return { ok: true, text };
    }
    const refused = _fromReply(reply);
    // A refusal of DATA itself (or of the message) can leave the next hop's transaction open; without RSET
    // the client's next MAIL on this connection would meet "503 nested MAIL" — a relay artifact, not a verdict.
    await resetUpstream(state);
    finish(state, tx, "refused-by-next-hop", {
      ...extra,
      size,
      reply: `${refused.responseCode} ${refused.message}`,
    });
    return { ok: false, error: refused };
  }

  function onClose(session: SMTPServerSession): void {
    const state = states.get(session.id);
    if (!state) return;
    states.delete(session.id);
    metrics.data.connectionsActive--;
    if (state.tx) finish(state, state.tx, "aborted", { reply: "(connection closed)" });
    // QUIT ends an unfinished transaction at the next hop without delivering anything (RFC 5321 §4.1.1.10).
    void state.upstream?.quit();
    if (closing && states.size === 0) drained?.();
  }

  async function listen(): Promise<RelayAddress> {
    if (address) return address;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.server.once("error", onError);
      server.listen(resolved.listen.port, resolved.listen.host, () => {
        server.server.off("error", onError);
        resolve();
      });
    });
    const bound = server.server.address() as AddressInfo;
    address = { host: bound.address, port: bound.port };
    pool?.start();
    if (resolved.metrics) {
      try {
        const served = await _serveMetrics(metrics, resolved.metrics.host, resolved.metrics.port);
        metricsServer = served.server;
        const host = served.address.address;
        const shown = host.includes(":") ? `[${host}]` : host;
        address.metrics = {
          host,
          port: served.address.port,
          url: `http://${shown}:${served.address.port}/metrics`,
        };
      } catch (err) {
        server.server.close();
        void pool?.close();
        throw err;
      }
    }
    logger.info?.("relay listening", {
      ...address,
      stamping: pool
        ? `${resolved.stampWorkers} worker thread${resolved.stampWorkers === 1 ? "" : "s"}`
        : "event loop",
      upstream: `${upstreamOptions.host}:${upstreamOptions.port}`,
    });
    return address;
  }

  function close(closeOptions: { timeoutMs?: number } = {}): Promise<void> {
    if (closePromise) return closePromise;
    closing = true;
    const deadline = closeOptions.timeoutMs ?? limits.closeTimeoutMs;
    closePromise = (async () => {
      const stopped = new Promise<void>((resolve) =>
        server.server.listening ? server.server.close(() => resolve()) : resolve(),
      );
      for (const conn of server.connections) {
        const state = states.get(conn.id);
        if (!state || (!state.busy && !state.tx))
          conn.send(421, "4.3.2 Service shutting down, try again later");
      }
      if (states.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          drained = resolve;
          timer = setTimeout(resolve, deadline);
        });
        clearTimeout(timer);
      }
      // Past the deadline: whoever is still here gets 421 and the next hop's half transaction is dropped
      // (never a 250 the next hop did not give).
      for (const conn of server.connections) conn.send(421, "4.3.2 Service shutting down, try again later");
      for (const state of states.values()) state.upstream?.destroy();
      await pool?.close();
      await stopped;
      if (metricsServer) await new Promise<void>((resolve) => metricsServer?.close(() => resolve()));
      logger.info?.("relay closed", {});
    })();
    return closePromise;
  }

  return {
    listen,
    close,
    get address() {
      return address;
    },
    metrics: () => metrics.snapshot(),
  };
}
