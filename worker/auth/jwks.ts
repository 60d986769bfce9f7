import { type CompactJWSHeaderParameters, createLocalJWKSet, errors, type FlattenedJWSInput, type JWK, type JWTVerifyGetKey } from "jose";
import { fromBase64Url } from "../crypto/hmac";

/** What a lookup needs from its caller: a way to fetch and the current time. */
export interface JwksLookupOptions {
  fetcher: typeof fetch;
  nowMs: number;
}

/** Thrown by {@link jwksKey} when the key set could not be downloaded (or is remembered as failed). */
export class JwksUnavailableError extends Error {
  constructor() {
    super("The JSON Web Key Set could not be fetched");
    this.name = "JwksUnavailableError";
  }
}

interface CachedSet {
  /** jose's key selection and import over the downloaded (and filtered) set. */
  select: JWTVerifyGetKey;
  fetchedAt: number;
  attemptedAt: number;
}

/** A download that lookups of the same URL join instead of starting their own. */
interface Flight {
  startedAt: number;
  result: Promise<CachedSet | null>;
}

// Why not jose's createRemoteJWKSet: on Cloudflare Workers it deliberately never shares a pending
// download between requests, it does not remember a failed download (every sign-in would retry a
// broken identity provider and wait out the timeout), and it reads the wall clock rather than the
// verifier's `nowSeconds`. Those are documented behaviours, so the download and cache stay ours;
// choosing and importing a key from the set is jose's createLocalJWKSet.
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
const MIN_RSA_MODULUS_BITS = 2048;

// Public keys only, so sharing them across requests within an isolate leaks nothing.
const cache = new Map<string, CachedSet>();
const failedAt = new Map<string, number>();
const flights = new Map<string, Flight>();

/**
 * The key of the set at `url` that the token's header asks for, as a jose key resolver would
 * return it: jose's createLocalJWKSet matches `kty`, `crv`, `alg`, `use` and `kid` (any key of the
 * right type when the token names no kid). The set is cached for ten minutes; an unknown kid
 * triggers a refetch, at most once every 30 seconds per URL, so key rotation is picked up without
 * letting forged kids hammer the identity provider. Concurrent lookups share one download, and a
 * failed download is remembered for ten seconds, during which lookups fail without fetching.
 *
 * Throws {@link JwksUnavailableError} when the set cannot be had, jose's `JWKSNoMatchingKey` when
 * no usable key matches, and jose's `JWKSMultipleMatchingKeys` (iterable over the candidates)
 * when a token without kid matches several.
 *
 * @example
 * const key = await jwksKey(config.jwksUrl, protectedHeader, token, { fetcher: fetch, nowMs: Date.now() });
 */
export async function jwksKey(
  url: string,
  header: CompactJWSHeaderParameters,
  token: FlattenedJWSInput,
  options: JwksLookupOptions,
): Promise<CryptoKey> {
  let set: CachedSet | null = cache.get(url) ?? null;
  if (!set || options.nowMs - set.fetchedAt >= CACHE_TTL_MS) set = await refreshed(url, options);
  try {
    return await select(set, header, token);
  } catch (error) {
    if (!(error instanceof errors.JWKSNoMatchingKey) || options.nowMs - set.attemptedAt < REFETCH_INTERVAL_MS) throw error;
  }
  set.attemptedAt = options.nowMs;
  return select(await refreshed(url, options), header, token);
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

async function select(set: CachedSet, header: CompactJWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
  try {
    return (await set.select(header, token)) as CryptoKey;
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
    // The one matching entry would not import: a key nobody can verify with never counts as a signer.
    throw new errors.JWKSNoMatchingKey();
  }
}

async function refreshed(url: string, options: JwksLookupOptions): Promise<CachedSet> {
  const set = await refresh(url, options);
  if (!set) throw new JwksUnavailableError();
  return set;
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
      const set = { select: keys, fetchedAt: options.nowMs, attemptedAt: options.nowMs };
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

async function download(url: string, fetcher: typeof fetch): Promise<JWTVerifyGetKey | null> {
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
    const keys = body.keys.slice(0, MAX_KEYS).map(publicSigningKey).filter((key): key is JWK => key !== null);
    return createLocalJWKSet({ keys });
  } catch {
    // Network errors, the timeout and unparseable JSON all mean the same thing to a verifier.
    return null;
  }
}

/**
 * Which entries of a downloaded set may sign: RSA of at least 2048 bits and EC P-256, rebuilt
 * from their public members and the members jose matches on (`kid`, `alg`, `use`), so a stray
 * `d`, `key_ops` or `ext` cannot change what is imported. Anything else is dropped here, so one
 * odd entry never takes the identity provider's other keys down with it.
 */
function publicSigningKey(jwk: unknown): JWK | null {
  if (!isRecord(jwk)) return null;
  // `alg` and `use` go to jose as published, whatever their type: it refuses any but this alg and "sig".
  const matching: Record<string, unknown> = typeof jwk.kid === "string" ? { kid: jwk.kid } : {};
  if (jwk.alg !== undefined) matching.alg = jwk.alg;
  if (jwk.use !== undefined) matching.use = jwk.use;
  if (jwk.kty === "RSA" && typeof jwk.n === "string" && typeof jwk.e === "string") {
    return modulusBits(jwk.n) >= MIN_RSA_MODULUS_BITS ? ({ kty: "RSA", n: jwk.n, e: jwk.e, ...matching } as JWK) : null;
  }
  if (jwk.kty === "EC" && jwk.crv === "P-256" && typeof jwk.x === "string" && typeof jwk.y === "string") {
    return { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ...matching } as JWK;
  }
  return null;
}

function modulusBits(n: string): number {
  const bytes = fromBase64Url(n);
  const first = bytes?.findIndex((byte) => byte !== 0) ?? -1;
  if (!bytes || first < 0) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first]!));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
