import { fromBase64Url } from "../crypto/hmac";
import { findJwksKeys, type JwksAlgorithm } from "./jwks";

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

interface ParsedJwt {
  alg: string;
  kid: string | null;
  claims: Record<string, unknown>;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

const MAX_TOKEN_LENGTH = 8 * 1024;
const DEFAULT_LEEWAY_SECONDS = 30;
const SIGNATURE_PARAMS = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
} as const satisfies Record<JwksAlgorithm, SubtleCryptoSignAlgorithm>;
const encoder = new TextEncoder();
// Fatal, so invalid UTF-8 is refused instead of silently becoming U+FFFD.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
const hmacKeys = new Map<string, CryptoKey>();

/**
 * Verifies a bearer token: HS256 against `hsSecret`, RS256/ES256 against the key set at
 * `jwksUrl`. Each algorithm only ever meets its own kind of key, which is what defeats
 * `alg: none` and algorithm confusion. Refusals are returned; only bugs throw.
 *
 * @example
 * const result = await verifyJwt(token, { hsSecret: config.jwtSecret, jwksUrl: config.jwksUrl,
 *   issuer: config.issuer, audience: config.audience, nowSeconds: Math.floor(Date.now() / 1000) });
 * if (!result.ok) return unauthorized(result.reason);
 */
export async function verifyJwt(token: string, options: JwtVerifyOptions): Promise<JwtResult> {
  const jwt = parseJwt(token);
  if (!jwt) return { ok: false, reason: "malformed" };
  const failure = (await signatureFailure(jwt, options)) ?? claimsFailure(jwt.claims, options);
  return failure ? { ok: false, reason: failure } : { ok: true, claims: jwt.claims };
}

function parseJwt(token: string): ParsedJwt | null {
  if (token.length > MAX_TOKEN_LENGTH) return null;
  const segments = token.split(".");
  if (segments.length !== 3) return null;
  const [headerPart = "", payloadPart = "", signaturePart = ""] = segments;
  const header = decodeJsonObject(headerPart);
  const claims = decodeJsonObject(payloadPart);
  const signature = fromBase64Url(signaturePart);
  if (!header || !claims || !signature) return null;
  if (typeof header.alg !== "string") return null;
  if (header.kid !== undefined && typeof header.kid !== "string") return null;
  // RFC 7515 requires refusing a token whose critical extensions we do not implement (we implement none).
  if (header.crit !== undefined) return null;
  return {
    alg: header.alg,
    kid: header.kid ?? null,
    claims,
    signingInput: encoder.encode(`${headerPart}.${payloadPart}`),
    signature,
  };
}

function decodeJsonObject(segment: string): Record<string, unknown> | null {
  const bytes = fromBase64Url(segment);
  if (!bytes) return null;
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

// Header members such as `jwk`, `jku` and `x5u` are deliberately ignored: a key named by the token
// itself proves nothing, so keys come only from the deployment's own configuration.
async function signatureFailure(jwt: ParsedJwt, options: JwtVerifyOptions): Promise<JwtFailure | null> {
  if (jwt.alg === "HS256" && options.hsSecret) {
    const valid = await safeVerify("HMAC", await hmacKey(options.hsSecret), jwt);
    return valid ? null : "bad_signature";
  }
  if ((jwt.alg === "RS256" || jwt.alg === "ES256") && options.jwksUrl) {
    const found = await findJwksKeys(options.jwksUrl, jwt.alg, jwt.kid, {
      fetcher: options.fetcher ?? fetch,
      nowMs: options.nowSeconds * 1000,
    });
    if (!found.ok) return found.reason;
    for (const key of found.keys) {
      if (await safeVerify(SIGNATURE_PARAMS[jwt.alg], key, jwt)) return null;
    }
    return "bad_signature";
  }
  return "unsupported_algorithm";
}

async function safeVerify(params: string | SubtleCryptoSignAlgorithm, key: CryptoKey, jwt: ParsedJwt): Promise<boolean> {
  try {
    return await crypto.subtle.verify(params, key, jwt.signature, jwt.signingInput);
  } catch {
    // A signature of the wrong length or encoding is a forged token, not a fault of ours.
    return false;
  }
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

function claimsFailure(claims: Record<string, unknown>, options: JwtVerifyOptions): JwtFailure | null {
  const now = options.nowSeconds;
  const leeway = options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS;
  if (!isNumericDate(claims.exp)) return "missing_exp";
  if (now >= claims.exp + leeway) return "expired";
  if (claims.nbf !== undefined) {
    if (!isNumericDate(claims.nbf)) return "malformed";
    if (now + leeway < claims.nbf) return "not_yet_valid";
  }
  if (options.issuer !== null && claims.iss !== options.issuer) return "wrong_issuer";
  if (options.audience !== null && !audienceIncludes(claims.aud, options.audience)) return "wrong_audience";
  return null;
}

function audienceIncludes(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}

function isNumericDate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
