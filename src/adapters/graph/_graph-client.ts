/**
 * Requests to Microsoft Graph: bearer token, one token refresh on 401, retries of 429/503/504 honouring
 * `Retry-After` (graph-api.md §7), errors carrying Graph's own code, and JSON batching (§6).
 */
import type { Logger } from "../../index.js";
import { isRetryableStatus, parseRetryAfter, retryWait, type RetryPolicy } from "./_retry.js";
import type { TokenCache } from "./_token-cache.js";
import { GraphError, type GraphErrorCode } from "./graph-error.js";

/** An answer from Graph, body already read. */
export interface GraphReply {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body or binary content. */
  json: unknown;
  /** The raw bytes for binary content (photos). */
  bytes?: Uint8Array;
}

export interface GraphRequest {
  method: "GET" | "POST";
  /** A path under the version root (`/users/x`), or an absolute `@odata.nextLink` / `@odata.deltaLink`. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Statuses the caller handles itself (404 for "no such user / no photo / no manager"). */
  expect?: readonly number[];
  /** Read the body as bytes (photo `$value`). */
  binary?: boolean;
  /**
   * Whether sending the request twice does no harm. Reads (GET, `$batch` of GETs) are retried after a network
   * error, a timeout or a 504; a submission (`sendMail`) is not, because Graph may have taken it before the
   * answer was lost and a retry would deliver the mail twice — it is retried only on 429 and 503, which say
   * the request was not processed. @default true for GET, false for POST
   */
  idempotent?: boolean;
}

/** One request inside a `$batch`. */
export interface BatchItem {
  id: string;
  method: "GET";
  /** Relative to the version root, as `$batch` wants (`/users/x?$select=…`). */
  url: string;
  headers?: Record<string, string>;
}

export interface BatchResult {
  status: number;
  headers: Record<string, string>;
  /** JSON bodies parsed; binary bodies (photos) arrive base64-encoded and are decoded here. */
  json: unknown;
  bytes?: Uint8Array;
}

export interface GraphClientOptions {
  /** Graph's root without the version, e.g. https://graph.microsoft.com. */
  graphUrl: string;
  tokens: TokenCache;
  fetch: typeof fetch;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  /** The MailstampError code failures carry: DIRECTORY_FAILED for lookups, SEND_FAILED for sendMail. */
  errorCode: GraphErrorCode;
  logger?: Logger | undefined;
}

/** Graph's documented batch limit. */
export const BATCH_LIMIT = 20;

export interface GraphClient {
  readonly baseUrl: string;
  request(request: GraphRequest): Promise<GraphReply>;
  /** Runs up to {@link BATCH_LIMIT} GETs as one `$batch`, retrying the items Graph throttled; results by id. */
  batch(items: readonly BatchItem[]): Promise<Map<string, BatchResult>>;
}

interface GraphErrorBody {
  error?: { code?: unknown; message?: unknown; innerError?: { "request-id"?: unknown } };
}

function describe(method: string, url: string, base: string): string {
  // Logs and errors name the request without the host, and never a token.
  return `${method} ${url.startsWith(base) ? url.slice(base.length) : url}`;
}

function isJson(contentType: string | null | undefined): boolean {
  return !!contentType && /\bjson\b/i.test(contentType);
}

/** Turns a failed reply into a {@link GraphError}; branches only on Graph's code, never its message. */
export function graphError(
  code: GraphErrorCode,
  reply: { status: number; json: unknown; headers?: Headers | Record<string, string> },
  request: string,
): GraphError {
  const body = (reply.json ?? {}) as GraphErrorBody;
  const graphCode = typeof body.error?.code === "string" ? body.error.code : `HTTP ${reply.status}`;
  const message = typeof body.error?.message === "string" ? `: ${body.error.message}` : "";
  const headerId =
    reply.headers instanceof Headers ? reply.headers.get("request-id") : reply.headers?.["request-id"];
  const innerId = body.error?.innerError?.["request-id"];
  const requestId = typeof innerId === "string" ? innerId : (headerId ?? undefined);
  return new GraphError(code, `Graph ${request} failed with ${reply.status} ${graphCode}${message}`, {
    status: reply.status,
    graphCode,
    request,
    ...(requestId ? { requestId } : {}),
  });
}

/** Creates the request layer both adapters share. */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const baseUrl = `${options.graphUrl.replace(/\/+$/, "")}/v1.0`;
  const { tokens, retry, errorCode, logger } = options;

  async function request(req: GraphRequest): Promise<GraphReply> {
    const url = /^https?:\/\//i.test(req.url) ? req.url : `${baseUrl}${req.url}`;
    const name = describe(req.method, url, baseUrl);
    const idempotent = req.idempotent ?? req.method === "GET";
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const token = await tokens.get();
      let response: Response;
      try {
        response = await options.fetch(url, {
          method: req.method,
          headers: { accept: "application/json", ...req.headers, authorization: `Bearer ${token}` },
          ...(req.body !== undefined ? { body: req.body } : {}),
          signal: AbortSignal.timeout(options.requestTimeoutMs),
        });
      } catch (err) {
        const wait = idempotent ? retryWait(attempt, undefined, retry) : undefined;
        const timeout = err instanceof Error && err.name === "TimeoutError";
        logger?.warn?.("graph request failed", { request: name, error: String(err), retryInMs: wait });
        if (wait !== undefined) {
          await retry.sleep(wait);
          continue;
        }
        throw new GraphError(
          errorCode,
          idempotent
            ? `Graph ${name} failed: ${String(err)}`
            : `Graph ${name} failed: ${String(err)}; Graph may have taken it, so it was not sent again`,
          {
            status: 0,
            graphCode: timeout ? "Timeout" : "NetworkError",
            request: name,
          },
          { cause: err },
        );
      }
      if (response.status === 401 && !refreshed) {
        // An expired or revoked token (InvalidAuthenticationToken): one new token, one more try — a second
        // 401 means the app itself is refused, and asking again would only hammer Entra ID.
        refreshed = true;
        tokens.invalidate(token);
        await response.body?.cancel();
        attempt--;
        continue;
      }
      if (isRetryableStatus(response.status) && (idempotent || response.status !== 504)) {
        const wait = retryWait(
          attempt,
          parseRetryAfter(response.headers.get("retry-after"), retry.now()),
          retry,
        );
        logger?.warn?.("graph request throttled", {
          request: name,
          status: response.status,
          retryInMs: wait,
        });
        if (wait !== undefined) {
          await response.body?.cancel();
          await retry.sleep(wait);
          continue;
        }
      }
      const contentType = response.headers.get("content-type");
      let json: unknown;
      let bytes: Uint8Array | undefined;
      if (req.binary && response.ok) bytes = new Uint8Array(await response.arrayBuffer());
      else {
        const text = await response.text();
        json = text && isJson(contentType) ? safeParse(text) : undefined;
      }
      const reply: GraphReply = {
        status: response.status,
        headers: response.headers,
        json,
        ...(bytes ? { bytes } : {}),
      };
      if (response.ok || req.expect?.includes(response.status)) return reply;
      throw graphError(errorCode, reply, name);
    }
  }

  async function batch(items: readonly BatchItem[]): Promise<Map<string, BatchResult>> {
    if (items.length > BATCH_LIMIT) throw new RangeError(`a $batch holds at most ${BATCH_LIMIT} requests`);
    const results = new Map<string, BatchResult>();
    let pending = [...items];
    for (let round = 1; pending.length > 0; round++) {
      const reply = await request({
        method: "POST",
        url: "/$batch",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ requests: pending }),
        idempotent: true, // only GETs go into a batch
      });
      const responses = (reply.json as { responses?: unknown } | undefined)?.responses;
      if (!Array.isArray(responses)) {
        throw new GraphError(errorCode, "Graph POST /$batch answered without a responses list", {
          status: reply.status,
          graphCode: "InvalidBatchResponse",
          request: "POST /$batch",
        });
      }
      // Responses come back in any order (graph-api.md §6): match them by id, case-insensitively.
      const byId = new Map(pending.map((item) => [item.id.toLowerCase(), item]));
      const throttled: BatchItem[] = [];
      let retryAfterMs: number | undefined;
      for (const raw of responses as Array<Record<string, unknown>>) {
        const item = byId.get(String(raw.id).toLowerCase());
        if (!item) continue;
        byId.delete(item.id.toLowerCase());
        const status = Number(raw.status);
        const headers = lowerKeys(raw.headers);
        if (isRetryableStatus(status)) {
          // Each request inside a batch is throttled on its own: retry only those, after the longest wait asked.
          throttled.push(item);
          const wait = parseRetryAfter(headers["retry-after"], retry.now());
          if (wait !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, wait);
          continue;
        }
        results.set(item.id, decodeBatchBody(status, headers, raw.body));
      }
      for (const missing of byId.values()) {
        throw new GraphError(errorCode, `Graph POST /$batch answered nothing for request ${missing.id}`, {
          status: reply.status,
          graphCode: "InvalidBatchResponse",
          request: "POST /$batch",
        });
      }
      if (throttled.length === 0) break;
      const wait = retryWait(round, retryAfterMs, retry);
      logger?.warn?.("graph batch items throttled", { count: throttled.length, retryInMs: wait });
      if (wait === undefined) {
        for (const item of throttled) {
          results.set(item.id, { status: 429, headers: {}, json: { error: { code: "TooManyRequests" } } });
        }
        break;
      }
      await retry.sleep(wait);
      pending = throttled;
    }
    return results;
  }

  return { baseUrl, request, batch };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function lowerKeys(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return out;
  for (const [key, item] of Object.entries(value))
    if (typeof item === "string") out[key.toLowerCase()] = item;
  return out;
}

function decodeBatchBody(status: number, headers: Record<string, string>, body: unknown): BatchResult {
  if (typeof body === "string" && !isJson(headers["content-type"])) {
    // Binary content (a photo) travels base64-encoded inside the JSON batch response.
    return { status, headers, json: undefined, bytes: new Uint8Array(Buffer.from(body, "base64")) };
  }
  return { status, headers, json: body };
}
