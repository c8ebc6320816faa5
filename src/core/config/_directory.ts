/** Validation of `directory`: static users (free attribute keys) and the Graph settings, kept for the adapter. */
import { DEFAULTS } from "./defaults.js";
import type { ResolvedConfig } from "./types.js";
import { isAddress } from "./_domain.js";
import { joinPath, type Issues } from "./_issues.js";
import {
  checkFreeKey,
  checkKeys,
  readArray,
  readBoolean,
  readEnum,
  readInteger,
  readObject,
  readPositiveInteger,
  readString,
  readStringArray,
} from "./_schema.js";

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

// The keys of `directory.graph` and what each holds. The core checks each value here so `parseConfig` and
// `mailstamp check` report a typo or a wrong type with every other problem; which keys are needed together
// (a secret or a certificate) is checked by mailstamp/graph, which the core must not import.
const GRAPH_STRINGS = ["tenantId", "clientId", "clientSecret", "certificate", "certificateThumbprint"];
const GRAPH_URLS = ["graphUrl", "authorityUrl"];
const GRAPH_BOOLEANS = ["groups", "manager"];
const GRAPH_SECONDS = ["cacheTtlSeconds", "negativeCacheTtlSeconds", "staleTtlSeconds"];
const GRAPH_COUNTS = ["cacheMaxUsers", "requestTimeoutMs"];
const GRAPH_CLOUDS = ["global", "usgov", "usgov-dod", "china"] as const;
const GRAPH_PHOTO_SIZES = [
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
const GRAPH_KEYS = [
  ...GRAPH_STRINGS,
  ...GRAPH_URLS,
  ...GRAPH_BOOLEANS,
  ...GRAPH_SECONDS,
  ...GRAPH_COUNTS,
  "cloud",
  "photo",
  "select",
  "maxRetries",
];

/** True for https URLs, and for http only on the loopback host (tests, local proxies): a client secret or token must never cross a network in clear text. */
function isGraphEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/** Validates `directory.graph` value by value; undefined when any value is wrong. */
function resolveGraph(value: unknown, path: string, issues: Issues): Record<string, unknown> | undefined {
  const before = issues.list.length;
  const graph = readObject(value, path, issues);
  if (!graph) return undefined;
  checkKeys(graph, GRAPH_KEYS, path, issues);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(graph)) {
    const at = joinPath(path, key);
    if (GRAPH_STRINGS.includes(key) || GRAPH_URLS.includes(key)) {
      const text = readString(item, at, issues);
      if (text !== undefined && GRAPH_URLS.includes(key) && !isGraphEndpoint(text)) {
        issues.add(at, "expected an https:// URL (http:// only on 127.0.0.1, localhost or [::1])");
      }
      out[key] = text;
    } else if (GRAPH_BOOLEANS.includes(key)) {
      out[key] = readBoolean(item, at, issues);
    } else if (GRAPH_SECONDS.includes(key) || GRAPH_COUNTS.includes(key)) {
      out[key] = readPositiveInteger(item, at, issues);
    } else if (key === "maxRetries") {
      const count = readInteger(item, at, issues);
      if (count !== undefined && (count < 0 || count > 10))
        issues.add(at, "expected an integer from 0 to 10");
      out[key] = count;
    } else if (key === "cloud") {
      out[key] = readEnum(item, GRAPH_CLOUDS, at, issues);
    } else if (key === "photo") {
      if (typeof item === "boolean") out[key] = item;
      else if (typeof item === "string" && GRAPH_PHOTO_SIZES.includes(item)) out[key] = item;
      else issues.add(at, `expected true, false or one of ${GRAPH_PHOTO_SIZES.join(", ")}`);
    } else if (key === "select") {
      out[key] = readStringArray(item, at, issues, (name, namePath) => {
        // Property names go into a URL query; anything but an OData identifier is a mistake or an injection.
        if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) return true;
        issues.add(
          namePath,
          `expected a Graph property name such as employeeType, got ${JSON.stringify(name)}`,
        );
        return false;
      });
    }
  }
  return issues.list.length === before ? out : undefined;
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
    const graph = resolveGraph(object.graph, joinPath(path, "graph"), issues);
    if (graph) directory.graph = graph;
  }
  return directory;
}
