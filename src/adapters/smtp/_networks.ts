/** The `allow.networks` list: IPv4 and IPv6 CIDR blocks matched with node:net's BlockList. */
import { BlockList, isIP } from "node:net";

/** A compiled allow list; `allows()` answers for one client address. */
export interface NetworkList {
  allows(address: string): boolean;
  /** The blocks as written, for logs and errors. */
  readonly entries: readonly string[];
}

/**
 * Parses one entry (`10.0.0.0/8`, `2001:db8::/32`, or a single address) and returns why it is invalid, or
 * undefined when it is fine.
 */
export function _checkNetwork(entry: string): string | undefined {
  const [address = "", prefix, extra] = entry.trim().split("/");
  if (extra !== undefined) return `"${entry}" is not a network (expected ADDRESS/PREFIX)`;
  const family = isIP(address);
  if (family === 0) return `"${entry}" is not an IPv4 or IPv6 network`;
  if (prefix === undefined) return undefined;
  if (!/^\d{1,3}$/.test(prefix)) return `"${entry}": the prefix length must be a number`;
  const max = family === 4 ? 32 : 128;
  if (Number(prefix) > max) return `"${entry}": the prefix length must be at most ${max}`;
  return undefined;
}

/**
 * Compiles checked entries into a list. IPv4-mapped IPv6 client addresses (`::ffff:10.1.2.3`, what a
 * dual-stack socket reports for IPv4 clients) match IPv4 blocks, so `127.0.0.0/8` works on `::` listeners.
 */
export function _compileNetworks(entries: readonly string[]): NetworkList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.trim().split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    const bits = prefix === undefined ? (family === "ipv6" ? 128 : 32) : Number(prefix);
    list.addSubnet(address, bits, family);
  }
  return {
    entries: [...entries],
    allows(address: string): boolean {
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 6 ? "ipv6" : "ipv4");
    },
  };
}
