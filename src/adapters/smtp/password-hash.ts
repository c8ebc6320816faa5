/**
 * scrypt password hashes for relay AUTH, in the PHC string format
 * (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, base64 without padding), so the config never holds a password.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { MailstampError } from "../../index.js";

const KEY_LENGTH = 32;
// Bounds for parameters read from a config: a typo like ln=40 must not make every AUTH allocate terabytes.
const MAX_LN = 20;
const MAX_R = 32;
const MAX_P = 16;

/** Options for {@link hashPassword}. */
export interface HashPasswordOptions {
  /**
   * log2 of the scrypt cost N. 15 (N = 32768, 32 MiB, a few tens of milliseconds) suits a relay where every
   * client connection may authenticate.
   * @default 15
   */
  cost?: number;
}

interface ParsedHash {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function _derive(
  password: string,
  salt: Buffer,
  ln: number,
  r: number,
  p: number,
  length: number,
): Promise<Buffer> {
  const N = 2 ** ln;
  return new Promise((resolve, reject) => {
    // maxmem: scrypt needs 128·N·r bytes; Node's default cap (32 MiB) would refuse ln=15, r=8 at the edge.
    scrypt(password, salt, length, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Reads a PHC scrypt string; undefined when it is not one mailstamp can verify. */
export function _parseHash(value: string): ParsedHash | undefined {
  const match =
    /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/.exec(
      value.trim(),
    );
  if (!match) return undefined;
  const ln = Number(match[1]);
  const r = Number(match[2]);
  const p = Number(match[3]);
  if (ln < 10 || ln > MAX_LN || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return undefined;
  return {
    ln,
    r,
    p,
    salt: Buffer.from(match[4] ?? "", "base64"),
    hash: Buffer.from(match[5] ?? "", "base64"),
  };
}

/**
 * Hashes a password for the relay's `allow.users` (scrypt, random 16-byte salt).
 *
 * @example
 * // node -e 'import("mailstamp/smtp").then(async (m) => console.log(await m.hashPassword(process.argv[1])))' 'S3cret!'
 * await hashPassword("S3cret!") // "$scrypt$ln=15,r=8,p=1$…$…"
 * @throws MailstampError (`OPTIONS_INVALID`) for an empty password or a cost outside 10–20.
 */
export async function hashPassword(password: string, options: HashPasswordOptions = {}): Promise<string> {
  const ln = options.cost ?? 15;
  if (typeof password !== "string" || password.length === 0) {
    throw new MailstampError("OPTIONS_INVALID", "hashPassword: the password must be a non-empty string");
  }
  if (!Number.isInteger(ln) || ln < 10 || ln > MAX_LN) {
    throw new MailstampError("OPTIONS_INVALID", `hashPassword: cost must be an integer from 10 to ${MAX_LN}`);
  }
  const salt = randomBytes(16);
  const hash = await _derive(password, salt, ln, 8, 1, KEY_LENGTH);
  const b64 = (b: Buffer): string => b.toString("base64").replace(/=+$/, "");
  return `$scrypt$ln=${ln},r=8,p=1$${b64(salt)}$${b64(hash)}`;
}

/**
 * True when `password` matches the PHC scrypt `hash` (constant-time comparison). An unparseable hash never
 * matches.
 *
 * @example
 * await verifyPassword("S3cret!", "$scrypt$ln=15,r=8,p=1$…$…") // true
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = _parseHash(hash);
  if (!parsed) return false;
  const derived = await _derive(password, parsed.salt, parsed.ln, parsed.r, parsed.p, parsed.hash.length);
  return derived.length === parsed.hash.length && timingSafeEqual(derived, parsed.hash);
}
