/**
 * Tokens for Microsoft Graph: the credential shape (the one `@azure/identity` credentials have), the built-in
 * client-credentials flow with a secret or a certificate, and the cache every request goes through.
 */
import type { KeyObject } from "node:crypto";
import { MailstampError } from "../../index.js";
import {
  certificateX5t,
  createClientAssertion,
  readPrivateKey,
  type ClientCertificate,
} from "./_client-assertion.js";
import { defaultSleep, isRetryableStatus, parseRetryAfter, retryWait, type RetryPolicy } from "./_retry.js";
import { GraphError } from "./graph-error.js";

export type { ClientCertificate } from "./_client-assertion.js";

/** An access token and when it stops working (milliseconds since the epoch). */
export interface AccessToken {
  token: string;
  expiresOnTimestamp: number;
}

/**
 * Anything that hands out Graph tokens: `@azure/identity` credentials (`ClientSecretCredential`,
 * `ManagedIdentityCredential`, `WorkloadIdentityCredential`, …) fit as they are.
 *
 * @example
 * import { ManagedIdentityCredential } from "@azure/identity";
 * createGraphDirectory({ credential: new ManagedIdentityCredential() });
 */
export interface TokenCredential {
  getToken(scopes: string | string[]): Promise<AccessToken | null>;
}

/** Options of {@link createClientCredential}. */
export interface ClientCredentialOptions {
  /** The directory (tenant) ID or a verified domain (`contoso.onmicrosoft.com`). */
  tenantId: string;
  /** The app registration's application (client) ID. */
  clientId: string;
  /** A client secret; give this or `certificate`. */
  clientSecret?: string;
  /** A certificate credential (recommended by Microsoft over secrets); give this or `clientSecret`. */
  certificate?: ClientCertificate;
  /** The Entra ID authority. @default "https://login.microsoftonline.com" */
  authorityUrl?: string;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Retries of a throttled or unavailable token endpoint. @default { maxRetries: 3, maxWaitMs: 30000 } */
  retry?: Partial<RetryPolicy>;
  /** Per-request timeout. @default 10000 */
  requestTimeoutMs?: number;
}

interface TokenReply {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/**
 * Creates a credential that gets app-only tokens with the OAuth 2.0 client-credentials grant (graph-api.md
 * §1). It asks on every call; wrap it in the adapters (they cache) or use it through them.
 *
 * @example
 * const credential = createClientCredential({ tenantId, clientId, clientSecret: process.env.GRAPH_SECRET });
 * const { token } = await credential.getToken("https://graph.microsoft.com/.default");
 * @throws MailstampError `OPTIONS_INVALID` when neither or both of secret and certificate are given, or the
 * key is unreadable; `getToken` throws {@link GraphError} (`DIRECTORY_FAILED`, `graphCode` = the token
 * endpoint's `error`, e.g. `invalid_client`) when Entra ID refuses.
 */
export function createClientCredential(options: ClientCredentialOptions): TokenCredential {
  const { tenantId, clientId, clientSecret, certificate } = options;
  if ((clientSecret === undefined) === (certificate === undefined)) {
    throw new MailstampError(
      "OPTIONS_INVALID",
      "Graph credential: give exactly one of clientSecret and certificate",
    );
  }
  let key: KeyObject | undefined;
  let x5t = "";
  if (certificate) {
    try {
      key = readPrivateKey(certificate.privateKey);
      x5t = certificateX5t(certificate);
    } catch (err) {
      throw new MailstampError(
        "OPTIONS_INVALID",
        `Graph credential: unusable certificate: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  const authority = (options.authorityUrl ?? "https://login.microsoftonline.com").replace(/\/+$/, "");
  const tokenUrl = `${authority}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const policy: RetryPolicy = {
    maxRetries: 3,
    maxWaitMs: 30_000,
    sleep: defaultSleep,
    now: Date.now,
    ...options.retry,
  };
  const timeoutMs = options.requestTimeoutMs ?? 10_000;

  async function getToken(scopes: string | string[]): Promise<AccessToken> {
    const request = `POST ${tokenUrl}`;
    for (let attempt = 1; ; attempt++) {
      const form = new URLSearchParams({
        client_id: clientId,
        scope: Array.isArray(scopes) ? scopes.join(" ") : scopes,
        grant_type: "client_credentials",
      });
      if (key) {
        // A new assertion per attempt: Entra ID may refuse a replayed `jti`.
        form.set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        // Wall-clock time, not the injectable clock: Entra ID checks nbf/exp against real time.
        form.set("client_assertion", createClientAssertion(key, x5t, clientId, tokenUrl, Date.now()));
      } else {
        form.set("client_secret", clientSecret ?? "");
      }
      let response: Response;
      try {
        response = await doFetch(tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: form.toString(),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        const wait = retryWait(attempt, undefined, policy);
        if (wait !== undefined) {
          await policy.sleep(wait);
          continue;
        }
        throw new GraphError(
          "DIRECTORY_FAILED",
          `token request to ${tokenUrl} failed: ${String(err)}`,
          {
            status: 0,
            graphCode: "NetworkError",
            request,
          },
          { cause: err },
        );
      }
      if (isRetryableStatus(response.status)) {
        const wait = retryWait(
          attempt,
          parseRetryAfter(response.headers.get("retry-after"), policy.now()),
          policy,
        );
        if (wait !== undefined) {
          await response.body?.cancel();
          await policy.sleep(wait);
          continue;
        }
      }
      const reply = (await response.json().catch(() => ({}))) as TokenReply;
      if (response.ok && typeof reply.access_token === "string") {
        const seconds = typeof reply.expires_in === "number" ? reply.expires_in : Number(reply.expires_in);
        return {
          token: reply.access_token,
          expiresOnTimestamp: policy.now() + (Number.isFinite(seconds) ? seconds : 3599) * 1000,
        };
      }
      const code = typeof reply.error === "string" ? reply.error : `HTTP ${response.status}`;
      // The description's first line carries the AADSTS code and the reason; the rest are trace IDs.
      const description =
        typeof reply.error_description === "string" ? `: ${reply.error_description.split(/\r?\n/)[0]}` : "";
      throw new GraphError("DIRECTORY_FAILED", `Entra ID refused the token request (${code}${description})`, {
        status: response.status,
        graphCode: code,
        request,
      });
    }
  }

  return { getToken };
}
