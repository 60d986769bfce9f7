// auth/: verifying and signing tokens with jose under our policy (algorithms per key type,
// leeway, required claims, no key named by the token), the identity provider's key set download
// and cache, claim mapping (dotted paths, permission lists), and local development's signing
// key. No HTTP and no storage. Floor: imports only crypto/, schemas/ and errors/.

import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from "jose";
import { JwksUnavailableError, jwksKey } from "./jwks";

/** Which keys and claims a token must satisfy, and the clock to judge it by. */
export interface JwtVerifyOptions {
  /** `AUTH_JWT_SECRET`: enables HS256. */
  hsSecret: string | null;
  /** `AUTH_JWKS_URL`: enables RS256 and ES256 (P-256). */
  jwksUrl: string | null;
  /** Checked against `iss` when set. */
  issuer: string | null;
  /** Checked against `aud` (a string or an array of strings) when set. */
  audience: string | null;
  nowSeconds: number;
  /** Clock skew tolerated on `exp` and `nbf`; 30 seconds unless given. */
  leewaySeconds?: number;
  /** Used to download the JWKS; `globalThis.fetch` unless given. */
  fetcher?: typeof fetch;
}

/** Why a token was refused. Each is an expected outcome, so it is returned rather than thrown. */
export type JwtFailure =
  | "malformed"
  | "unsupported_algorithm"
  | "unknown_key"
  | "bad_signature"
  | "missing_exp"
  | "expired"
  | "not_yet_valid"
  | "wrong_issuer"
  | "wrong_audience"
  | "jwks_unavailable";

/** A verified token's claims, or the reason it was refused. */
export type JwtResult = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: JwtFailure };

/** A refusal decided by our own policy inside jose's key resolver. */
class Refusal extends Error {
  constructor(readonly reason: JwtFailure) {
    super(reason);
    this.name = "Refusal";
  }
}

const MAX_TOKEN_LENGTH = 8 * 1024;
const DEFAULT_LEEWAY_SECONDS = 30;
const encoder = new TextEncoder();
const hmacKeys = new Map<string, Promise<CryptoKey>>();

/**
 * Verifies a bearer token with jose's `jwtVerify` under our policy: HS256 against `hsSecret`,
 * RS256/ES256 against the key set at `jwksUrl`, and nothing else. Each algorithm only ever meets
 * its own kind of key, which is what defeats `alg: none` and algorithm confusion. `exp` is
 * required, `nbf` honoured (both with the leeway), `iss`/`aud` checked when set, and a `crit`
 * header is refused (we implement no extension). Refusals are returned; only bugs throw.
 *
 * @example
 * const result = await verifyJwt(token, { hsSecret: config.jwtSecret, jwksUrl: config.jwksUrl,
 *   issuer: config.issuer, audience: config.audience, nowSeconds: Math.floor(Date.now() / 1000) });
 * if (!result.ok) return unauthorized(result.reason);
 */
export async function verifyJwt(token: string, options: JwtVerifyOptions): Promise<JwtResult> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "malformed" };
  const policy = verifyPolicy(options);
  try {
    return accepted((await jwtVerify(token, keyResolver(options), policy)).payload);
  } catch (error) {
    // A token without kid that several keys of its type could have signed: try each.
    if (error instanceof errors.JWKSMultipleMatchingKeys) return verifyWithEach(token, error, policy);
    return { ok: false, reason: failureOf(error) };
  }
}

function verifyPolicy(options: JwtVerifyOptions): JWTVerifyOptions {
  return {
    algorithms: [...(options.hsSecret ? ["HS256"] : []), ...(options.jwksUrl ? ["RS256", "ES256"] : [])],
    requiredClaims: ["exp"],
    issuer: options.issuer ?? undefined,
    audience: options.audience ?? undefined,
    clockTolerance: options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS,
    currentDate: new Date(options.nowSeconds * 1000),
  };
}

// Only `alg` and `kid` are read. Header members that name a key (`jwk`, `jku`, `x5u`, `x5c`) are
// never used: a key named by the token itself proves nothing, so keys come only from the
// deployment's own configuration.
function keyResolver(options: JwtVerifyOptions): JWTVerifyGetKey {
  return async (header, token) => {
    // RFC 7515 requires refusing a token whose critical extensions we do not implement (we implement none).
    if (header.crit !== undefined) throw new Refusal("malformed");
    if (header.kid !== undefined && typeof header.kid !== "string") throw new Refusal("malformed");
    if (header.alg === "HS256" && options.hsSecret) return hmacKey(options.hsSecret);
    if ((header.alg === "RS256" || header.alg === "ES256") && options.jwksUrl) {
      return jwksKey(options.jwksUrl, header, token, { fetcher: options.fetcher ?? fetch, nowMs: options.nowSeconds * 1000 });
    }
    // Unreachable while `algorithms` lists exactly these; kept so the pairing never rests on one check.
    throw new Refusal("unsupported_algorithm");
  };
}

async function verifyWithEach(token: string, candidates: errors.JWKSMultipleMatchingKeys, policy: JWTVerifyOptions): Promise<JwtResult> {
  let tried = 0;
  for await (const key of candidates) {
    tried += 1;
    try {
      return accepted((await jwtVerify(token, key, policy)).payload);
    } catch (error) {
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) return { ok: false, reason: failureOf(error) };
    }
  }
  return { ok: false, reason: tried === 0 ? "unknown_key" : "bad_signature" };
}

function accepted(claims: JWTPayload): JwtResult {
  // JSON's 1e400 parses as Infinity: a token that never expires is one without a usable exp.
  if (!Number.isFinite(claims.exp)) return { ok: false, reason: "missing_exp" };
  return { ok: true, claims };
}

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** Our names for jose's refusals. Anything else jose throws is a bug of ours and stays thrown. */
function failureOf(error: unknown): JwtFailure {
  if (error instanceof Refusal) return error.reason;
  if (error instanceof JwksUnavailableError) return "jwks_unavailable";
  if (error instanceof errors.JOSEAlgNotAllowed) return "unsupported_algorithm";
  if (error instanceof errors.JWKSNoMatchingKey) return "unknown_key";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) return claimFailure(error);
  // Not three base64url segments of JSON objects, a `crit` extension jose knows but we refuse to
  // rely on, or a payload that is not a JSON object.
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return "malformed";
  }
  throw error;
}

function claimFailure(error: errors.JWTClaimValidationFailed): JwtFailure {
  switch (error.claim) {
    case "exp":
      // Missing or not a number; a passed exp is JWTExpired.
      return "missing_exp";
    case "nbf":
      return error.reason === "check_failed" ? "not_yet_valid" : "malformed";
    case "iss":
      return "wrong_issuer";
    case "aud":
      return "wrong_audience";
    default:
      // `iat` that is not a number.
      return "malformed";
  }
}
