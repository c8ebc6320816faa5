/**
 * A loopback Microsoft Graph and Entra ID token endpoint for tests, following /work/shared/graph-api.md
 * (its "Mock checklist"): client-credentials tokens (secret or signed certificate assertion), users with
 * `$select`, the `proxyAddresses` alias filter, manager, photos, paged `transitiveMemberOf`,
 * `checkMemberGroups`, `/users/delta`, `$batch` and `sendMail`, plus fault switches (429 + Retry-After, 503,
 * 504, expired tokens, expired delta links) and a log of every request for counting.
 */
import { createHash, createPublicKey, verify, X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeUser {
  id: string;
  userPrincipalName: string;
  /** Any Graph user property (displayName, jobTitle, businessPhones, proxyAddresses, …). */
  [property: string]: unknown;
}

export interface FakeDirectoryObject {
  id: string;
  displayName: string;
  /** What `transitiveMemberOf` reports; roles and administrative units are not groups. @default "group" */
  kind?: "group" | "directoryRole" | "administrativeUnit";
  /** Ids of the groups this one is a member of (nesting). */
  memberOf?: string[];
}

export interface FakeGraphSetup {
  tenantId: string;
  /** Other names the tenant answers to (verified domains). */
  tenantAliases?: string[];
  clientId: string;
  clientSecret?: string;
  /** PEM certificate the app registration holds; client assertions must be signed by its key. */
  certificate?: string;
  users: FakeUser[];
  groups?: FakeDirectoryObject[];
  /** userId → ids of its direct groups. */
  memberOf?: Record<string, string[]>;
  /** userId → manager's userId. */
  managers?: Record<string, string>;
  /** userId → photo bytes (JPEG). */
  photos?: Record<string, Uint8Array>;
  /** Items per `transitiveMemberOf` page (Graph: 100 by default, `$top` up to 999); small to test paging. */
  memberOfPageSize?: number;
  /** Users per `/users/delta` page. */
  deltaPageSize?: number;
  /** Token lifetime in seconds. @default 3599 */
  tokenLifetimeSeconds?: number;
}

export interface LoggedRequest {
  method: string;
  /** The decoded path, e.g. `/v1.0/users/alice@contoso.com` or `/contoso/oauth2/v2.0/token`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  /** True for a request that arrived inside a `$batch`. */
  batched: boolean;
}

export interface FaultRule {
  status: 403 | 429 | 500 | 502 | 503 | 504;
  /** How many matching requests get the fault. */
  times: number;
  /** The `Retry-After` header, seconds. */
  retryAfter?: number;
  /** Which requests; default every Graph (not token) request. */
  match?: (request: LoggedRequest) => boolean;
}

export interface FakeGraph {
  /** `http://127.0.0.1:PORT`: both `graphUrl` and `authorityUrl`. */
  url: string;
  requests: LoggedRequest[];
  /** Counts logged requests whose `METHOD path` matches. */
  count(pattern: RegExp): number;
  /** Makes the next matching requests fail. */
  fail(rule: FaultRule): void;
  /** Makes the next `times` requests executed inside `$batch` answer with this status (per-item throttling). */
  failBatchItems(rule: { status: 429 | 503; times: number; retryAfter?: number }): void;
  /** Every token issued so far is now expired (Graph answers 401 InvalidAuthenticationToken). */
  expireTokens(): void;
  /** Every delta link issued so far is now expired: 400 syncStateNotFound, or 410 Gone. */
  expireDeltaLinks(status?: 400 | 410): void;
  /** Changes a user (tracked for delta). */
  updateUser(id: string, patch: Record<string, unknown>): void;
  addUser(user: FakeUser): void;
  removeUser(id: string): void;
  /** Tokens issued, with how the client authenticated. */
  tokens: Array<{ token: string; via: "secret" | "assertion"; assertionHeader?: Record<string, unknown> }>;
  /** Messages accepted by sendMail. */
  sent: Array<{ mailbox: string; mime: Buffer }>;
  close(): Promise<void>;
}

/** Properties Graph returns without `$select` (graph-api.md §2). */
const DEFAULT_PROPERTIES = [
  "businessPhones",
  "displayName",
  "givenName",
  "id",
  "jobTitle",
  "mail",
  "mobilePhone",
  "officeLocation",
  "preferredLanguage",
  "surname",
  "userPrincipalName",
];
/** Properties Graph returns only when selected; asking for anything else is a 400, as in Graph. */
const SELECT_ONLY = [
  "department",
  "companyName",
  "streetAddress",
  "city",
  "state",
  "postalCode",
  "country",
  "employeeId",
  "employeeType",
  "faxNumber",
  "otherMails",
  "proxyAddresses",
  "mailNickname",
  "onPremisesExtensionAttributes",
];
const KNOWN = new Set([...DEFAULT_PROPERTIES, ...SELECT_ONLY].map((p) => p.toLowerCase()));
const COLLECTIONS = new Set(["businessPhones", "proxyAddresses", "otherMails"]);
const PHOTO_SIZES = new Set([
  "48x48",
  "64x64",
  "96x96",
  "120x120",
  "240x240",
  "360x360",
  "432x432",
  "504x504",
  "648x648",
]);
const MAX_SENDMAIL_BYTES = 4 * 1024 * 1024;

interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  bytes?: Uint8Array;
}

function graphError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return {
    status,
    ...(headers ? { headers } : {}),
    json: {
      error: {
        code,
        message,
        innerError: { date: "2024-05-01T10:00:00", "request-id": "00000000-fake-0000-0000-000000000000" },
      },
    },
  };
}

const notFound = (what: string): Reply =>
  graphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${what}' does not exist or one of its queried reference-property objects are not present.`,
  );

function faultReply(status: number, retryAfter?: number): Reply {
  const headers: Record<string, string> =
    retryAfter !== undefined ? { "Retry-After": String(retryAfter) } : {};
  if (status === 403)
    return graphError(
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    );
  if (status === 429) return graphError(429, "TooManyRequests", "Please retry again later.", headers);
  if (status === 503) return graphError(503, "serviceNotAvailable", "Service Unavailable", headers);
  if (status === 504) return graphError(504, "UnknownError", "Gateway Timeout", headers);
  return graphError(status, "UnknownError", "Internal Server Error", headers);
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const unb64 = (value: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(Buffer.from(value, "base64url").toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeGraph(setup: FakeGraphSetup): Promise<FakeGraph> {
  const users = new Map<string, FakeUser>(setup.users.map((u) => [u.id, structuredClone(u)]));
  const groups = new Map((setup.groups ?? []).map((g) => [g.id, g]));
  const requests: LoggedRequest[] = [];
  const faults: FaultRule[] = [];
  let batchFault: { status: number; times: number; retryAfter?: number } | undefined;
  const validTokens = new Map<string, number>();
  const tokens: FakeGraph["tokens"] = [];
  const sent: FakeGraph["sent"] = [];
  let tokenCounter = 0;
  // Delta bookkeeping: a version per change; links carry the version they start after and an epoch that
  // expireDeltaLinks() moves on.
  let version = 1;
  const changedAt = new Map<string, number>([...users.keys()].map((id) => [id, 1]));
  const removedAt: Array<{ id: string; version: number }> = [];
  let deltaEpoch = 0;
  let deltaExpiredStatus: 400 | 410 = 400;
  let base = "";

  const findUser = (key: string): FakeUser | undefined => {
    const lower = key.toLowerCase();
    for (const user of users.values()) {
      if (user.id.toLowerCase() === lower || user.userPrincipalName.toLowerCase() === lower) return user;
    }
    return undefined;
  };

  function project(user: FakeUser, select: string[] | undefined): Record<string, unknown> {
    const names = select ?? DEFAULT_PROPERTIES;
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const value = user[name];
      // Unset properties come back as null; collections as [] (proxyAddresses is never null).
      out[name] = value === undefined ? (COLLECTIONS.has(name) ? [] : null) : value;
    }
    return out;
  }

  function readSelect(query: URLSearchParams): string[] | Reply | undefined {
    const raw = query.get("$select");
    if (raw === null) return undefined;
    const names = raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const name of names) {
      if (!KNOWN.has(name.toLowerCase())) {
        return graphError(
          400,
          "Request_BadRequest",
          `Could not find a property named '${name}' on type 'microsoft.graph.user'.`,
        );
      }
    }
    return names;
  }

  const isAdvanced = (headers: Record<string, string>, query: URLSearchParams): boolean =>
    headers["consistencylevel"]?.toLowerCase() === "eventual" && query.get("$count") === "true";

  function transitiveGroups(userId: string): FakeDirectoryObject[] {
    const seen = new Map<string, FakeDirectoryObject>();
    const queue = [...(setup.memberOf?.[userId] ?? [])];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      const group = groups.get(id);
      if (!group || seen.has(id)) continue;
      seen.set(id, group);
      queue.push(...(group.memberOf ?? []));
    }
    return [...seen.values()];
  }

  function userReply(user: FakeUser, query: URLSearchParams): Reply {
    const select = readSelect(query);
    if (select && !Array.isArray(select)) return select;
    const body: Record<string, unknown> = {
      "@odata.context": `${base}/v1.0/$metadata#users(${(select ?? []).join(",")})/$entity`,
      ...project(user, select),
    };
    const expand = query.get("$expand");
    if (expand !== null) {
      const match = /^manager(?:\(\$select=([^)]*)\))?$/.exec(expand);
      if (!match)
        return graphError(400, "Request_BadRequest", `Parsing OData Select and Expand failed: ${expand}`);
      const manager = users.get(setup.managers?.[user.id] ?? "");
      if (manager) body.manager = project(manager, match[1]?.split(","));
    }
    return { status: 200, json: body };
  }

  function listUsers(query: URLSearchParams, headers: Record<string, string>): Reply {
    const select = readSelect(query);
    if (select && !Array.isArray(select)) return select;
    const filter = query.get("$filter");
    let list = [...users.values()];
    if (filter !== null) {
      const tests: Array<(u: FakeUser) => boolean> = [];
      // Clauses joined by `or`, read with quotes respected: `''` inside a literal is an escaped quote.
      const clause =
        /\s*(?:proxyAddresses\/any\((\w+):\1 eq '((?:[^']|'')*)'\)|(mail|userPrincipalName) eq '((?:[^']|'')*)')\s*(or\b|$)/iy;
      let position = 0;
      while (position < filter.length) {
        clause.lastIndex = position;
        const m = clause.exec(filter);
        if (!m) {
          return isAdvanced(headers, query)
            ? graphError(
                400,
                "Request_UnsupportedQuery",
                `the fake does not evaluate: ${filter.slice(position)}`,
              )
            : graphError(400, "Request_UnsupportedQuery", "Unsupported Query.");
        }
        position = clause.lastIndex;
        if (m[2] !== undefined) {
          const wanted = m[2].replace(/''/g, "'").toLowerCase();
          tests.push((u) =>
            ((u.proxyAddresses as string[] | undefined) ?? []).some((p) => p.toLowerCase() === wanted),
          );
        } else {
          const wanted = (m[4] ?? "").replace(/''/g, "'").toLowerCase();
          const prop = m[3]?.toLowerCase() === "mail" ? "mail" : "userPrincipalName";
          tests.push((u) => String(u[prop] ?? "").toLowerCase() === wanted);
        }
        if (m[5] === "") break;
      }
      list = list.filter((u) => tests.some((t) => t(u)));
    }
    return {
      status: 200,
      json: { "@odata.context": `${base}/v1.0/$metadata#users`, value: list.map((u) => project(u, select)) },
    };
  }

  function memberOfReply(
    user: FakeUser,
    query: URLSearchParams,
    cast: boolean,
    headers: Record<string, string>,
  ): Reply {
    if (cast && !isAdvanced(headers, query)) {
      return graphError(400, "Request_UnsupportedQuery", "Unsupported Query.");
    }
    const top = query.has("$top") ? Number(query.get("$top")) : 100;
    if (!Number.isInteger(top) || top < 1 || top > 999) {
      return graphError(
        400,
        "Request_BadRequest",
        "Invalid page size specified: '" + query.get("$top") + "'. Must be between 1 and 999 inclusive.",
      );
    }
    const size = Math.min(top, setup.memberOfPageSize ?? top);
    let all = transitiveGroups(user.id);
    if (cast) all = all.filter((g) => (g.kind ?? "group") === "group");
    const offset = Number(unb64(query.get("$skiptoken") ?? "")?.offset ?? 0);
    const fields = query.get("$select")?.split(",") ?? ["id", "displayName"];
    const value = all.slice(offset, offset + size).map((g) => {
      const item: Record<string, unknown> = { "@odata.type": `#microsoft.graph.${g.kind ?? "group"}` };
      for (const f of fields) item[f] = f === "id" ? g.id : f === "displayName" ? g.displayName : null;
      return item;
    });
    const body: Record<string, unknown> = {
      "@odata.context": `${base}/v1.0/$metadata#directoryObjects`,
      value,
    };
    if (offset + size < all.length) {
      const next = new URLSearchParams(query);
      next.set("$skiptoken", b64({ offset: offset + size }));
      body["@odata.nextLink"] =
        `${base}/v1.0/users/${user.id}/transitiveMemberOf${cast ? "/microsoft.graph.group" : ""}?${next.toString()}`;
    }
    return { status: 200, json: body };
  }

  function deltaReply(query: URLSearchParams): Reply {
    const deltaToken = query.get("$deltatoken");
    const skipToken = query.get("$skiptoken");
    let state: { select: string[]; since: number; upto: number; offset: number; epoch: number };
    if (deltaToken !== null || skipToken !== null) {
      const decoded = unb64(deltaToken ?? skipToken ?? "");
      if (!decoded) return graphError(400, "Request_BadRequest", "Invalid token.");
      if (decoded.epoch !== deltaEpoch) {
        return deltaExpiredStatus === 410
          ? graphError(410, "Gone", "The resource has been removed.")
          : graphError(
              400,
              "syncStateNotFound",
              "The sync state generation is not found. The delta token is expired and data must be synchronized again.",
            );
      }
      state =
        deltaToken !== null
          ? {
              select: decoded.select as string[],
              since: Number(decoded.version),
              upto: version,
              offset: 0,
              epoch: deltaEpoch,
            }
          : (decoded as typeof state);
    } else {
      const select = readSelect(query);
      if (select && !Array.isArray(select)) return select;
      state = { select: select ?? DEFAULT_PROPERTIES, since: 0, upto: version, offset: 0, epoch: deltaEpoch };
    }
    const items: Array<Record<string, unknown>> = [];
    for (const [id, at] of changedAt) {
      const user = users.get(id);
      if (user && at > state.since && at <= state.upto) items.push({ ...project(user, state.select), id });
    }
    if (state.since > 0) {
      for (const removed of removedAt) {
        if (removed.version > state.since && removed.version <= state.upto) {
          items.push({ id: removed.id, "@removed": { reason: "deleted" } });
        }
      }
    }
    const size = setup.deltaPageSize ?? 100;
    const page = items.slice(state.offset, state.offset + size);
    const body: Record<string, unknown> = { "@odata.context": `${base}/v1.0/$metadata#users`, value: page };
    if (state.offset + size < items.length) {
      body["@odata.nextLink"] =
        `${base}/v1.0/users/delta?$skiptoken=${b64({ ...state, offset: state.offset + size })}`;
    } else {
      body["@odata.deltaLink"] =
        `${base}/v1.0/users/delta?$deltatoken=${b64({ select: state.select, version: state.upto, epoch: deltaEpoch })}`;
    }
    return { status: 200, json: body };
  }

  function sendMailReply(user: FakeUser, headers: Record<string, string>, body: Buffer): Reply {
    if (body.byteLength > MAX_SENDMAIL_BYTES) {
      return graphError(413, "RequestEntityTooLarge", "The request is larger than the maximum allowed size.");
    }
    if (!/^text\/plain\b/i.test(headers["content-type"] ?? "")) {
      return graphError(400, "ErrorInvalidRequest", "Expected text/plain MIME content.");
    }
    const text = body.toString("latin1").replace(/\s+/g, "");
    if (text === "" || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
      return graphError(
        400,
        "ErrorMimeContentInvalidBase64String",
        "Invalid base64 string for MIME content.",
      );
    }
    sent.push({ mailbox: user.userPrincipalName, mime: Buffer.from(text, "base64") });
    return { status: 202 };
  }

  /** The Graph router (version root); shared by direct requests and `$batch` items. */
  function route(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: Record<string, string>,
    body: Buffer,
  ): Reply {
    if (method === "GET" && path === "/users") return listUsers(query, headers);
    if (method === "GET" && path === "/users/delta") return deltaReply(query);
    const keyed = /^\/users\('((?:[^']|'')*)'\)(\/.*)?$/.exec(path) ?? /^\/users\/([^/]+)(\/.*)?$/.exec(path);
    if (!keyed) return graphError(400, "Request_BadRequest", `Resource not found for the segment '${path}'.`);
    const key = (keyed[1] ?? "").replace(/''/g, "'");
    const rest = keyed[2] ?? "";
    const user = findUser(key);
    if (!user) return notFound(key);
    if (method === "GET" && rest === "") return userReply(user, query);
    if (method === "GET" && rest === "/manager") {
      const manager = users.get(setup.managers?.[user.id] ?? "");
      return manager ? userReply(manager, query) : notFound("manager");
    }
    const photo = /^\/(?:photo|photos\/([^/]+)|photo\/([^/]+))\/\$value$/.exec(rest);
    if (method === "GET" && photo) {
      const size = photo[1] ?? photo[2];
      const bytes = setup.photos?.[user.id];
      if (size !== undefined && !PHOTO_SIZES.has(size))
        return graphError(
          404,
          "ImageNotFound",
          "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
        );
      if (!bytes)
        return graphError(
          404,
          "ImageNotFound",
          "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
        );
      return { status: 200, headers: { "Content-Type": "image/jpeg" }, bytes };
    }
    if (
      method === "GET" &&
      (rest === "/transitiveMemberOf" || rest === "/transitiveMemberOf/microsoft.graph.group")
    ) {
      return memberOfReply(user, query, rest.endsWith("group"), headers);
    }
    if (method === "POST" && rest === "/checkMemberGroups") {
      const ids = (JSON.parse(body.toString() || "{}") as { groupIds?: string[] }).groupIds ?? [];
      if (ids.length > 20)
        return graphError(400, "Request_BadRequest", "Too many group ids; at most 20 are allowed.");
      const mine = new Set(transitiveGroups(user.id).map((g) => g.id));
      return { status: 200, json: { value: ids.filter((id) => mine.has(id)) } };
    }
    if (method === "POST" && rest === "/sendMail") return sendMailReply(user, headers, body);
    return graphError(400, "Request_BadRequest", `Resource not found for the segment '${rest}'.`);
  }

  function batchReply(body: Buffer): Reply {
    let parsed: { requests?: Array<Record<string, unknown>> };
    try {
      parsed = JSON.parse(body.toString()) as typeof parsed;
    } catch {
      return graphError(400, "BadRequest", "Invalid batch payload format.");
    }
    const list = parsed.requests;
    if (!Array.isArray(list) || list.length === 0)
      return graphError(400, "BadRequest", "Invalid batch payload format.");
    if (list.length > 20)
      return graphError(400, "BadRequest", "Number of batch requests exceeds the limit of 20.");
    const ids = list.map((r) => String(r.id).toLowerCase());
    if (new Set(ids).size !== ids.length)
      return graphError(400, "BadRequest", "Batch request ids must be unique.");
    const statusById = new Map<string, number>();
    const responses = list.map((item) => {
      const id = String(item.id);
      const depends = Array.isArray(item.dependsOn) ? (item.dependsOn as string[]) : [];
      let reply: Reply;
      if (depends.some((d) => (statusById.get(d.toLowerCase()) ?? 0) >= 400)) {
        reply = graphError(
          424,
          "FailedDependency",
          "The request failed because it depends on a failed request.",
        );
      } else if (batchFault && batchFault.times > 0) {
        batchFault.times--;
        reply = faultReply(batchFault.status, batchFault.retryAfter);
      } else {
        const url = new URL(String(item.url), "http://batch.invalid");
        const itemHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries((item.headers as Record<string, string> | undefined) ?? {})) {
          itemHeaders[k.toLowerCase()] = v;
        }
        const path = decodeURIComponent(url.pathname);
        requests.push({
          method: String(item.method),
          path: `/v1.0${path}`,
          query: url.searchParams,
          headers: itemHeaders,
          batched: true,
        });
        const itemBody =
          item.body === undefined
            ? Buffer.alloc(0)
            : Buffer.from(typeof item.body === "string" ? item.body : JSON.stringify(item.body));
        reply = route(String(item.method).toUpperCase(), path, url.searchParams, itemHeaders, itemBody);
      }
      statusById.set(id.toLowerCase(), reply.status);
      const headers = { "Content-Type": reply.bytes ? "image/jpeg" : "application/json", ...reply.headers };
      return {
        id,
        status: reply.status,
        headers,
        ...(reply.bytes
          ? { body: Buffer.from(reply.bytes).toString("base64") }
          : reply.json !== undefined
            ? { body: reply.json }
            : {}),
      };
    });
    // Responses may come back in any order (graph-api.md §6): the client must match them by id.
    for (let i = responses.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [responses[i], responses[j]] = [
        responses[j] as (typeof responses)[number],
        responses[i] as (typeof responses)[number],
      ];
    }
    return { status: 200, json: { responses } };
  }

  function tokenReply(tenant: string, headers: Record<string, string>, body: Buffer): Reply {
    const fail = (status: number, error: string, code: number, description: string): Reply => ({
      status,
      json: {
        error,
        error_description: `AADSTS${code}: ${description}\r\nTrace ID: 0000\r\nCorrelation ID: 0000\r\nTimestamp: 2024-05-01 10:00:00Z`,
        error_codes: [code],
        timestamp: "2024-05-01 10:00:00Z",
        trace_id: "0000",
        correlation_id: "0000",
        error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      },
    });
    if (tenant !== setup.tenantId && !(setup.tenantAliases ?? []).includes(tenant)) {
      return fail(400, "invalid_request", 90002, `Tenant '${tenant}' not found.`);
    }
    if (!/^application\/x-www-form-urlencoded\b/i.test(headers["content-type"] ?? "")) {
      return fail(
        400,
        "invalid_request",
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
    }
    const form = new URLSearchParams(body.toString());
    if (form.get("grant_type") !== "client_credentials")
      return fail(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
    if (form.get("client_id") !== setup.clientId)
      return fail(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${form.get("client_id")}' was not found in the directory.`,
      );
    if (!/\/\.default$/.test(form.get("scope") ?? ""))
      return fail(
        400,
        "invalid_scope",
        1002012,
        "The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.",
      );
    let via: "secret" | "assertion";
    let assertionHeader: Record<string, unknown> | undefined;
    if (form.has("client_secret")) {
      if (setup.clientSecret === undefined || form.get("client_secret") !== setup.clientSecret) {
        return fail(
          401,
          "invalid_client",
          7000215,
          "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
        );
      }
      via = "secret";
    } else if (
      form.get("client_assertion_type") === "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    ) {
      const problem = checkAssertion(
        form.get("client_assertion") ?? "",
        `${base}/${tenant}/oauth2/v2.0/token`,
      );
      if (typeof problem === "string")
        return fail(
          401,
          "invalid_client",
          700027,
          `Client assertion failed signature validation. ${problem}`,
        );
      assertionHeader = problem;
      via = "assertion";
    } else {
      return fail(
        400,
        "invalid_client",
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    }
    const token = `fake-token-${++tokenCounter}`;
    const lifetime = setup.tokenLifetimeSeconds ?? 3599;
    validTokens.set(token, Date.now() + lifetime * 1000);
    tokens.push({ token, via, ...(assertionHeader ? { assertionHeader } : {}) });
    return {
      status: 200,
      json: { token_type: "Bearer", expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
    };
  }

  /** Verifies a client assertion: RS256 by the registered certificate's key, x5t, aud, iss/sub, lifetime. */
  function checkAssertion(jwt: string, audience: string): string | Record<string, unknown> {
    if (!setup.certificate) return "No certificate is registered for the application.";
    const [h, p, s] = jwt.split(".");
    if (!h || !p || !s) return "Malformed JWT.";
    const header = unb64(h);
    const payload = unb64(p);
    if (!header || !payload) return "Malformed JWT.";
    const certificate = new X509Certificate(setup.certificate);
    const x5t = createHash("sha1").update(certificate.raw).digest("base64url");
    if (header.alg !== "RS256") return `Unsupported alg ${String(header.alg)}.`;
    if (header.x5t !== x5t) return "Key was not found (x5t does not match a registered certificate).";
    if (
      !verify(
        "sha256",
        Buffer.from(`${h}.${p}`),
        createPublicKey(certificate.publicKey.export({ type: "spki", format: "pem" })),
        Buffer.from(s, "base64url"),
      )
    ) {
      return "Signature is invalid.";
    }
    if (payload.aud !== audience) return `Invalid audience ${String(payload.aud)}.`;
    if (payload.iss !== setup.clientId || payload.sub !== setup.clientId) return "Invalid issuer or subject.";
    const now = Date.now() / 1000;
    if (typeof payload.exp !== "number" || payload.exp < now) return "The assertion has expired.";
    if (typeof payload.jti !== "string" || payload.jti === "") return "Missing jti.";
    return header;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", base);
    const path = decodeURIComponent(url.pathname);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k] = v;
    const logged: LoggedRequest = {
      method: req.method ?? "GET",
      path,
      query: url.searchParams,
      headers,
      batched: false,
    };
    requests.push(logged);
    const reply = ((): Reply => {
      const token = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
      if (token && req.method === "POST") return tokenReply(token[1] ?? "", headers, body);
      if (!path.startsWith("/v1.0/")) return { status: 404, json: { error: "not_found" } };
      const auth = /^Bearer (.+)$/.exec(headers.authorization ?? "");
      const expires = auth ? validTokens.get(auth[1] ?? "") : undefined;
      if (expires === undefined || expires < Date.now()) {
        return graphError(
          401,
          "InvalidAuthenticationToken",
          expires === undefined
            ? "Access token is empty."
            : "Lifetime validation failed, the token is expired.",
        );
      }
      const fault = faults.find((f) => f.times > 0 && (f.match ?? (() => true))(logged));
      if (fault) {
        fault.times--;
        return faultReply(fault.status, fault.retryAfter);
      }
      const graphPath = path.slice("/v1.0".length);
      if (req.method === "POST" && graphPath === "/$batch") return batchReply(body);
      return route(req.method ?? "GET", graphPath, url.searchParams, headers, body);
    })();
    const outHeaders: Record<string, string> = {
      "request-id": "00000000-fake-0000-0000-000000000000",
      ...reply.headers,
    };
    if (reply.bytes) {
      res.writeHead(reply.status, { "Content-Type": "image/jpeg", ...outHeaders });
      res.end(Buffer.from(reply.bytes));
    } else if (reply.json !== undefined) {
      res.writeHead(reply.status, {
        "Content-Type": "application/json;odata.metadata=minimal;charset=utf-8",
        ...outHeaders,
      });
      res.end(JSON.stringify(reply.json));
    } else {
      res.writeHead(reply.status, outHeaders);
      res.end();
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ error: { code: "FakeGraphBug", message: String(err) } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const touch = (id: string): void => {
    changedAt.set(id, ++version);
  };

  return {
    url: base,
    requests,
    tokens,
    sent,
    count: (pattern) => requests.filter((r) => pattern.test(`${r.method} ${r.path}`)).length,
    fail: (rule) => faults.push({ ...rule }),
    failBatchItems: (rule) => (batchFault = { ...rule }),
    expireTokens: () => {
      for (const token of validTokens.keys()) validTokens.set(token, 0);
    },
    expireDeltaLinks: (status = 400) => {
      deltaEpoch++;
      deltaExpiredStatus = status;
    },
    updateUser: (id, patch) => {
      const user = users.get(id);
      if (!user) throw new Error(`no fake user ${id}`);
      Object.assign(user, patch);
      touch(id);
    },
    addUser: (user) => {
      users.set(user.id, structuredClone(user));
      touch(user.id);
    },
    removeUser: (id) => {
      users.delete(id);
      changedAt.delete(id);
      removedAt.push({ id, version: ++version });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
