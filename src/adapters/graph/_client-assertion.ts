/**
 * The signed JWT a certificate credential sends instead of a secret (Entra ID "certificate credentials",
 * RFC 7523 §2.2): RS256 over a header naming the certificate by its SHA-1 thumbprint (`x5t`), the form every
 * Entra ID tenant accepts.
 */
import { createHash, createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from "node:crypto";

/** A certificate credential: the private key, and the certificate or its thumbprint so Entra ID finds the key. */
export interface ClientCertificate {
  /** The private key: PEM text (PKCS#8 or PKCS#1) or a KeyObject. */
  privateKey: string | KeyObject;
  /** The certificate as PEM (the same text as the key is fine when it holds both); gives the thumbprint. */
  certificate?: string;
  /** The SHA-1 thumbprint as the portal shows it (40 hex digits); needed when `certificate` is absent. */
  thumbprint?: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString("base64url");
}

/** The `x5t` value: base64url of the certificate's SHA-1 digest (RFC 7515 §4.1.7). */
export function certificateX5t(certificate: ClientCertificate): string {
  if (certificate.thumbprint !== undefined) {
    return base64url(Buffer.from(certificate.thumbprint.replace(/[\s:]/g, ""), "hex"));
  }
  const pem = certificate.certificate?.match(CERTIFICATE_BLOCK)?.[0];
  if (!pem) throw new TypeError("no CERTIFICATE block in certificate");
  return base64url(createHash("sha1").update(new X509Certificate(pem).raw).digest());
}

/** Reads the private key once; throws a TypeError naming what is wrong (the caller words the error). */
export function readPrivateKey(key: string | KeyObject): KeyObject {
  const object = typeof key === "string" ? createPrivateKey(key) : key;
  if (object.type !== "private" || object.asymmetricKeyType !== "rsa") {
    throw new TypeError("expected an RSA private key");
  }
  return object;
}

/** Builds a fresh assertion for one token request; valid for ten minutes, single use by its `jti`. */
export function createClientAssertion(
  key: KeyObject,
  x5t: string,
  clientId: string,
  tokenUrl: string,
  nowMs: number,
): string {
  const now = Math.floor(nowMs / 1000);
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT", x5t }));
  const payload = base64url(
    JSON.stringify({
      aud: tokenUrl,
      iss: clientId,
      sub: clientId,
      jti: randomUUID(),
      nbf: now,
      iat: now,
      exp: now + 600,
    }),
  );
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}
