/** The options both Graph adapters share (who signs in, where Graph is, how requests are retried), resolved once. */
import { MailstampError, type Logger } from "../../index.js";
import { defaultSleep, type RetryPolicy } from "./_retry.js";
import { createTokenCache } from "./_token-cache.js";
import { GRAPH_CLOUDS, type GraphCloud } from "./clouds.js";
import { createGraphClient, type GraphClient } from "./_graph-client.js";
import type { GraphErrorCode } from "./graph-error.js";
import { createClientCredential, type ClientCertificate, type TokenCredential } from "./token-credential.js";

/** How an adapter reaches Microsoft Graph. */
export interface GraphConnectionOptions {
  /** The directory (tenant) ID or a verified domain; required unless `credential` is given. */
  tenantId?: string;
  /** The app registration's application (client) ID; required unless `credential` is given. */
  clientId?: string;
  /** A client secret (use `${env:…}` in config files); one of `clientSecret`, `certificate`, `credential`. */
  clientSecret?: string;
  /** A certificate credential (private key + certificate or thumbprint). */
  certificate?: ClientCertificate;
  /** Any `{ getToken(scopes) }` credential, e.g. from `@azure/identity`; replaces tenant/client/secret. */
  credential?: TokenCredential;
  /** The national cloud; sets `graphUrl` and `authorityUrl`. @default "global" */
  cloud?: GraphCloud;
  /** Graph's root without `/v1.0`. @default the cloud's, e.g. "https://graph.microsoft.com" */
  graphUrl?: string;
  /** The Entra ID authority. @default the cloud's, e.g. "https://login.microsoftonline.com" */
  authorityUrl?: string;
  /** Retries after the first attempt for 429/503/504 and network errors. @default 3 */
  maxRetries?: number;
  /** The longest single wait for a retry; a longer `Retry-After` fails at once instead. @default 30000 */
  maxRetryWaitMs?: number;
  /** Per-request timeout. @default 10000 */
  requestTimeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** How retries wait; tests pass a fake. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds since the epoch; drives token expiry and the cache. @default Date.now */
  clock?: () => number;
  logger?: Logger;
}

export interface ResolvedConnection {
  client: GraphClient;
  clock: () => number;
  logger: Logger | undefined;
}

function isEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  // A secret or a token must never cross a network in clear text; plain http only to this host (tests, proxies).
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

function isWholeNumber(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Problems in the connection options, as `name: what is wrong` lines. */
export function checkConnection(options: GraphConnectionOptions): string[] {
  const problems: string[] = [];
  const credentials = [options.clientSecret, options.certificate, options.credential].filter(
    (c) => c !== undefined,
  );
  if (credentials.length !== 1) problems.push("give exactly one of clientSecret, certificate and credential");
  if (options.credential === undefined) {
    for (const key of ["tenantId", "clientId"] as const) {
      const value = options[key];
      if (typeof value !== "string" || value.trim() === "") problems.push(`${key}: required`);
    }
  }
  if (options.cloud !== undefined && !(options.cloud in GRAPH_CLOUDS)) {
    problems.push(`cloud: expected one of ${Object.keys(GRAPH_CLOUDS).join(", ")}`);
  }
  for (const key of ["graphUrl", "authorityUrl"] as const) {
    const value = options[key];
    if (value !== undefined && !isEndpoint(value)) {
      problems.push(`${key}: expected an https:// URL (http:// only on 127.0.0.1, localhost or [::1])`);
    }
  }
  if (options.maxRetries !== undefined && !isWholeNumber(options.maxRetries, 0, 10)) {
    problems.push("maxRetries: expected an integer from 0 to 10");
  }
  for (const key of ["maxRetryWaitMs", "requestTimeoutMs"] as const) {
    const value = options[key];
    if (value !== undefined && !isWholeNumber(value, 1, 3_600_000))
      problems.push(`${key}: expected a positive integer`);
  }
  return problems;
}

/** Throws one OPTIONS_INVALID error naming every problem. */
export function assertOptions(adapter: string, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new MailstampError("OPTIONS_INVALID", `${adapter}: invalid options:\n  ${problems.join("\n  ")}`);
  }
}

/** Builds the token cache and the request layer from checked options. */
export function connect(options: GraphConnectionOptions, errorCode: GraphErrorCode): ResolvedConnection {
  const cloud = GRAPH_CLOUDS[options.cloud ?? "global"];
  const graphUrl = (options.graphUrl ?? cloud.graphUrl).replace(/\/+$/, "");
  const authorityUrl = options.authorityUrl ?? cloud.authorityUrl;
  const clock = options.clock ?? Date.now;
  const doFetch = options.fetch ?? globalThis.fetch;
  const retry: RetryPolicy = {
    maxRetries: options.maxRetries ?? 3,
    maxWaitMs: options.maxRetryWaitMs ?? 30_000,
    sleep: options.sleep ?? defaultSleep,
    now: clock,
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const credential =
    options.credential ??
    createClientCredential({
      tenantId: options.tenantId ?? "",
      clientId: options.clientId ?? "",
      ...(options.clientSecret !== undefined ? { clientSecret: options.clientSecret } : {}),
      ...(options.certificate !== undefined ? { certificate: options.certificate } : {}),
      authorityUrl,
      fetch: doFetch,
      retry,
      requestTimeoutMs,
    });
  // App-only tokens are requested for the resource's `.default` scope: every application permission granted.
  const tokens = createTokenCache(credential, `${graphUrl}/.default`, clock);
  const client = createGraphClient({
    graphUrl,
    tokens,
    fetch: doFetch,
    retry,
    requestTimeoutMs,
    errorCode,
    logger: options.logger,
  });
  return { client, clock, logger: options.logger };
}
