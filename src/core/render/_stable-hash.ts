/**
 * A stable content hash of template data: the same data gives the same hash whatever the key order or object
 * identity, so equal messages share one cached render. Internal to the render folder.
 */
import { createHash, hash } from "node:crypto";

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

/**
 * Appends the value's tokens to `out`. Every token is tagged and strings are length-prefixed so that different
 * values never give equal text; the tokens are joined and hashed once (one native call per value, not per token).
 */
function feed(out: string[], value: unknown, ancestors: Set<object>, depth: number): void {
  if (value === undefined) return void out.push("u;");
  if (value === null) return void out.push("n;");
  switch (typeof value) {
    case "string":
      return void out.push(`s${value.length}:`, value);
    case "number":
      return void out.push(`d${String(value)};`);
    case "bigint":
      return void out.push(`i${value.toString()};`);
    case "boolean":
      return void out.push(value ? "t;" : "f;");
    case "object":
      break;
    default:
      // Functions and symbols render as nothing in Liquid; they do not change the output.
      return void out.push("x;");
  }
  if (value instanceof Date) return void out.push(`D${value.getTime()};`);
  if (value instanceof Uint8Array) return void out.push(`B${hashBytes(value)};`);
  if (ancestors.has(value) || depth >= MAX_DEPTH) return void out.push("c;");
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push(`[${value.length}:`);
    for (const item of value) feed(out, item, ancestors, depth + 1);
    out.push("]");
  } else {
    const keys = Object.keys(value).sort();
    out.push(`{${keys.length}:`);
    for (const key of keys) {
      out.push(`k${key.length}:`, key);
      feed(out, (value as Record<string, unknown>)[key], ancestors, depth + 1);
    }
    out.push("}");
  }
  ancestors.delete(value);
}

/** A hex sha256 over the value's content, independent of key order. */
export function stableHash(value: unknown): string {
  const out: string[] = [];
  feed(out, value, new Set(), 0);
  // One-shot hashing: no Hash object per call (Node ≥ 20.12, below the package's engines floor).
  return hash("sha256", out.join(""), "hex");
}
