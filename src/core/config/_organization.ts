/** Validation of `organization`: a name, the internal domains, and free keys templates read as `org.*`. */
import { DEFAULTS } from "./defaults.js";
import type { ResolvedConfig } from "./types.js";
import { domainProblem, isDomainPattern } from "./_domain.js";
import { joinPath, type Issues } from "./_issues.js";
import { checkFreeKey, readObject, readString, readStringArray } from "./_schema.js";

/** Validates `organization`; domains come back lower-cased (domains compare case-insensitively, RFC 5321 §2.4). */
export function resolveOrganization(
  value: unknown,
  path: string,
  issues: Issues,
): ResolvedConfig["organization"] {
  const organization: ResolvedConfig["organization"] = { domains: [...DEFAULTS.organization.domains] };
  if (value === undefined) return organization;
  const object = readObject(value, path, issues);
  if (!object) return organization;
  for (const [key, item] of Object.entries(object)) {
    if (!checkFreeKey(key, path, issues)) continue;
    if (key === "name") {
      const name = readString(item, joinPath(path, key), issues);
      if (name !== undefined) organization.name = name;
    } else if (key === "domains") {
      const domains = readStringArray(item, joinPath(path, key), issues, (domain, itemPath) => {
        if (isDomainPattern(domain)) return true;
        issues.add(itemPath, domainProblem(domain));
        return false;
      });
      if (domains) organization.domains = [...new Set(domains.map((domain) => domain.toLowerCase()))];
    } else {
      organization[key] = item;
    }
  }
  return organization;
}
