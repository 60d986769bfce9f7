import { toBase64Url } from "../crypto/hmac";
import type { PublicJwk } from "../crypto/jwk";

/** The local-dev ES256 key pair, its kid, and the public key set that publishes it. */
export interface DevSigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwks: { keys: DevPublicJwk[] };
}

/** The one public key of the dev key set, as an identity provider would publish it. */
export type DevPublicJwk = PublicJwk;

let pending: Promise<DevSigningKey> | null = null;

/**
 * The signing key of local development's JWKS mode: generated on first use and kept for the
 * life of the isolate, never written anywhere. `wrangler dev` starts a new isolate when the code
 * changes or it restarts, so tokens signed before that are refused (`unknown key`: each key gets a
 * fresh random kid) and the demo page simply signs in again. Only worker/dev.ts reaches this
 * module, so a production bundle holds no signer.
 *
 * @example
 * const { kid, privateKey, jwks } = await devSigningKey();
 */
export function devSigningKey(): Promise<DevSigningKey> {
  pending ??= generate().catch((error: unknown) => {
    pending = null;
    throw error;
  });
  return pending;
}

async function generate(): Promise<DevSigningKey> {
  // Not extractable: the private half never leaves the isolate (a public key always exports).
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  const exported = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const kid = `dev-${toBase64Url(crypto.getRandomValues(new Uint8Array(9)))}`;
  // Rebuilt from the public members only, so nothing else can reach the published set.
  const publicJwk: DevPublicJwk = { kty: "EC", crv: "P-256", x: String(exported.x), y: String(exported.y), kid, alg: "ES256", use: "sig" };
  return { kid, privateKey: pair.privateKey, jwks: { keys: [publicJwk] } };
}
