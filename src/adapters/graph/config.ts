/** From the config file's `directory.graph` section to {@link GraphDirectoryOptions}. */
import { ConfigError, type ConfigIssue } from "../../index.js";
import type { GraphCloud } from "./clouds.js";
import type { GraphDirectoryOptions, GraphPhotoSize } from "./graph-directory.js";
import type { ClientCertificate } from "./token-credential.js";

/** Code-only options that a config file cannot express. */
export type GraphRuntimeOptions = Pick<
  GraphDirectoryOptions,
  "fetch" | "sleep" | "clock" | "logger" | "credential"
>;

const SECOND = 1000;

/**
 * Turns a parsed config's `directory.graph` (values already checked by `parseConfig`, `${env:NAME}` already
 * substituted) into options for `createGraphDirectory`. `certificate` is PEM text holding the private key and
 * the certificate (usually `${env:GRAPH_CERTIFICATE}`); `certificateThumbprint` names the certificate when the
 * PEM holds only the key. Durations are in seconds, as admins write them.
 *
 * @example
 * const config = await loadConfig("mailstamp.config.yaml");
 * const directory = config.directory.graph && createGraphDirectory(graphDirectoryOptionsFromConfig(config.directory.graph));
 * @throws ConfigError with `directory.graph.…` paths when a key needed with another is missing (no tenant,
 * no client, neither or both of secret and certificate).
 */
export function graphDirectoryOptionsFromConfig(
  section: Readonly<Record<string, unknown>>,
  runtime: GraphRuntimeOptions = {},
): GraphDirectoryOptions {
  const issues: ConfigIssue[] = [];
  const at = (key: string): string => `directory.graph.${key}`;
  const text = (key: string): string | undefined =>
    typeof section[key] === "string" ? section[key] : undefined;
  const count = (key: string): number | undefined =>
    typeof section[key] === "number" ? section[key] : undefined;
  const flag = (key: string): boolean | undefined =>
    typeof section[key] === "boolean" ? section[key] : undefined;

  if (runtime.credential === undefined) {
    for (const key of ["tenantId", "clientId"])
      if (!text(key)?.trim()) issues.push({ path: at(key), message: "required" });
    if ((text("clientSecret") === undefined) === (text("certificate") === undefined)) {
      issues.push({ path: at("clientSecret"), message: "give exactly one of clientSecret and certificate" });
    }
  }
  const pem = text("certificate");
  const thumbprint = text("certificateThumbprint");
  if (pem !== undefined && !pem.includes("PRIVATE KEY-----")) {
    issues.push({ path: at("certificate"), message: "expected PEM text with a PRIVATE KEY block" });
  }
  if (pem !== undefined && thumbprint === undefined && !pem.includes("BEGIN CERTIFICATE")) {
    issues.push({
      path: at("certificateThumbprint"),
      message: "required when certificate holds no CERTIFICATE block",
    });
  }
  if (thumbprint !== undefined && !/^[0-9a-f]{40}$/i.test(thumbprint.replace(/[\s:]/g, ""))) {
    issues.push({
      path: at("certificateThumbprint"),
      message: "expected the SHA-1 thumbprint (40 hex digits)",
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const certificate: ClientCertificate | undefined =
    pem === undefined
      ? undefined
      : { privateKey: pem, certificate: pem, ...(thumbprint ? { thumbprint } : {}) };
  const photo = section.photo as boolean | GraphPhotoSize | undefined;
  const cache = {
    ...(count("cacheTtlSeconds") ? { ttlMs: (count("cacheTtlSeconds") ?? 0) * SECOND } : {}),
    ...(count("negativeCacheTtlSeconds")
      ? { negativeTtlMs: (count("negativeCacheTtlSeconds") ?? 0) * SECOND }
      : {}),
    ...(count("staleTtlSeconds") ? { staleTtlMs: (count("staleTtlSeconds") ?? 0) * SECOND } : {}),
    ...(count("cacheMaxUsers") ? { maxEntries: count("cacheMaxUsers") } : {}),
  };
  const entries: Partial<Record<keyof GraphDirectoryOptions, unknown>> = {
    tenantId: text("tenantId"),
    clientId: text("clientId"),
    clientSecret: text("clientSecret"),
    certificate,
    cloud: text("cloud") as GraphCloud | undefined,
    graphUrl: text("graphUrl"),
    authorityUrl: text("authorityUrl"),
    groups: flag("groups"),
    manager: flag("manager"),
    photo,
    select: Array.isArray(section.select) ? section.select : undefined,
    maxRetries: count("maxRetries"),
    requestTimeoutMs: count("requestTimeoutMs"),
    cache: Object.keys(cache).length > 0 ? cache : undefined,
  };
  // exactOptionalPropertyTypes: absent keys stay absent instead of becoming `undefined`.
  const options = Object.fromEntries(
    Object.entries(entries).filter(([, v]) => v !== undefined),
  ) as GraphDirectoryOptions;
  return { ...options, ...runtime };
}
