/**
 * createGraphDirectory(): senders' details from Entra ID through Microsoft Graph — user by address or alias,
 * the attributes templates use, transitive group names, optional manager and photo — with the caching,
 * batching and delta sync a relay needs to stay inside Graph's throttling limits.
 */
import type { Directory, DirectoryUser } from "../../index.js";
import { assertOptions, checkConnection, connect, type GraphConnectionOptions } from "./connection.js";
import {
  BATCH_LIMIT,
  graphError,
  type BatchItem,
  type BatchResult,
  type GraphClient,
} from "./_graph-client.js";
import {
  addressesOf,
  groupNames,
  mapUser,
  MANAGER_SELECT,
  USER_SELECT,
  type GraphUser,
  type UserExtras,
} from "./_map-user.js";
import { UserCache } from "./_user-cache.js";
import { GraphError } from "./graph-error.js";

/** The photo sizes Exchange Online stores (graph-api.md §3). */
export type GraphPhotoSize =
  "48x48" | "64x64" | "96x96" | "120x120" | "240x240" | "360x360" | "432x432" | "504x504" | "648x648";

const PHOTO_SIZES: readonly GraphPhotoSize[] = [
  "48x48",
  "64x64",
  "96x96",
  "120x120",
  "240x240",
  "360x360",
  "432x432",
  "504x504",
  "648x648",
];

/** How long lookups are remembered. */
export interface GraphCacheOptions {
  /** How long a found user is used without asking Graph again. @default 900000 (15 minutes) */
  ttlMs?: number;
  /** How long an unknown sender stays unknown before Graph is asked again. @default 300000 (5 minutes) */
  negativeTtlMs?: number;
  /** How long after expiry an entry is still served when Graph cannot be reached. @default 86400000 (24 hours) */
  staleTtlMs?: number;
  /** Addresses remembered at most (least recently used go first). @default 10000 */
  maxEntries?: number;
}

/** Options of {@link createGraphDirectory}. */
export interface GraphDirectoryOptions extends GraphConnectionOptions {
  /** Look up transitive group names (needs `GroupMember.Read.All`). @default true */
  groups?: boolean;
  /** Add the manager as `user.manager` (one more request per user). @default false */
  manager?: boolean;
  /** Add the photo as `user.photo` (template `{{ images.photo }}`); `true` means 96x96. @default false */
  photo?: boolean | GraphPhotoSize;
  /** More user properties to `$select` (`employeeType`, `extension_<appId>_costCenter`, …). @default [] */
  select?: readonly string[];
  cache?: GraphCacheOptions;
}

/** What a {@link GraphDirectory.prefetch} round did. */
export interface GraphPrefetchResult {
  /** `full`: every user was listed (first round, or the delta link expired); `delta`: only changes. */
  mode: "full" | "delta";
  /** Users added or changed, now in the cache. */
  updated: number;
  /** Users deleted or soft-deleted, dropped from the cache. */
  removed: number;
}

/** An Entra ID {@link Directory} with cache control, warm-up and delta sync. */
export interface GraphDirectory extends Directory {
  /**
   * Loads users through `/users/delta`: the first call lists everyone, later calls fetch only what changed
   * since (the delta link is kept); an expired delta link (`syncStateNotFound` / 410) starts over.
   */
  prefetch(): Promise<GraphPrefetchResult>;
  /** Looks up many addresses with `$batch` (20 requests per round trip); returns how many were found. */
  warm(addresses: readonly string[]): Promise<number>;
  /** Forgets every cached lookup (the delta link is kept). */
  clear(): void;
}

const NOT_FOUND = 404;
const BAD_REQUEST = 400;

/** `'` doubles inside an OData string literal; anything else would let an address rewrite the filter. */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The `/users/{id|upn}` path segment (graph-api.md §2: `$`-prefixed UPNs need the key form, `#` is %23). */
function userPath(address: string): string {
  if (address.startsWith("$")) return `/users(${encodeURIComponent(odataString(address))})`;
  return `/users/${encodeURIComponent(address).replace(/%40/g, "@")}`;
}

function aliasFilterPath(address: string, select: string): string {
  // Both prefixes: uppercase SMTP: is the primary address, lowercase smtp: the aliases. `eq` inside any()
  // works without advanced-query headers, unlike endsWith or $search.
  const filter = ["SMTP", "smtp"].map((p) => `proxyAddresses/any(x:x eq ${odataString(`${p}:${address}`)})`);
  return `/users?$filter=${encodeURIComponent(filter.join(" or "))}&$select=${select}`;
}

function checkDirectoryOptions(options: GraphDirectoryOptions): string[] {
  const problems = checkConnection(options);
  if (
    options.photo !== undefined &&
    typeof options.photo !== "boolean" &&
    !PHOTO_SIZES.includes(options.photo)
  ) {
    problems.push(`photo: expected true, false or one of ${PHOTO_SIZES.join(", ")}`);
  }
  for (const name of options.select ?? []) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name))
      problems.push(`select: ${JSON.stringify(name)} is not a property name`);
  }
  for (const [key, value] of Object.entries(options.cache ?? {})) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      problems.push(`cache.${key}: expected a positive integer`);
    }
  }
  return problems;
}

/**
 * Creates a {@link Directory} backed by Entra ID through Microsoft Graph (app-only, no Graph SDK).
 *
 * A lookup asks `GET /users/{address}` (primary address = UPN in most tenants), then, on 404, filters on
 * `proxyAddresses` so aliases and addresses that differ from the UPN are found. Groups, manager and photo
 * follow in parallel. Results are cached; concurrent lookups of one address share one request; when Graph
 * is unreachable, an expired entry is served for up to `cache.staleTtlMs` rather than failing the message.
 *
 * Permissions (application): `User.Read.All`, plus `GroupMember.Read.All` for groups.
 *
 * @example
 * const directory = createGraphDirectory({
 *   tenantId: "contoso.onmicrosoft.com",
 *   clientId: process.env.GRAPH_CLIENT_ID,
 *   clientSecret: process.env.GRAPH_CLIENT_SECRET,
 *   photo: "96x96",
 * });
 * const stamper = createStamper(config, { directory });
 * @throws MailstampError `OPTIONS_INVALID` for missing or contradictory options (every problem listed).
 * `lookup()` throws {@link GraphError} (`DIRECTORY_FAILED`, with Graph's `graphCode`) when Graph refuses or
 * cannot be reached and nothing is cached; an unknown address is `undefined`, not an error.
 */
export function createGraphDirectory(options: GraphDirectoryOptions): GraphDirectory {
  assertOptions("createGraphDirectory", checkDirectoryOptions(options));
  const { client, clock, logger } = connect(options, "DIRECTORY_FAILED");
  const withGroups = options.groups ?? true;
  const withManager = options.manager ?? false;
  const photoSize = options.photo === true ? "96x96" : options.photo || undefined;
  const select = [...new Set([...USER_SELECT, ...(options.select ?? [])])].join(",");
  const cache = new UserCache({
    ttlMs: options.cache?.ttlMs ?? 15 * 60_000,
    negativeTtlMs: options.cache?.negativeTtlMs ?? 5 * 60_000,
    staleTtlMs: options.cache?.staleTtlMs ?? 24 * 3_600_000,
    maxEntries: options.cache?.maxEntries ?? 10_000,
    now: clock,
  });
  const inFlight = new Map<string, Promise<DirectoryUser | undefined>>();
  let deltaLink: string | undefined;

  /** The user whose primary address, UPN or alias this is; undefined when Graph knows nobody by it. */
  async function findUser(address: string): Promise<GraphUser | undefined> {
    // Graph answers 400 (Request_BadRequest) rather than 404 when an address is not a valid user key at all
    // (characters such as "/" or "?" in the local part): that sender is simply not found this way either.
    const direct = await client.request({
      method: "GET",
      url: `${userPath(address)}?$select=${select}`,
      expect: [NOT_FOUND, BAD_REQUEST],
    });
    if (direct.status !== NOT_FOUND && direct.status !== BAD_REQUEST) return direct.json as GraphUser;
    const filtered = await client.request({
      method: "GET",
      url: aliasFilterPath(address, select),
      expect: [BAD_REQUEST],
    });
    if (filtered.status === BAD_REQUEST) {
      // An address the filter syntax cannot hold: unknown, and negatively cached like any unknown sender,
      // rather than a failure on every message from it.
      logger?.warn?.("Graph cannot look this address up; treating the sender as unknown", { address });
      return undefined;
    }
    const value = (filtered.json as { value?: GraphUser[] } | undefined)?.value ?? [];
    if (value.length > 1)
      logger?.warn?.("address belongs to several Graph users; using the first", { address });
    return value[0];
  }

  async function allGroups(firstUrl: string, first?: unknown): Promise<string[]> {
    const names: string[] = [];
    let page = first as { value?: unknown; "@odata.nextLink"?: unknown } | undefined;
    let url: string | undefined = firstUrl;
    while (url !== undefined) {
      page ??= (await client.request({ method: "GET", url })).json as typeof page;
      names.push(...groupNames(page?.value));
      // The nextLink is used exactly as returned (graph-api.md §4); a page may be empty.
      const next: unknown = page?.["@odata.nextLink"];
      url = typeof next === "string" ? next : undefined;
      page = undefined;
    }
    return [...new Set(names)];
  }

  const groupsUrl = (id: string): string =>
    `/users/${encodeURIComponent(id)}/transitiveMemberOf?$select=id,displayName&$top=999`;
  const managerUrl = (id: string): string =>
    `/users/${encodeURIComponent(id)}/manager?$select=${MANAGER_SELECT.join(",")}`;
  const photoUrl = (id: string, size: string): string =>
    `/users/${encodeURIComponent(id)}/photos/${size}/$value`;

  /** Groups, manager and photo for one user, one request each, in parallel. */
  async function extrasFor(id: string): Promise<UserExtras> {
    const [groups, manager, photo] = await Promise.all([
      withGroups ? allGroups(groupsUrl(id)) : Promise.resolve([]),
      withManager
        ? client
            .request({ method: "GET", url: managerUrl(id), expect: [NOT_FOUND] })
            .then((r) => (r.status === NOT_FOUND ? undefined : (r.json as GraphUser)))
        : Promise.resolve(undefined),
      photoSize
        ? client
            .request({ method: "GET", url: photoUrl(id, photoSize), expect: [NOT_FOUND], binary: true })
            .then((r) =>
              r.status === NOT_FOUND || !r.bytes
                ? undefined
                : { data: r.bytes, contentType: r.headers.get("content-type") ?? "image/jpeg" },
            )
        : Promise.resolve(undefined),
    ]);
    return { groups, manager, photo };
  }

  function remember(key: string, graphUser: GraphUser | undefined, user: DirectoryUser | undefined): void {
    const id = typeof graphUser?.id === "string" ? graphUser.id : undefined;
    // A found user is cached under every address it has, so the next message from an alias costs nothing.
    cache.set(graphUser ? [...new Set([key, ...addressesOf(graphUser)])] : [key], user, id);
  }

  async function fetchAndCache(key: string, address: string): Promise<DirectoryUser | undefined> {
    if (!key.includes("@")) {
      remember(key, undefined, undefined);
      return undefined;
    }
    // Graph compares addresses case-insensitively; the request keeps the case the message used, for logs.
    const graphUser = await findUser(address);
    const id = typeof graphUser?.id === "string" ? graphUser.id : undefined;
    const user = graphUser && id ? mapUser(graphUser, await extrasFor(id)) : undefined;
    remember(key, graphUser, user);
    return user;
  }

  async function lookup(address: string): Promise<DirectoryUser | undefined> {
    const key = address.trim().toLowerCase();
    const hit = cache.get(key);
    if (hit.state === "fresh") return hit.user;
    const running = inFlight.get(key);
    if (running) return running;
    const promise = fetchAndCache(key, address.trim())
      .catch((err: unknown) => {
        if (hit.state === "stale") {
          // Graph down or throttled beyond the cap: yesterday's title beats a message without a signature.
          logger?.warn?.("graph lookup failed; serving the cached entry", {
            address: key,
            error: String(err),
          });
          return hit.user;
        }
        throw err;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, promise);
    return promise;
  }

  /** Fetches groups/manager/photo for many users through `$batch`, then caches them under every address. */
  async function hydrate(
    users: readonly GraphUser[],
    extraKeys: ReadonlyMap<GraphUser, string> = new Map(),
  ): Promise<void> {
    const items: BatchItem[] = [];
    users.forEach((user, i) => {
      const id = String(user.id);
      if (withGroups) items.push({ id: `${i}g`, method: "GET", url: groupsUrl(id) });
      if (withManager) items.push({ id: `${i}m`, method: "GET", url: managerUrl(id) });
      if (photoSize) items.push({ id: `${i}p`, method: "GET", url: photoUrl(id, photoSize) });
    });
    const results = await runBatches(client, items);
    for (const [i, user] of users.entries()) {
      const part = (suffix: string) => {
        const result = results.get(`${i}${suffix}`);
        if (!result || result.status === NOT_FOUND) return undefined;
        if (result.status >= 400)
          throw graphError("DIRECTORY_FAILED", result, `GET (batched) ${suffix} of ${String(user.id)}`);
        return result;
      };
      const groupsReply = part("g");
      const managerReply = part("m");
      const photoReply = part("p");
      const extras: UserExtras = {
        groups: groupsReply ? await allGroups(groupsUrl(String(user.id)), groupsReply.json) : [],
        manager: managerReply?.json as GraphUser | undefined,
        photo: photoReply?.bytes
          ? { data: photoReply.bytes, contentType: photoReply.headers["content-type"] ?? "image/jpeg" }
          : undefined,
      };
      cache.deleteId(String(user.id));
      remember(extraKeys.get(user) ?? addressesOf(user)[0] ?? "", user, mapUser(user, extras));
    }
  }

  async function warm(addresses: readonly string[]): Promise<number> {
    const keys = [...new Set(addresses.map((a) => a.trim().toLowerCase()))].filter(
      (key) => key.includes("@") && cache.get(key).state !== "fresh" && !inFlight.has(key),
    );
    const found = new Map<GraphUser, string>();
    const missing: string[] = [];
    const direct = await runBatches(
      client,
      keys.map((key, i) => ({ id: String(i), method: "GET", url: `${userPath(key)}?$select=${select}` })),
    );
    keys.forEach((key, i) => {
      const result = direct.get(String(i));
      if (result?.status === NOT_FOUND) missing.push(key);
      else if (result && result.status < 400) found.set(result.json as GraphUser, key);
      else if (result) throw graphError("DIRECTORY_FAILED", result, `GET (batched) ${userPath(key)}`);
    });
    const aliases = await runBatches(
      client,
      missing.map((key, i) => ({ id: String(i), method: "GET", url: aliasFilterPath(key, select) })),
    );
    missing.forEach((key, i) => {
      const result = aliases.get(String(i));
      if (result && result.status >= 400)
        throw graphError("DIRECTORY_FAILED", result, `GET (batched) alias ${key}`);
      const user = (result?.json as { value?: GraphUser[] } | undefined)?.value?.[0];
      if (user) found.set(user, key);
      else remember(key, undefined, undefined);
    });
    await hydrate([...found.keys()], found);
    return found.size;
  }

  async function prefetch(): Promise<GraphPrefetchResult> {
    for (let restarted = false; ; restarted = true) {
      const mode = deltaLink && !restarted ? "delta" : "full";
      let url: string | undefined = mode === "delta" ? deltaLink : `/users/delta?$select=${select}`;
      const changed: GraphUser[] = [];
      const removed: string[] = [];
      let expired = false;
      while (url !== undefined) {
        const reply = await client.request({ method: "GET", url, expect: [400, 410] });
        if (reply.status === 410 || reply.status === 400) {
          const code = (reply.json as { error?: { code?: unknown } } | undefined)?.error?.code;
          if (reply.status === 400 && code !== "syncStateNotFound")
            throw graphError("DIRECTORY_FAILED", reply, "GET /users/delta");
          expired = true;
          break;
        }
        const page = (reply.json ?? {}) as {
          value?: GraphUser[];
          "@odata.nextLink"?: unknown;
          "@odata.deltaLink"?: unknown;
        };
        for (const item of page.value ?? []) {
          if (typeof item.id !== "string") continue;
          if (item["@removed"] !== undefined) removed.push(item.id);
          else changed.push(item);
        }
        const next = page["@odata.nextLink"];
        const delta = page["@odata.deltaLink"];
        url = typeof next === "string" ? next : undefined;
        if (url === undefined && typeof delta === "string") deltaLink = delta;
      }
      if (expired) {
        // Delta tokens for users last 7 days; after that only a full resync is consistent (graph-api.md §5).
        if (restarted)
          throw new GraphError("DIRECTORY_FAILED", "Graph refused a fresh delta query", {
            status: 400,
            graphCode: "syncStateNotFound",
            request: "GET /users/delta",
          });
        logger?.info?.("graph delta link expired; starting a full sync");
        deltaLink = undefined;
        continue;
      }
      for (const id of removed) cache.deleteId(id);
      const present = changed.filter((user) => addressesOf(user).length > 0);
      for (const user of present) cache.deleteNegative(addressesOf(user));
      await hydrate(present);
      return { mode, updated: present.length, removed: removed.length };
    }
  }

  return { lookup, warm, prefetch, clear: () => cache.clear() };
}

/** Runs any number of batch items, {@link BATCH_LIMIT} per `$batch`, four batches at a time. */
async function runBatches(
  client: GraphClient,
  items: readonly BatchItem[],
): Promise<Map<string, BatchResult>> {
  const chunks: BatchItem[][] = [];
  for (let i = 0; i < items.length; i += BATCH_LIMIT) chunks.push(items.slice(i, i + BATCH_LIMIT));
  const results = new Map<string, BatchResult>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const chunk = chunks[next++] ?? [];
      for (const [id, result] of await client.batch(chunk)) results.set(id, result);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return results;
}
