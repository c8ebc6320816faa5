/**
 * A stable content hash of template data: the same data gives the same hash whatever the key order or object
 * identity, so equal messages share one cached render. Internal to the render folder.
 */
import { createHash } from "node:crypto";
import type { Hash } from "node:crypto";

/** Directory records are flat; anything deeper than this is not template data worth distinguishing. */
const MAX_DEPTH = 32;

const bytesHashes = new WeakMap<Uint8Array, string>();

/** sha256 of bytes as hex, remembered per array (photos and logos are hashed once, not per message). */
export function hashBytes(bytes: Uint8Array): string {
  let hex = bytesHashes.get(bytes);
  if (hex === undefined) {
    hex = createHash("sha256").update(bytes).digest("hex");
    bytesHashes.set(bytes, hex);
  }
  return hex;
}

function feed(hash: Hash, value: unknown, ancestors: Set<object>, depth: number): void {
  // Every token is tagged and strings are length-prefixed so that different values never feed equal bytes.
  if (value === undefined) return void hash.update("u;");
  if (value === null) return void hash.update("n;");
  switch (typeof value) {
    case "string":
      return void hash.update(`s${value.length}:`).update(value);
    case "number":
      return void hash.update(`d${String(value)};`);
    case "bigint":
      return void hash.update(`i${value.toString()};`);
    case "boolean":
      return void hash.update(value ? "t;" : "f;");
    case "object":
      break;
    default:
      // Functions and symbols render as nothing in Liquid; they do not change the output.
      return void hash.update("x;");
  }
  if (value instanceof Date) return void hash.update(`D${value.getTime()};`);
  if (value instanceof Uint8Array) return void hash.update(`B${hashBytes(value)};`);
  if (ancestors.has(value) || depth >= MAX_DEPTH) return void hash.update("c;");
  ancestors.add(value);
  if (Array.isArray(value)) {
    hash.update(`[${value.length}:`);
    for (const item of value) feed(hash, item, ancestors, depth + 1);
    hash.update("]");
  } else {
    const keys = Object.keys(value).sort();
    hash.update(`{${keys.length}:`);
    for (const key of keys) {
      hash.update(`k${key.length}:`).update(key);
      feed(hash, (value as Record<string, unknown>)[key], ancestors, depth + 1);
    }
    hash.update("}");
  }
  ancestors.delete(value);
}

/** A hex sha256 over the value's content, independent of key order. */
export function stableHash(value: unknown): string {
  const hash = createHash("sha256");
  feed(hash, value, new Set(), 0);
  return hash.digest("hex");
}
