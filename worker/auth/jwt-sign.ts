import { toBase64Url } from "../crypto/hmac";

const encoder = new TextEncoder();
const HEADER = { alg: "HS256", typ: "JWT" } as const;

/**
 * Signs claims as a compact HS256 JWT that `verifyJwt` accepts under the same secret. Only the
 * local-dev session route mints tokens; in production the host app's identity provider does.
 *
 * A token without a numeric `exp` would be valid forever, and an empty secret would make the
 * signature forgeable by anyone, so both are programming errors and throw.
 *
 * @example
 * const now = Math.floor(Date.now() / 1000);
 * const token = await signHs256({ sub: "user_1", org_id: "org_1", exp: now + 900 }, config.jwtSecret);
 */
export async function signHs256(claims: Record<string, unknown>, secret: string): Promise<string> {
  if (!secret) throw new TypeError("signHs256 needs a non-empty secret");
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) {
    throw new TypeError("signHs256 needs a numeric exp claim so the token expires");
  }
  const signingInput = `${encodeJsonSegment(HEADER)}.${encodeJsonSegment(claims)}`;
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = await crypto.subtle.sign("HMAC", key, encoder.encode(signingInput));
  return `${signingInput}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * Signs claims as a compact ES256 JWT whose header names `kid`, verifiable against a JWKS that
 * publishes the matching public key under that kid. Like {@link signHs256}, it throws on a token
 * without a numeric `exp` and on a key that is not a P-256 ECDSA private key.
 *
 * @example
 * const { kid, privateKey } = await devSigningKey();
 * const token = await signEs256({ sub: "user_1", org_id: "org_1", exp: now + 900 }, privateKey, kid);
 */
export async function signEs256(claims: Record<string, unknown>, privateKey: CryptoKey, kid: string): Promise<string> {
  const algorithm = privateKey.algorithm as { name: string; namedCurve?: string };
  if (privateKey.type !== "private" || algorithm.name !== "ECDSA" || algorithm.namedCurve !== "P-256") {
    throw new TypeError("signEs256 needs a P-256 ECDSA private key");
  }
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) {
    throw new TypeError("signEs256 needs a numeric exp claim so the token expires");
  }
  const signingInput = `${encodeJsonSegment({ alg: "ES256", typ: "JWT", kid })}.${encodeJsonSegment(claims)}`;
  // WebCrypto's ECDSA signature is r || s (IEEE P1363), exactly the encoding JWS asks for.
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, encoder.encode(signingInput));
  return `${signingInput}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * Encodes a value as one base64url JWT segment (UTF-8 JSON, no padding).
 *
 * @example
 * encodeJsonSegment({ alg: "HS256" }); // "eyJhbGciOiJIUzI1NiJ9"
 */
export function encodeJsonSegment(value: unknown): string {
  return toBase64Url(encoder.encode(JSON.stringify(value)));
}
