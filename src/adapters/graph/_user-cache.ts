/**
 * The lookup cache of the Graph directory: TTL for known users, a shorter one for unknown senders (so a
 * newsletter robot does not cost a Graph request per message), an LRU bound, and stale entries kept a while
 * longer to answer when Graph is down.
 */
import type { DirectoryUser } from "../../index.js";

interface Entry {
  /** undefined: Graph said there is no such user (negative entry). */
  user: DirectoryUser | undefined;
  /** Until when the entry is fresh. */
  freshUntil: number;
  /** Until when it may still be served while Graph fails. */
  staleUntil: number;
  /** The Graph object id, so delta changes find every address of a user. */
  id: string | undefined;
}

export interface UserCacheOptions {
  ttlMs: number;
  negativeTtlMs: number;
  staleTtlMs: number;
  maxEntries: number;
  now: () => number;
}

/** What the cache knows about an address. */
export type CacheHit =
  | { state: "fresh"; user: DirectoryUser | undefined }
  | { state: "stale"; user: DirectoryUser | undefined }
  | { state: "miss" };

export class UserCache {
  readonly #options: UserCacheOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: UserCacheOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): CacheHit {
    const entry = this.#entries.get(key);
    if (!entry) return { state: "miss" };
    const now = this.#options.now();
    if (now >= entry.staleUntil) {
      this.#entries.delete(key);
      return { state: "miss" };
    }
    // Map keeps insertion order; re-inserting marks the entry as most recently used for the LRU bound.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { state: now < entry.freshUntil ? "fresh" : "stale", user: entry.user };
  }

  set(keys: readonly string[], user: DirectoryUser | undefined, id: string | undefined): void {
    const now = this.#options.now();
    const ttl = user ? this.#options.ttlMs : this.#options.negativeTtlMs;
    const entry: Entry = {
      user,
      id,
      freshUntil: now + ttl,
      staleUntil: now + ttl + this.#options.staleTtlMs,
    };
    for (const key of keys) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }

  /** Drops every address of the user with this Graph id (changed or deleted in a delta round). */
  deleteId(id: string): void {
    for (const [key, entry] of this.#entries) if (entry.id === id) this.#entries.delete(key);
  }

  /** Drops negative entries for these addresses: a user just appeared in a delta round. */
  deleteNegative(keys: readonly string[]): void {
    for (const key of keys) if (this.#entries.get(key)?.user === undefined) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
