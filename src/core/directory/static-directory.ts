import type { Directory, DirectoryUser } from "./types.js";

/** A user as the static directory takes it: the record plus alternative addresses. */
export type StaticDirectoryUser = DirectoryUser & { mail: string; aliases?: readonly string[] };

/**
 * Creates a {@link Directory} over a fixed list of users, matching the primary address and every alias
 * case-insensitively (RFC 5321 lets the local part be case-sensitive, but no mail system in use relies on it
 * and admins type addresses in any case).
 *
 * @example
 * const directory = createStaticDirectory([{ mail: "alice@example.com", aliases: ["a@example.com"], groups: [] }]);
 * await directory.lookup("A@Example.com"); // → Alice's record
 * @throws never; a later user with the same address replaces nothing — the first one wins.
 */
export function createStaticDirectory(users: readonly StaticDirectoryUser[]): Directory {
  const byAddress = new Map<string, DirectoryUser>();
  for (const user of users) {
    const { aliases, ...record } = user;
    const frozen: DirectoryUser = Object.freeze({ ...record, groups: [...(record.groups ?? [])] });
    for (const address of [user.mail, ...(aliases ?? [])]) {
      const key = address.trim().toLowerCase();
      if (key && !byAddress.has(key)) byAddress.set(key, frozen);
    }
  }
  return {
    lookup: (address) => Promise.resolve(byAddress.get(address.trim().toLowerCase())),
  };
}
