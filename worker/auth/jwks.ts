import { fromBase64Url } from "../crypto/hmac";

/** The token algorithms a JSON Web Key Set can serve; HS256 never takes its key from a JWKS. */
export type JwksAlgorithm = "RS256" | "ES256";

/** The keys that may have signed a token, or why none could be offered. */
export type JwksLookup =
  | { ok: true; keys: CryptoKey[] }
  | { ok: false; reason: "unknown_key" | "jwks_unavailable" };

/** What a lookup needs from its caller: a way to fetch and the current time. */
export interface JwksLookupOptions {
  fetcher: typeof fetch;
  nowMs: number;
}

interface VerificationKey {
  kid: string | null;
  alg: JwksAlgorithm;
  key: CryptoKey;
}

interface CachedSet {
  keys: VerificationKey[];
  fetchedAt: number;
  attemptedAt: number;
}

/** A download that lookups of the same URL join instead of starting their own. */
interface Flight {
  startedAt: number;
  result: Promise<CachedSet | null>;
}

const CACHE_TTL_MS = 10 * 60_000;
const REFETCH_INTERVAL_MS = 30_000;
const FETCH_TIMEOUT_MS = 5_000;
// How long a failed download is remembered, counted from when it started. Until then lookups
// answer jwks_unavailable at once, so an identity provider that is down costs at most one
// download (and one timeout's wait) per URL and isolate every ten seconds.
const FAILURE_TTL_MS = 10_000;
// An identity provider publishes a handful of keys; anything far larger is not a key set.
const MAX_BODY_CHARS = 64 * 1024;
const MAX_KEYS = 32;
// RSA below 2048 bits is factorable in practice, so such a key never counts as a signer.
const MIN_RSA_MODULUS_BYTES = 256;

// Public keys only, so sharing them across requests within an isolate leaks nothing.
const cache = new Map<string, CachedSet>();
const failedAt = new Map<string, number>();
const flights = new Map<string, Flight>();

/**
 * Finds the keys of the set at `url` that could have signed a token with this `alg` and `kid`
 * (every key of the right type when the token names no kid). The set is cached for ten
 * minutes; an unknown kid triggers a refetch, at most once every 30 seconds per URL, so key
 * rotation is picked up without letting forged kids hammer the identity provider. Concurrent
 * lookups share one download, and a failed download is remembered for ten seconds, during
 * which lookups answer `jwks_unavailable` without fetching.
 *
 * @example
 * const found = await findJwksKeys(config.jwksUrl, "RS256", "key-2024", { fetcher: fetch, nowMs: Date.now() });
 * if (!found.ok) return found.reason; // "unknown_key" | "jwks_unavailable"
 */
export async function findJwksKeys(
  url: string,
  alg: JwksAlgorithm,
  kid: string | null,
  options: JwksLookupOptions,
): Promise<JwksLookup> {
  let set: CachedSet | null = cache.get(url) ?? null;
  if (!set || options.nowMs - set.fetchedAt >= CACHE_TTL_MS) {
    set = await refresh(url, options);
    if (!set) return { ok: false, reason: "jwks_unavailable" };
  }
  let keys = select(set, alg, kid);
  if (keys.length === 0 && options.nowMs - set.attemptedAt >= REFETCH_INTERVAL_MS) {
    set.attemptedAt = options.nowMs;
    set = await refresh(url, options);
    if (!set) return { ok: false, reason: "jwks_unavailable" };
    keys = select(set, alg, kid);
  }
  return keys.length > 0 ? { ok: true, keys } : { ok: false, reason: "unknown_key" };
}

/**
 * Forgets every cached key set, so each test starts from an empty isolate-level cache.
 *
 * @example
 * beforeEach(() => clearJwksCache());
 */
export function clearJwksCache(): void {
  cache.clear();
  failedAt.clear();
  flights.clear();
}

function select(set: CachedSet, alg: JwksAlgorithm, kid: string | null): CryptoKey[] {
  return set.keys.filter((k) => k.alg === alg && (kid === null || k.kid === kid)).map((k) => k.key);
}

function refresh(url: string, options: JwksLookupOptions): Promise<CachedSet | null> {
  const failed = failedAt.get(url);
  if (failed !== undefined && options.nowMs - failed < FAILURE_TTL_MS) return Promise.resolve(null);
  const flight = flights.get(url);
  // A flight older than the fetch timeout was abandoned: its request was cancelled mid-download.
  if (flight && options.nowMs - flight.startedAt < FETCH_TIMEOUT_MS) return joinFlight(flight);
  return startFlight(url, options).result;
}

function startFlight(url: string, options: JwksLookupOptions): Flight {
  const flight: Flight = {
    startedAt: options.nowMs,
    result: download(url, options.fetcher).then((keys) => {
      if (flights.get(url) === flight) flights.delete(url);
      if (!keys) {
        failedAt.set(url, options.nowMs);
        return null;
      }
      failedAt.delete(url);
      const set = { keys, fetchedAt: options.nowMs, attemptedAt: options.nowMs };
      cache.set(url, set);
      return set;
    }),
  };
  flights.set(url, flight);
  return flight;
}

// The flight belongs to another request. If that request is cancelled (its client went away),
// workerd cancels the download too and the promise never settles, so a joiner waits no longer
// than the download itself could have taken.
async function joinFlight(flight: Flight): Promise<CachedSet | null> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), FETCH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([flight.result, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function download(url: string, fetcher: typeof fetch): Promise<VerificationKey[] | null> {
  try {
    // Called unbound: the platform fetch throws "Illegal invocation" when `this` is another object.
    const response = await fetcher(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const text = await response.text();
    if (text.length > MAX_BODY_CHARS) return null;
    const body: unknown = JSON.parse(text);
    if (!isRecord(body) || !Array.isArray(body.keys)) return null;
    const imported = await Promise.all(body.keys.slice(0, MAX_KEYS).map(importJwk));
    return imported.filter((key): key is VerificationKey => key !== null);
  } catch {
    // Network errors, the timeout and unparseable JSON all mean the same thing to a verifier.
    return null;
  }
}

async function importJwk(jwk: unknown): Promise<VerificationKey | null> {
  if (!isRecord(jwk)) return null;
  const alg = algorithmFor(jwk);
  if (!alg) return null;
  if (jwk.use !== undefined && jwk.use !== "sig") return null;
  if (jwk.alg !== undefined && jwk.alg !== alg) return null;
  const kid = typeof jwk.kid === "string" ? jwk.kid : null;
  try {
    // Rebuilt from the public members only, so a stray `d` or `key_ops` cannot change what is imported.
    const key =
      alg === "RS256"
        ? await crypto.subtle.importKey(
            "jwk",
            { kty: "RSA", n: String(jwk.n), e: String(jwk.e) },
            { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
            false,
            ["verify"],
          )
        : await crypto.subtle.importKey(
            "jwk",
            { kty: "EC", crv: "P-256", x: String(jwk.x), y: String(jwk.y) },
            { name: "ECDSA", namedCurve: "P-256" },
            false,
            ["verify"],
          );
    return { kid, alg, key };
  } catch {
    // One unusable entry must not take the identity provider's other keys down with it.
    return null;
  }
}

function algorithmFor(jwk: Record<string, unknown>): JwksAlgorithm | null {
  if (jwk.kty === "RSA" && typeof jwk.n === "string" && typeof jwk.e === "string") {
    const modulus = fromBase64Url(jwk.n);
    return modulus && modulus.length >= MIN_RSA_MODULUS_BYTES ? "RS256" : null;
  }
  if (jwk.kty === "EC" && jwk.crv === "P-256" && typeof jwk.x === "string" && typeof jwk.y === "string") {
    return "ES256";
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
