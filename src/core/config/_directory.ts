/** Validation of `directory`: static users (free attribute keys) and the Graph settings, kept for the adapter. */
import { DEFAULTS } from "./defaults.js";
import type { ResolvedConfig } from "./types.js";
import { isAddress } from "./_domain.js";
import { joinPath, type Issues } from "./_issues.js";
import { checkFreeKey, checkKeys, readArray, readObject, readString, readStringArray } from "./_schema.js";

type ResolvedUser = ResolvedConfig["directory"]["users"][number];

function isAttributeValue(value: unknown): boolean {
  if (typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function resolveUser(
  value: unknown,
  path: string,
  issues: Issues,
  owners: Map<string, string>,
): ResolvedUser | undefined {
  const before = issues.list.length;
  const object = readObject(value, path, issues);
  if (!object) return undefined;
  // `mail` is filled in below; a user without a valid one is reported and never returned.
  const user: ResolvedUser = {
    mail: "",
    groups: [...DEFAULTS.directoryUser.groups],
    aliases: [...DEFAULTS.directoryUser.aliases],
  };
  const claim = (address: string, at: string): void => {
    // One address must lead to one person, or the signature would depend on the order of the list.
    const key = address.toLowerCase();
    const owner = owners.get(key);
    if (owner !== undefined) issues.add(at, `address ${address} is already used by ${owner}`);
    else owners.set(key, at);
  };
  const checkAddress = (address: string, at: string): boolean => {
    if (isAddress(address)) return true;
    issues.add(at, `expected an address such as alice@example.com, got ${JSON.stringify(address)}`);
    return false;
  };
  if (object.mail === undefined) issues.add(joinPath(path, "mail"), "required");
  for (const [key, item] of Object.entries(object)) {
    const at = joinPath(path, key);
    if (!checkFreeKey(key, path, issues)) continue;
    if (key === "mail") {
      const mail = readString(item, at, issues, { nonEmpty: true });
      if (mail !== undefined && checkAddress(mail, at)) {
        claim(mail, at);
        user.mail = mail;
      }
    } else if (key === "aliases") {
      const aliases = readStringArray(item, at, issues, checkAddress);
      if (aliases) {
        aliases.forEach((alias, i) => claim(alias, joinPath(at, i)));
        user.aliases = aliases;
      }
    } else if (key === "groups") {
      const groups = readStringArray(item, at, issues, (group, groupPath) => {
        if (group.trim() !== "") return true;
        issues.add(groupPath, "expected a non-empty string");
        return false;
      });
      if (groups) user.groups = groups;
    } else if (key === "photo") {
      issues.add(at, "photos are not supported in the static directory; use a template image instead");
    } else if (isAttributeValue(item)) {
      user[key] = item;
    } else {
      issues.add(at, "expected string, number, boolean or string[]");
    }
  }
  return issues.list.length === before ? user : undefined;
}

/** Validates `directory`; every static user comes back with `aliases` and `groups` lists. */
export function resolveDirectory(value: unknown, path: string, issues: Issues): ResolvedConfig["directory"] {
  const directory: ResolvedConfig["directory"] = { users: [] };
  if (value === undefined) return directory;
  const object = readObject(value, path, issues);
  if (!object) return directory;
  checkKeys(object, ["users", "graph"], path, issues);
  if (object.users !== undefined) {
    const usersPath = joinPath(path, "users");
    const owners = new Map<string, string>();
    (readArray(object.users, usersPath, issues) ?? []).forEach((item, i) => {
      const user = resolveUser(item, joinPath(usersPath, i), issues, owners);
      if (user) directory.users.push(user);
    });
  }
  if (object.graph !== undefined) {
    // Validated in full by mailstamp/graph; here only its shape, so secrets from ${env:…} arrive as strings.
    const graphPath = joinPath(path, "graph");
    const graph = readObject(object.graph, graphPath, issues);
    if (graph) {
      let ok = true;
      for (const [key, item] of Object.entries(graph)) {
        if (!checkFreeKey(key, graphPath, issues)) ok = false;
        else if (typeof item !== "string") {
          issues.add(joinPath(graphPath, key), "expected string");
          ok = false;
        }
      }
      if (ok) directory.graph = graph;
    }
  }
  return directory;
}
