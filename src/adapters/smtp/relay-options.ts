/**
 * The relay's options (SPEC §8), their defaults, and their validation — for options passed in code and for
 * the `relay:` section of a config file, which the core carries along unvalidated.
 */
import { readFileSync } from "node:fs";
import { hostname as osHostname } from "node:os";
import { isAbsolute, resolve } from "node:path";
import {
  ConfigError,
  MailstampError,
  type ConfigIssue,
  type Directory,
  type Logger,
  type MailstampConfig,
  type ResolvedConfig,
  type Stamper,
} from "../../index.js";
import { _checkNetwork, _compileNetworks, type NetworkList } from "./_networks.js";
import { _parseHash } from "./password-hash.js";
import type { ResolvedUpstreamOptions, UpstreamTlsMode } from "./upstream-client.js";

/** What the relay knows about a client connection and its transaction when it asks for a stamper. */
export interface RelaySession {
  /** The connection id, also in every log line. */
  id: string;
  remoteAddress: string;
  /** The authenticated user name, when the client used AUTH. */
  user?: string;
  /** Whether the connection is encrypted (STARTTLS). */
  secure: boolean;
  envelope: { mailFrom: string; rcptTo: string[] };
}

/** The next hop. */
export interface RelayUpstreamOptions {
  host: string;
  /** @default 25 (465 when `secure`) */
  port?: number;
  /**
   * `required`: TLS with a verified certificate, or the message waits (4xx); `opportunistic`: STARTTLS when
   * offered, certificate not checked; `none`: plain text.
   * @default "required"
   */
  tls?: UpstreamTlsMode;
  /** Implicit TLS (SMTPS) instead of STARTTLS. @default false */
  secure?: boolean;
  /** Certificates (PEM) to trust besides Node's bundled roots, e.g. a private CA. In a config file: a path. */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** The name the next hop's certificate must carry. @default host */
  servername?: string;
  /** AUTH PLAIN/LOGIN at the next hop (a smart host); sent only over TLS. */
  auth?: { user: string; pass: string };
  /** @default 15000 */
  connectTimeoutMs?: number;
  /** Per command (greeting, EHLO, MAIL, RCPT, …). @default 60000 */
  commandTimeoutMs?: number;
  /** Waiting for the reply to the end of DATA; below the 10 minutes a sending server waits for ours (RFC 5321 §4.5.3.2.6). @default 300000 */
  dataTimeoutMs?: number;
}

/** STARTTLS for clients. */
export interface RelayTlsOptions {
  /** PEM private key. In a config file: a path relative to the config file. */
  key: string | Uint8Array;
  /** PEM certificate chain. In a config file: a path relative to the config file. */
  cert: string | Uint8Array;
  /** Refuse MAIL FROM (530 5.7.0) until the client used STARTTLS. @default false */
  requireTLS?: boolean;
}

/** Who may relay: clients from these networks, or clients that authenticated. */
export interface RelayAllowOptions {
  /** IPv4/IPv6 networks in CIDR notation, or single addresses. @default ["127.0.0.0/8", "::1"] */
  networks?: string[];
  /**
   * User name → scrypt hash from {@link hashPassword}. Enables AUTH PLAIN/LOGIN, offered only after
   * STARTTLS (so `tls` is required).
   */
  users?: Record<string, string>;
}

export interface RelayLimits {
  /** Advertised as SIZE; a larger message gets 552 5.3.4. @default 36700160 (35 MiB) */
  maxMessageBytes?: number;
  /** Simultaneous client connections; one more gets 421. @default 200 */
  maxConnections?: number;
  /** Recipients per message; one more gets 452 (the client sends the rest in another transaction). @default 500 */
  maxRecipients?: number;
  /** How long stamping one message may take before `onError` applies. @default 5000 */
  stampTimeoutMs?: number;
  /** How long a client may stay silent (between commands and inside DATA). @default 300000 (RFC 5321 §4.5.3.2.7) */
  commandTimeoutMs?: number;
  /** How long `close()` waits for transactions in flight before it cuts them off (they get 421). @default 30000 */
  closeTimeoutMs?: number;
}

/**
 * Options of {@link createRelay}.
 *
 * @example
 * createRelay({ stamper, listen: "0.0.0.0:2525", upstream: { host: "mail.example.net" }, allow: { networks: ["10.0.0.0/8"] } });
 */
export interface RelayOptions {
  /** The stamper for every message. One of `stamper` and `resolveStamper` is required. */
  stamper?: Stamper;
  /** Picks the stamper per transaction (per tenant, by sender domain, by authenticated user, …). */
  resolveStamper?: (session: RelaySession) => Stamper | Promise<Stamper>;
  /**
   * A config to build the stamper from, instead of `stamper`: required for `stampWorkers`, since each worker
   * builds its own stamper from it (a Stamper object cannot cross threads). Senders come from `directory`
   * when it is given, else from the config's static `directory.users`.
   */
  stamperConfig?: MailstampConfig | ResolvedConfig;
  /**
   * The directory for the stamper built from `stamperConfig` — required when that config has
   * `directory.graph` (pass `createGraphDirectory(…)` from `mailstamp/graph`). It runs in this thread: stamp
   * workers send each lookup here, so its cache and token serve every worker.
   */
  directory?: Directory;
  /**
   * Stamp in this many `worker_threads` workers beside the event loop, so a relay on more than one core
   * receives and forwards while messages are stamped. Needs `stamperConfig` (not `stamper` or
   * `resolveStamper`). A worker that exceeds `limits.stampTimeoutMs` is terminated and replaced, which also
   * stops a synchronous runaway. `0`: stamp on the event loop. (`mailstamp relay` uses 1 when the config's
   * `relay.stampWorkers` is left out.)
   * @default 0
   */
  stampWorkers?: number;
  /** `host:port`, `[v6]:port`, or a port (on 127.0.0.1). Port 0 picks a free port. @default "127.0.0.1:2525" */
  listen?: string | number;
  /** The name in the greeting and in EHLO to the next hop. @default os.hostname() */
  hostname?: string;
  upstream: RelayUpstreamOptions;
  tls?: RelayTlsOptions;
  allow?: RelayAllowOptions;
  /**
   * When stamping fails or exceeds `stampTimeoutMs`: `pass` forwards the original message unchanged,
   * `tempfail` answers 451 so the sending server retries later.
   * @default "pass"
   */
  onError?: "pass" | "tempfail";
  /**
   * Add the marker header (with its HMAC when a secret is set) to messages the relay passes on unstamped
   * (no rule matched, protected, report, …, or stamping failed with `onError: pass`), so a routing rule
   * that sends only unmarked mail to the relay does not send them round again.
   * @default true
   */
  markUnstamped?: boolean;
  limits?: RelayLimits;
  /** Serve Prometheus metrics at `http://LISTEN/metrics`. @default off */
  metrics?: { listen: string | number };
  /** Where log events go; one `transaction` event per transaction. `false`: nowhere. @default JSON lines on stdout */
  logger?: Logger | false;
}

/** Every option checked and defaulted. */
export interface ResolvedRelayOptions {
  listen: { host: string; port: number };
  hostname: string;
  upstream: ResolvedUpstreamOptions;
  tls?: { key: Buffer; cert: Buffer; requireTLS: boolean };
  allow: { networks: NetworkList; users: Map<string, string> };
  onError: "pass" | "tempfail";
  markUnstamped: boolean;
  limits: Required<RelayLimits>;
  metrics?: { host: string; port: number };
  stampWorkers: number;
}

/** Defaults of the relay, in one place. */
export const RELAY_DEFAULTS = {
  listen: "127.0.0.1:2525",
  upstreamPort: 25,
  upstreamSecurePort: 465,
  upstreamTls: "required",
  networks: ["127.0.0.0/8", "::1"],
  onError: "pass",
  markUnstamped: true,
  stampWorkers: 0,
  limits: {
    maxMessageBytes: 36_700_160,
    maxConnections: 200,
    maxRecipients: 500,
    stampTimeoutMs: 5_000,
    commandTimeoutMs: 300_000,
    closeTimeoutMs: 30_000,
  },
  connectTimeoutMs: 15_000,
  upstreamCommandTimeoutMs: 60_000,
  upstreamDataTimeoutMs: 300_000,
} as const;

type Issues = ConfigIssue[];
type Raw = Record<string, unknown>;

function _isObject(value: unknown): value is Raw {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

function _join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function _keys(raw: Raw, allowed: readonly string[], path: string, issues: Issues): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      issues.push({ path: _join(path, key), message: `unknown key (expected one of ${allowed.join(", ")})` });
    }
  }
}

function _int(
  value: unknown,
  path: string,
  issues: Issues,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  // Strictly validated: a falsy fallback ("0 means unlimited") would let a typo switch a limit off.
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    issues.push({ path, message: `expected an integer from ${min} to ${max}` });
    return fallback;
  }
  return value;
}

function _string(value: unknown, path: string, issues: Issues): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") {
    issues.push({ path, message: "expected a non-empty string" });
    return undefined;
  }
  return value;
}

function _enum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  issues: Issues,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    issues.push({ path, message: `expected one of ${allowed.join(", ")}` });
    return fallback;
  }
  return value as T;
}

function _bool(value: unknown, path: string, issues: Issues, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    issues.push({ path, message: "expected true or false" });
    return fallback;
  }
  return value;
}

/** `host:port`, `[v6]:port`, `:port` or a bare port number. */
export function _parseListen(
  value: unknown,
  path: string,
  issues: Issues,
  fallback: string,
): { host: string; port: number } {
  const raw = value === undefined ? fallback : value;
  if (typeof raw === "number") {
    if (Number.isInteger(raw) && raw >= 0 && raw <= 65535) return { host: "127.0.0.1", port: raw };
  } else if (typeof raw === "string") {
    const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw.trim());
    const port = Number(match?.[3]);
    if (match && port <= 65535) {
      const host = match[1] ?? (match[2] || "0.0.0.0");
      return { host, port };
    }
  }
  issues.push({ path, message: 'expected "host:port", "[ipv6]:port" or a port number' });
  return { host: "127.0.0.1", port: 0 };
}

/** Where PEM material comes from: the value itself in code, a file relative to the config in a config file. */
type PemSource = (value: unknown, path: string, issues: Issues) => Buffer | undefined;

function _pemFromValue(value: unknown, path: string, issues: Issues): Buffer | undefined {
  if (typeof value === "string" && value.includes("-----BEGIN")) return Buffer.from(value, "utf8");
  if (value instanceof Uint8Array) return Buffer.from(value);
  issues.push({ path, message: "expected PEM text or bytes" });
  return undefined;
}

function _pemFromFile(baseDir: string): PemSource {
  return (value, path, issues) => {
    if (typeof value !== "string" || value.trim() === "") {
      issues.push({ path, message: "expected a file path" });
      return undefined;
    }
    const file = isAbsolute(value) ? value : resolve(baseDir, value);
    try {
      return readFileSync(file);
    } catch (err) {
      issues.push({
        path,
        message: `cannot read ${value}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      });
      return undefined;
    }
  };
}

function _resolveUpstream(
  value: unknown,
  path: string,
  issues: Issues,
  pem: PemSource,
): ResolvedUpstreamOptions {
  const fallback: ResolvedUpstreamOptions = {
    host: "",
    port: RELAY_DEFAULTS.upstreamPort,
    tls: RELAY_DEFAULTS.upstreamTls,
    secure: false,
    servername: "",
    connectTimeoutMs: RELAY_DEFAULTS.connectTimeoutMs,
    commandTimeoutMs: RELAY_DEFAULTS.upstreamCommandTimeoutMs,
    dataTimeoutMs: RELAY_DEFAULTS.upstreamDataTimeoutMs,
  };
  if (!_isObject(value)) {
    issues.push({
      path,
      message: value === undefined ? "required (the next hop: { host, port, tls })" : "expected object",
    });
    return fallback;
  }
  _keys(
    value,
    [
      "host",
      "port",
      "tls",
      "secure",
      "ca",
      "servername",
      "auth",
      "connectTimeoutMs",
      "commandTimeoutMs",
      "dataTimeoutMs",
    ],
    path,
    issues,
  );
  const host = _string(value.host, _join(path, "host"), issues);
  if (value.host === undefined) issues.push({ path: _join(path, "host"), message: "required" });
  const secure = _bool(value.secure, _join(path, "secure"), issues, false);
  const tlsMode = _enum(
    value.tls,
    ["required", "opportunistic", "none"] as const,
    _join(path, "tls"),
    issues,
    RELAY_DEFAULTS.upstreamTls,
  );
  if (secure && tlsMode === "none") {
    issues.push({
      path: _join(path, "tls"),
      message: 'secure: true (implicit TLS) cannot go with tls: "none"',
    });
  }
  const port = _int(
    value.port,
    _join(path, "port"),
    issues,
    1,
    65535,
    secure ? RELAY_DEFAULTS.upstreamSecurePort : RELAY_DEFAULTS.upstreamPort,
  );
  const servername = _string(value.servername, _join(path, "servername"), issues) ?? host ?? "";
  let ca: Buffer[] | undefined;
  if (value.ca !== undefined) {
    const list = Array.isArray(value.ca) ? value.ca : [value.ca];
    ca = list
      .map((entry, i) =>
        pem(entry, Array.isArray(value.ca) ? `${_join(path, "ca")}[${i}]` : _join(path, "ca"), issues),
      )
      .filter((b): b is Buffer => b !== undefined);
  }
  let auth: { user: string; pass: string } | undefined;
  if (value.auth !== undefined) {
    const authPath = _join(path, "auth");
    if (!_isObject(value.auth)) issues.push({ path: authPath, message: "expected { user, pass }" });
    else {
      _keys(value.auth, ["user", "pass"], authPath, issues);
      const user = _string(value.auth.user, _join(authPath, "user"), issues);
      const pass = _string(value.auth.pass, _join(authPath, "pass"), issues);
      if (user === undefined || pass === undefined)
        issues.push({ path: authPath, message: "needs both user and pass" });
      else auth = { user, pass };
      if (tlsMode === "none")
        issues.push({
          path: authPath,
          message: 'credentials are sent only over TLS; tls: "none" would never send them',
        });
    }
  }
  return {
    host: host ?? "",
    port,
    tls: tlsMode,
    secure,
    servername,
    ...(ca ? { ca } : {}),
    ...(auth ? { auth } : {}),
    connectTimeoutMs: _int(
      value.connectTimeoutMs,
      _join(path, "connectTimeoutMs"),
      issues,
      1,
      600_000,
      RELAY_DEFAULTS.connectTimeoutMs,
    ),
    commandTimeoutMs: _int(
      value.commandTimeoutMs,
      _join(path, "commandTimeoutMs"),
      issues,
      1,
      3_600_000,
      RELAY_DEFAULTS.upstreamCommandTimeoutMs,
    ),
    dataTimeoutMs: _int(
      value.dataTimeoutMs,
      _join(path, "dataTimeoutMs"),
      issues,
      1,
      3_600_000,
      RELAY_DEFAULTS.upstreamDataTimeoutMs,
    ),
  };
}

const TOP_KEYS = [
  "listen",
  "hostname",
  "upstream",
  "tls",
  "allow",
  "onError",
  "markUnstamped",
  "limits",
  "metrics",
  "stampWorkers",
] as const;
const CODE_ONLY_KEYS = ["stamper", "resolveStamper", "stamperConfig", "directory", "logger"] as const;

/** Checks every setting, collecting all problems; `pem` says how key/cert/ca are given. */
function _resolve(
  raw: unknown,
  prefix: string,
  pem: PemSource,
  code: boolean,
): { options: ResolvedRelayOptions; issues: Issues } {
  const issues: Issues = [];
  const input: Raw = _isObject(raw) ? raw : {};
  if (!_isObject(raw)) issues.push({ path: prefix, message: "expected object" });
  _keys(input, code ? [...TOP_KEYS, ...CODE_ONLY_KEYS] : TOP_KEYS, prefix, issues);
  const listen = _parseListen(input.listen, _join(prefix, "listen"), issues, RELAY_DEFAULTS.listen);
  const hostname = _string(input.hostname, _join(prefix, "hostname"), issues) ?? osHostname();
  if (/[\s\r\n]/.test(hostname))
    issues.push({ path: _join(prefix, "hostname"), message: "must not contain spaces" });
  const upstream = _resolveUpstream(input.upstream, _join(prefix, "upstream"), issues, pem);

  let tlsOptions: ResolvedRelayOptions["tls"];
  if (input.tls !== undefined) {
    const path = _join(prefix, "tls");
    if (!_isObject(input.tls)) issues.push({ path, message: "expected { key, cert }" });
    else {
      _keys(input.tls, ["key", "cert", "requireTLS"], path, issues);
      const key =
        input.tls.key === undefined
          ? (issues.push({ path: _join(path, "key"), message: "required" }), undefined)
          : pem(input.tls.key, _join(path, "key"), issues);
      const cert =
        input.tls.cert === undefined
          ? (issues.push({ path: _join(path, "cert"), message: "required" }), undefined)
          : pem(input.tls.cert, _join(path, "cert"), issues);
      const requireTLS = _bool(input.tls.requireTLS, _join(path, "requireTLS"), issues, false);
      if (key && cert) tlsOptions = { key, cert, requireTLS };
    }
  }

  const networks: string[] = [];
  const users = new Map<string, string>();
  const allowPath = _join(prefix, "allow");
  if (input.allow !== undefined && !_isObject(input.allow))
    issues.push({ path: allowPath, message: "expected { networks, users }" });
  const allow: Raw = _isObject(input.allow) ? input.allow : {};
  _keys(allow, ["networks", "users"], allowPath, issues);
  if (allow.networks === undefined) networks.push(...RELAY_DEFAULTS.networks);
  else if (!Array.isArray(allow.networks))
    issues.push({ path: _join(allowPath, "networks"), message: "expected a list of networks" });
  else {
    allow.networks.forEach((entry, i) => {
      const path = `${_join(allowPath, "networks")}[${i}]`;
      const problem = typeof entry === "string" ? _checkNetwork(entry) : "expected a string";
      if (problem) issues.push({ path, message: problem });
      else networks.push((entry as string).trim());
    });
  }
  if (allow.users !== undefined) {
    const path = _join(allowPath, "users");
    if (!_isObject(allow.users))
      issues.push({ path, message: "expected an object of user name → scrypt hash" });
    else {
      for (const [name, hash] of Object.entries(allow.users)) {
        if (typeof hash !== "string" || !_parseHash(hash)) {
          issues.push({
            path: `${path}.${name}`,
            message:
              'expected a scrypt hash from hashPassword() ("$scrypt$ln=…"); plain passwords are not accepted',
          });
        } else users.set(name, hash);
      }
      if (users.size > 0 && input.tls === undefined) {
        issues.push({ path, message: "AUTH is offered only over TLS: configure tls { key, cert } as well" });
      }
    }
  }

  const onError = _enum(
    input.onError,
    ["pass", "tempfail"] as const,
    _join(prefix, "onError"),
    issues,
    RELAY_DEFAULTS.onError,
  );
  const markUnstamped = _bool(
    input.markUnstamped,
    _join(prefix, "markUnstamped"),
    issues,
    RELAY_DEFAULTS.markUnstamped,
  );

  const limitsPath = _join(prefix, "limits");
  if (input.limits !== undefined && !_isObject(input.limits))
    issues.push({ path: limitsPath, message: "expected object" });
  const rawLimits: Raw = _isObject(input.limits) ? input.limits : {};
  _keys(rawLimits, Object.keys(RELAY_DEFAULTS.limits), limitsPath, issues);
  const d = RELAY_DEFAULTS.limits;
  const limits: Required<RelayLimits> = {
    maxMessageBytes: _int(
      rawLimits.maxMessageBytes,
      _join(limitsPath, "maxMessageBytes"),
      issues,
      1024,
      2 ** 31 - 1,
      d.maxMessageBytes,
    ),
    maxConnections: _int(
      rawLimits.maxConnections,
      _join(limitsPath, "maxConnections"),
      issues,
      1,
      100_000,
      d.maxConnections,
    ),
    maxRecipients: _int(
      rawLimits.maxRecipients,
      _join(limitsPath, "maxRecipients"),
      issues,
      1,
      100_000,
      d.maxRecipients,
    ),
    stampTimeoutMs: _int(
      rawLimits.stampTimeoutMs,
      _join(limitsPath, "stampTimeoutMs"),
      issues,
      1,
      600_000,
      d.stampTimeoutMs,
    ),
    commandTimeoutMs: _int(
      rawLimits.commandTimeoutMs,
      _join(limitsPath, "commandTimeoutMs"),
      issues,
      1,
      3_600_000,
      d.commandTimeoutMs,
    ),
    closeTimeoutMs: _int(
      rawLimits.closeTimeoutMs,
      _join(limitsPath, "closeTimeoutMs"),
      issues,
      0,
      3_600_000,
      d.closeTimeoutMs,
    ),
  };

  const stampWorkers = _int(
    input.stampWorkers,
    _join(prefix, "stampWorkers"),
    issues,
    0,
    256,
    RELAY_DEFAULTS.stampWorkers,
  );

  let metrics: ResolvedRelayOptions["metrics"];
  if (input.metrics !== undefined) {
    const path = _join(prefix, "metrics");
    if (!_isObject(input.metrics)) issues.push({ path, message: 'expected { listen: "host:port" }' });
    else {
      _keys(input.metrics, ["listen"], path, issues);
      if (input.metrics.listen === undefined)
        issues.push({ path: _join(path, "listen"), message: "required" });
      else metrics = _parseListen(input.metrics.listen, _join(path, "listen"), issues, "");
    }
  }

  const options: ResolvedRelayOptions = {
    listen,
    hostname,
    upstream,
    ...(tlsOptions ? { tls: tlsOptions } : {}),
    allow: { networks: _compileNetworks(networks), users },
    onError,
    markUnstamped,
    limits,
    ...(metrics ? { metrics } : {}),
    stampWorkers,
  };
  return { options, issues };
}

/**
 * Validates options given in code.
 * @throws MailstampError (`OPTIONS_INVALID`) listing every problem.
 */
export function _resolveRelayOptions(options: RelayOptions): ResolvedRelayOptions {
  const { options: resolved, issues } = _resolve(options, "", _pemFromValue, true);
  if (!options.stamper && !options.resolveStamper && options.stamperConfig === undefined) {
    issues.push({
      path: "stamper",
      message: "pass a stamper or a resolveStamper function (or a stamperConfig to build one from)",
    });
  }
  if (options.stamperConfig !== undefined && (options.stamper || options.resolveStamper)) {
    issues.push({
      path: "stamperConfig",
      message: "pass either stamperConfig or stamper/resolveStamper, not both",
    });
  }
  if (options.directory !== undefined) {
    if (options.stamperConfig === undefined) {
      issues.push({
        path: "directory",
        message: "only with stamperConfig (a stamper passed in already has its directory)",
      });
    } else if (!_isObject(options.directory) || typeof options.directory.lookup !== "function") {
      issues.push({ path: "directory", message: "expected an object with a lookup(address) function" });
    }
  }
  if (options.stamperConfig !== undefined && !_isObject(options.stamperConfig)) {
    issues.push({ path: "stamperConfig", message: "expected a config object" });
  }
  if (resolved.stampWorkers > 0) {
    // Workers build their own stamper from a config; functions and Stamper objects cannot cross threads.
    for (const key of ["stamper", "resolveStamper"] as const) {
      if (options[key] !== undefined) {
        issues.push({
          path: key,
          message: `cannot be sent to a stamp worker (stampWorkers: ${resolved.stampWorkers}); pass stamperConfig instead`,
        });
      }
    }
    if (options.stamperConfig === undefined) {
      issues.push({ path: "stamperConfig", message: "required with stampWorkers > 0" });
    }
  }
  if (options.resolveStamper !== undefined && typeof options.resolveStamper !== "function") {
    issues.push({ path: "resolveStamper", message: "expected a function" });
  }
  if (issues.length > 0) {
    const lines = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
    throw new MailstampError("OPTIONS_INVALID", `invalid relay options:\n  ${lines.join("\n  ")}`);
  }
  return resolved;
}

/** Options for {@link relayOptionsFromConfig}. */
export interface RelayConfigOptions {
  /** The folder `tls.key`, `tls.cert` and `upstream.ca` paths are relative to: the config file's folder. */
  baseDir: string;
}

/**
 * Reads a config's `relay:` section into {@link RelayOptions} (files read, every setting checked), ready for
 * {@link createRelay} once a stamper is added.
 *
 * @example
 * const config = await loadConfig("/etc/mailstamp/mailstamp.config.yaml");
 * const options = relayOptionsFromConfig(config, { baseDir: "/etc/mailstamp" });
 * const relay = createRelay({ ...options, stamper: createStamper(config) });
 * @throws ConfigError listing every problem with its `relay.…` path (a missing section is one problem).
 */
export function relayOptionsFromConfig(config: ResolvedConfig, options: RelayConfigOptions): RelayOptions {
  const section = config.relay;
  if (section === undefined) {
    throw new ConfigError([
      { path: "relay", message: "required to run the relay (listen, upstream, allow, …)" },
    ]);
  }
  const { options: resolved, issues } = _resolve(section, "relay", _pemFromFile(options.baseDir), false);
  if (issues.length > 0) throw new ConfigError(issues);
  const out: RelayOptions = {
    listen: `${resolved.listen.host.includes(":") ? `[${resolved.listen.host}]` : resolved.listen.host}:${resolved.listen.port}`,
    hostname: resolved.hostname,
    upstream: { ...resolved.upstream },
    allow: {
      networks: [...resolved.allow.networks.entries],
      users: Object.fromEntries(resolved.allow.users),
    },
    onError: resolved.onError,
    markUnstamped: resolved.markUnstamped,
    limits: { ...resolved.limits },
    stampWorkers: resolved.stampWorkers,
    ...(resolved.tls ? { tls: { ...resolved.tls } } : {}),
    ...(resolved.metrics
      ? {
          metrics: {
            listen: `${resolved.metrics.host.includes(":") ? `[${resolved.metrics.host}]` : resolved.metrics.host}:${resolved.metrics.port}`,
          },
        }
      : {}),
  };
  return out;
}
