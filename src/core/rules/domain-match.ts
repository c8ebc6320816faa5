/** Domain tests shared by rules (`sender.domain`, `recipients.domains`) and by "is this recipient internal?". */

/**
 * Tells whether a domain matches a pattern, case-insensitively; `*.example.org` matches any subdomain of
 * example.org **and example.org itself** (an admin listing "*.example.org" as internal means the whole
 * organisation, apex included), while a plain `example.org` matches only itself.
 *
 * @example
 * matchesDomain("mail.Example.org", "*.example.org") // true
 * matchesDomain("example.org", "*.example.org")      // true
 * matchesDomain("badexample.org", "*.example.org")   // false
 * matchesDomain("a.example.org", "example.org")      // false
 */
export function matchesDomain(domain: string, pattern: string): boolean {
  const d = normalise(domain);
  const p = normalise(pattern);
  if (d === "" || p === "") return false;
  if (p.startsWith("*.")) {
    const base = p.slice(2);
    // The dot in ".example.org" keeps "badexample.org" from passing as a subdomain.
    return base !== "" && (d === base || d.endsWith(`.${base}`));
  }
  return d === p;
}

/**
 * Tells whether a domain belongs to the organisation (any of `organization.domains`, `*.` patterns allowed).
 *
 * @example
 * isInternalDomain("sales.example.org", ["example.com", "*.example.org"]) // true
 */
export function isInternalDomain(domain: string, orgDomains: readonly string[]): boolean {
  return orgDomains.some((pattern) => matchesDomain(domain, pattern));
}

/**
 * Returns the lower-cased domain of an address (the part after the last `@`), or `""` when there is none.
 *
 * @example
 * domainOf("Alice@Example.COM") // "example.com"
 * domainOf("postmaster")        // ""
 */
export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? "" : normalise(address.slice(at + 1));
}

// A trailing dot is the DNS root ("example.com." is example.com); mail software sometimes leaves it on.
function normalise(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, "");
}
