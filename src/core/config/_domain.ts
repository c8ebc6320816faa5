/** Domain and address syntax checks shared by organization.domains, conditions and the static directory. */
import { domainToASCII } from "node:url";

// RFC 1035 §2.3.1 labels (letters, digits, inner hyphens, at most 63 octets), after IDNA conversion so
// internationalised domains (bücher.example) are accepted in the form admins write them.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** True for a host name such as `example.com` (internationalised names allowed). */
export function isDomain(value: string): boolean {
  if (value === "" || value.endsWith(".") || /[\s@/]/.test(value)) return false;
  const ascii = domainToASCII(value);
  if (ascii === "" || ascii.length > 253) return false;
  return ascii.split(".").every((label) => LABEL.test(label));
}

/** True for `example.com` or `*.example.com` (the latter also matches subdomains). */
export function isDomainPattern(value: string): boolean {
  return isDomain(value.startsWith("*.") ? value.slice(2) : value);
}

/** Why a domain pattern is wrong, phrased for the admin who wrote it. */
export function domainProblem(value: string): string {
  if (value.startsWith("@")) return `expected a domain without "@" (${value.slice(1)})`;
  if (value.includes("@")) return `expected a domain, not an address (${JSON.stringify(value)})`;
  return `expected a domain such as example.com or *.example.com, got ${JSON.stringify(value)}`;
}

/**
 * True for an address `local@domain`. Deliberately loose on the local part (RFC 5322 allows quoted strings
 * and most punctuation) and strict on what breaks matching: one `@`, no spaces or angle brackets, a real domain.
 */
export function isAddress(value: string): boolean {
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) return false;
  const local = value.slice(0, at);
  if (/[\s<>]/.test(local)) return false;
  return isDomain(value.slice(at + 1));
}
