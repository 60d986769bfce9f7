import { type JWTPayload, SignJWT } from "jose";

const encoder = new TextEncoder();

/**
 * Signs claims as a compact HS256 JWT (jose's SignJWT) that `verifyJwt` accepts under the same
 * secret. Only the local-dev session route mints tokens; in production the host app's identity
 * provider does.
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
  return new SignJWT(expiring(claims, "signHs256")).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(encoder.encode(secret));
}

/**
 * Signs claims as a compact ES256 JWT whose header names `kid`, verifiable against a JWKS that
 * publishes the matching public key under that kid. Like {@link signHs256}, it throws on a token
 * without a numeric `exp`; jose throws on a key that is not a P-256 ECDSA private key.
 *
 * @example
 * const { kid, privateKey } = await devSigningKey();
 * const token = await signEs256({ sub: "user_1", org_id: "org_1", exp: now + 900 }, privateKey, kid);
 */
export async function signEs256(claims: Record<string, unknown>, privateKey: CryptoKey, kid: string): Promise<string> {
  return new SignJWT(expiring(claims, "signEs256")).setProtectedHeader({ alg: "ES256", typ: "JWT", kid }).sign(privateKey);
}

function expiring(claims: Record<string, unknown>, signer: string): JWTPayload {
  if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) {
    throw new TypeError(`${signer} needs a numeric exp claim so the token expires`);
  }
  return claims;
}
