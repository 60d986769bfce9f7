import type { Handler } from "hono";
import { SignJWT } from "jose";
import type { AppEnv } from "../app-env";
import { type Config, ConfigError, type SigningJwk } from "../config";
import { Failure } from "../errors/failure";
import { randomBase62 } from "../crypto/base62";
import type { KeyIdentity } from "../authority/key-authority";
import type { PublicJwk } from "../crypto/jwk";
import { type KeyMeta, metaOf } from "../keys/key-meta";

/** The request header that carries the signed identity to the upstream. */
export const ASSERTION_HEADER = "X-Api-Assertion";
/** The assertion's `typ` (RFC 8725 §3.11: explicit typing, so no other JWT passes for one). */
export const ASSERTION_TYPE = "api-key-assertion+jwt";
/** How long an assertion is valid: replaying a captured one works for at most this long. */
export const ASSERTION_LIFETIME_SECONDS = 60;
/** How long verifiers may cache `/.well-known/jwks.json`. */
export const JWKS_MAX_AGE_SECONDS = 300;


/** What an assertion states: the key's identity, for whom, and for which request. */
export interface AssertionClaims {
  iss: string;
  aud: string;
  /** The user the key acts for (its creator). */
  sub: string;
  org: string;
  key_id: string;
  /** Effective permissions: the creator's current permissions ∩ the key's scopes. */
  permissions: string[];
  /** The key's description, when it has one. Set by its owner: never a secret, never an authority. */
  key_description?: string;
  /** The key's meta object, when it has one (at most 4 KiB). Set by its owner, like `key_description`. */
  key_meta?: KeyMeta;
  /** The forwarded request's method and URL without its query (as DPoP's `htm`/`htu`). */
  htm: string;
  htu: string;
  iat: number;
  exp: number;
  jti: string;
}

const encoder = new TextEncoder();
const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const signingKeys = new WeakMap<readonly SigningJwk[], Promise<CryptoKey>>();

/**
 * Signs the identity of a verified key for the upstream: a compact ES256 JWT (jose's SignJWT) with
 * the first `UPSTREAM_SIGNING_KEYS` entry's `kid`, valid for {@link ASSERTION_LIFETIME_SECONDS}, bound to
 * the upstream (`aud`: `UPSTREAM_AUDIENCE`, else the origin of `url`) and to this request (`htm`,
 * `htu`), with a unique `jti`, and the key's `key_description` and `key_meta` when it has them
 * (what its owner wrote: data about the key, never a grant). The upstream
 * verifies it with the keys published at `/.well-known/jwks.json`.
 *
 * @example
 * const assertion = await signAssertion(c.var.apiKey, { config, issuer: new URL(c.req.url).origin, method: "GET", url: target });
 * headers.set(ASSERTION_HEADER, assertion);
 */
export async function signAssertion(
  identity: KeyIdentity,
  options: { config: Config; issuer: string; method: string; url: URL; now?: number },
): Promise<string> {
  const { config } = options;
  const signer = config.upstreamSigningKeys[0];
  if (!signer) throw new ConfigError("UPSTREAM_URL needs UPSTREAM_SIGNING_KEYS");
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: AssertionClaims = {
    iss: config.upstreamAssertionIssuer ?? options.issuer,
    aud: config.upstreamAudience ?? options.url.origin,
    sub: identity.userId,
    org: identity.orgId,
    key_id: identity.keyId,
    permissions: identity.permissions,
    ...(identity.description === null ? {} : { key_description: identity.description }),
    ...(identity.meta === null ? {} : { key_meta: metaOf(identity.meta)! }),
    htm: options.method,
    htu: `${options.url.origin}${options.url.pathname}`,
    iat,
    exp: iat + ASSERTION_LIFETIME_SECONDS,
    jti: randomBase62(22),
  };
  const key = await privateKey(config.upstreamSigningKeys);
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: "ES256", typ: ASSERTION_TYPE, kid: signer.kid }).sign(key);
}

/**
 * The public halves of the signing keys, in their configured order (newest first).
 *
 * @example
 * publicJwks(config.upstreamSigningKeys); // { keys: [{ kty: "EC", crv: "P-256", x, y, kid, alg: "ES256", use: "sig" }] }
 */
export function publicJwks(keys: readonly SigningJwk[]): { keys: PublicJwk[] } {
  return { keys: keys.map(({ kty, crv, x, y, kid }) => ({ kty, crv, x, y, kid, alg: "ES256", use: "sig" })) };
}

/**
 * `GET /.well-known/jwks.json`: the keys an upstream verifies `X-Api-Assertion` with, cacheable
 * for {@link JWKS_MAX_AGE_SECONDS}. 404 when no signing key is configured.
 *
 * @example
 * app.get("/.well-known/jwks.json", upstreamJwks());
 */
export function upstreamJwks(): Handler<AppEnv> {
  return function upstreamJwksHandler(c) {
    const keys = c.var.config.upstreamSigningKeys;
    if (keys.length === 0) throw new Failure("not_found", "No such route.");
    return c.json(publicJwks(keys), 200, { "Cache-Control": `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
  };
}

/**
 * The first key, imported once per configuration. Importing also proves that its `d` belongs to
 * its published `x`/`y` (a signature under `d` must verify under them); a key that fails is a
 * configuration error, never a stream of assertions nobody can verify.
 */
function privateKey(keys: readonly SigningJwk[]): Promise<CryptoKey> {
  let key = signingKeys.get(keys);
  if (!key) {
    key = importChecked(keys[0]!);
    signingKeys.set(keys, key);
    key.catch(() => signingKeys.delete(keys));
  }
  return key;
}

async function importChecked(jwk: SigningJwk): Promise<CryptoKey> {
  const problem = `UPSTREAM_SIGNING_KEYS key "${jwk.kid}" is not a usable P-256 key pair`;
  try {
    const { kty, crv, x, y, d } = jwk;
    const privateKey = await crypto.subtle.importKey("jwk", { kty, crv, x, y, d }, ECDSA_P256, false, ["sign"]);
    const publicKey = await crypto.subtle.importKey("jwk", { kty, crv, x, y }, ECDSA_P256, false, ["verify"]);
    const probe = encoder.encode("api-keys-edge signing key check");
    const params = { name: "ECDSA", hash: "SHA-256" };
    const signature = await crypto.subtle.sign(params, privateKey, probe);
    if (!(await crypto.subtle.verify(params, publicKey, signature, probe))) throw new Error("mismatch");
    return privateKey;
  } catch {
    console.error(`configuration: ${problem}`);
    throw new ConfigError(problem);
  }
}
