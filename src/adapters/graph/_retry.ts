/** The retry policy shared by every Graph and token request (graph-api.md §7). */

/** How requests are retried; resolved from the adapters' options. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** The longest single wait; a longer `Retry-After` ends the retries instead of retrying early. */
  maxWaitMs: number;
  sleep(ms: number): Promise<void>;
  /** Milliseconds since the epoch; for HTTP-date `Retry-After` values and token expiry. */
  now(): number;
}

/** Statuses Graph documents as transient: throttled (429), overloaded or in maintenance (503), gateway timeout (504). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503 || status === 504;
}

/**
 * Milliseconds to wait from a `Retry-After` header: delta-seconds (what Graph sends) or an HTTP-date
 * (RFC 9110 §10.2.3). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * How long to wait before retry number `attempt` (1-based), or undefined when the policy says stop. Graph asks
 * for `Retry-After` to be honoured exactly; without one, exponential backoff from 500 ms, because an immediate
 * retry of a throttled request still counts against the tenant's limits.
 */
export function retryWait(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
): number | undefined {
  if (attempt > policy.maxRetries) return undefined;
  const wait = retryAfterMs ?? Math.min(500 * 2 ** (attempt - 1), 8000);
  return wait > policy.maxWaitMs ? undefined : wait;
}

/**
 * The default sleep. The timer is not unref'd on purpose: a CLI run waiting out a `Retry-After` has nothing else
 * keeping the process alive, and would exit mid-wait with the message unwritten.
 */
export function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
