/** The one place tokens come from for the adapters: cached until shortly before expiry, one request at a time. */
import { MailstampError } from "../../index.js";
import type { AccessToken, TokenCredential } from "./token-credential.js";

/** A token source that remembers its token and can be told the token was refused. */
export interface TokenCache {
  get(): Promise<string>;
  /** Graph answered 401: forget `token` so the next `get()` asks the credential again. */
  invalidate(token: string): void;
}

// Entra ID tokens live 60–90 minutes; renewing five minutes early keeps a request from setting out with a
// token that expires on the way (and covers clock skew between this host and Entra ID).
const RENEW_BEFORE_MS = 5 * 60_000;

/** Wraps a credential: cached token, single-flight renewal, early renewal before expiry. */
export function createTokenCache(credential: TokenCredential, scope: string, now: () => number): TokenCache {
  let current: (AccessToken & { renewAt: number }) | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const obtainedAt = now();
    const reply = (await credential.getToken([scope])) as AccessToken | string | null;
    const token =
      typeof reply === "string" ? { token: reply, expiresOnTimestamp: obtainedAt + 3_600_000 } : reply;
    if (!token || typeof token.token !== "string" || token.token === "") {
      throw new MailstampError("DIRECTORY_FAILED", "the Graph credential returned no token");
    }
    // Short-lived tokens (tests, some proxies) renew at half their life instead of never being cached.
    const life = token.expiresOnTimestamp - obtainedAt;
    current = { ...token, renewAt: token.expiresOnTimestamp - Math.min(RENEW_BEFORE_MS, life / 2) };
    return token.token;
  }

  return {
    get() {
      if (current && now() < current.renewAt) return Promise.resolve(current.token);
      pending ??= fetchToken().finally(() => (pending = undefined));
      return pending;
    },
    invalidate(token) {
      if (current?.token === token) current = undefined;
    },
  };
}
