/** Fresh multipart boundaries for parts mailstamp builds (a related wrapper, the protected-message wrapper). */
import { createHash } from "node:crypto";

/**
 * A boundary that occurs in none of `haystacks` and is neither a prefix of nor prefixed by any of `taken`.
 *
 * RFC 2046 §5.1.1: a boundary must not appear inside the parts it encloses; some parsers also match delimiter
 * lines by prefix, so a boundary that starts with an enclosing one (or the other way round) is avoided too.
 * The value is derived from `seed` (deterministic output, reviewable golden files); "=_" cannot start a
 * quoted-printable line's literal text, and the characters are all RFC 2046 `bchars`.
 */
export function _freshBoundary(
  seed: Uint8Array | string,
  haystacks: readonly Uint8Array[],
  taken: readonly string[] = [],
): string {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const hash = createHash("sha256").update(seed).update(String(attempt)).digest("hex").slice(0, 24);
    // An enclosing boundary that is a prefix of "=_mailstamp_" would block every candidate: vary the lead.
    const lead = attempt < 8 ? "=_mailstamp_" : `${LEADS[attempt % LEADS.length] as string}_mailstamp_`;
    const candidate = lead + hash;
    if (taken.some((t) => t.startsWith(candidate) || candidate.startsWith(t))) continue;
    const bytes = Buffer.from(candidate, "latin1");
    if (haystacks.some((h) => Buffer.from(h.buffer, h.byteOffset, h.length).includes(bytes))) continue;
    return candidate;
  }
  // Unreachable for any real message; the injector turns this into an "unparseable" outcome.
  throw new Error("no free multipart boundary found");
}

const LEADS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
