/** From Graph's user JSON to mailstamp's flat DirectoryUser (graph-api.md §2). */
import type { DirectoryUser } from "../../index.js";

/**
 * Every property templates use. Most are returned only when named in `$select`, and `$select` returns only
 * what it names, so `id` is always included.
 */
export const USER_SELECT: readonly string[] = [
  "id",
  "userPrincipalName",
  "mail",
  "displayName",
  "givenName",
  "surname",
  "jobTitle",
  "department",
  "companyName",
  "employeeId",
  "mobilePhone",
  "businessPhones",
  "faxNumber",
  "officeLocation",
  "streetAddress",
  "city",
  "state",
  "postalCode",
  "country",
  "preferredLanguage",
  "mailNickname",
  "proxyAddresses",
  "onPremisesExtensionAttributes",
];

/** The manager's properties a template may show ("on behalf of", assistant lines). */
export const MANAGER_SELECT: readonly string[] = [
  "id",
  "displayName",
  "givenName",
  "surname",
  "jobTitle",
  "department",
  "mail",
  "mobilePhone",
  "businessPhones",
];

/** Graph's raw user object. */
export type GraphUser = Record<string, unknown>;

/** Graph sends `null` for unset properties; a template's `{% line %}` should see them as absent, not "null". */
function copyScalars(source: GraphUser, skip: ReadonlySet<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (skip.has(key) || key.startsWith("@") || key.includes("@odata")) continue;
    if (typeof value === "string" && value !== "") out[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[key] = value;
    else if (Array.isArray(value)) out[key] = value.filter((item) => typeof item === "string" && item !== "");
  }
  return out;
}

const SPECIAL = new Set(["onPremisesExtensionAttributes", "proxyAddresses", "manager"]);

/** The SMTP addresses in `proxyAddresses` (`SMTP:` primary, `smtp:` secondary; X500: and SIP: ignored). */
export function proxySmtpAddresses(user: GraphUser): string[] {
  const list = Array.isArray(user.proxyAddresses) ? user.proxyAddresses : [];
  return list
    .filter((item): item is string => typeof item === "string" && /^smtp:/i.test(item))
    .map((item) => item.slice(5));
}

/** Every address the user can be looked up by: mail, UPN and each SMTP proxy address, lower-cased. */
export function addressesOf(user: GraphUser): string[] {
  const all = [user.mail, user.userPrincipalName, ...proxySmtpAddresses(user)];
  return [
    ...new Set(
      all.filter((a): a is string => typeof a === "string" && a.includes("@")).map((a) => a.toLowerCase()),
    ),
  ];
}

/** What a lookup adds to the user record besides Graph's own properties. */
export interface UserExtras {
  groups: string[];
  manager?: GraphUser | undefined;
  photo?: { data: Uint8Array; contentType: string } | undefined;
}

/**
 * Maps a Graph user to a {@link DirectoryUser}: nulls dropped, `businessPhones` kept as a list,
 * `aliases` = the secondary SMTP addresses, extension attributes both as `onPremisesExtensionAttributes.*`
 * (Graph's name) and flat `extensionAttribute1…15` (so rules' `sender.attributes` can test them).
 */
export function mapUser(user: GraphUser, extras: UserExtras): DirectoryUser {
  const record: DirectoryUser = { ...copyScalars(user, SPECIAL), groups: extras.groups };
  const mail = typeof user.mail === "string" ? user.mail.toLowerCase() : undefined;
  const aliases = proxySmtpAddresses(user).filter((a) => a.toLowerCase() !== mail);
  if (aliases.length > 0) record.aliases = aliases;
  const extension = user.onPremisesExtensionAttributes;
  if (typeof extension === "object" && extension !== null) {
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries(extension)) {
      if (typeof value === "string" && value !== "") attributes[key] = value;
    }
    record.onPremisesExtensionAttributes = attributes;
    for (const [key, value] of Object.entries(attributes)) if (!(key in record)) record[key] = value;
  }
  if (extras.manager) record.manager = copyScalars(extras.manager, SPECIAL);
  if (extras.photo) record.photo = extras.photo;
  return record;
}

/** Group display names from a `transitiveMemberOf` page: groups only (not roles or administrative units). */
export function groupNames(items: unknown): string[] {
  if (!Array.isArray(items)) return [];
  const names: string[] = [];
  for (const item of items as GraphUser[]) {
    const type = item["@odata.type"];
    if (type !== undefined && type !== "#microsoft.graph.group") continue;
    if (typeof item.displayName === "string" && item.displayName !== "") names.push(item.displayName);
  }
  return names;
}
