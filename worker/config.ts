import { parseClaimPath } from "./auth/claims";
import { ADMIN_PERMISSION } from "./auth/principal";
import { Permission } from "./schemas/text";

/**
 * Deployment settings, read once per `env` object from wrangler vars and secrets.
 *
 * @example
 * const config = readConfig(env);
 * config.maxActiveKeysPerUser; // 50 unless MAX_ACTIVE_KEYS_PER_USER says otherwise
 */
export interface Config {
  keyPrefix: string;
  maxKeyLifetimeDays: number;
  maxActiveKeysPerUser: number;
  allowedOrigins: ReadonlySet<string>;
  /** `AUTH_ORG_CLAIM`: where the token holds the tenant; a top-level name or a dotted path (worker/auth/claims.ts). */
  orgClaim: string;
  /** `AUTH_PERMISSIONS_CLAIM`: where the token holds the permissions (an array, or a space- or comma-separated string). */
  permissionsClaim: string;
  /** `AUTH_NAME_CLAIM`: where the token holds the user's display name; `name` unless set. */
  nameClaim: string;
  /** `AUTH_ADMIN_PERMISSION`: the permission that makes a user an org admin; `api_keys:admin` unless set. */
  adminPermission: string;
  issuer: string | null;
  audience: string | null;
  jwksUrl: string | null;
  jwtSecret: string | null;
  keyHashSecret: string;
  /** The secrets that tag key ids (README "Key format"): new keys use `current`, any listed one verifies. */
  keyTagSecrets: KeyTagSecrets;
  adminApiToken: string | null;
  devLogin: boolean;
  upstreamUrl: string | null;
  /** Credential headers (lowercase) the forwarder may pass upstream: `cookie`, `authorization`, `x-api-key`. None by default. */
  upstreamForwardHeaders: ReadonlySet<ForwardableCredential>;
  /** Whether the upstream's `Set-Cookie` reaches the client. Off by default. */
  upstreamForwardSetCookie: boolean;
  /** The `period` of the `AUTH_FAILURE_LIMITER` binding (10 or 60 s): how long a throttled address waits. */
  authFailurePeriodSeconds: 10 | 60;
  /** `VERIFY_API_TOKEN`: the bearer token of `POST /v1/verify`; null turns that route off (404). */
  verifyApiToken: string | null;
  /** `UPSTREAM_SIGNING_KEYS`: private P-256 keys, newest first. The first signs the upstream assertions; all are published. */
  upstreamSigningKeys: readonly SigningJwk[];
  /** `UPSTREAM_AUDIENCE`: the assertions' `aud`; null means the origin of `UPSTREAM_URL`. */
  upstreamAudience: string | null;
  /** `UPSTREAM_ASSERTION_ISSUER`: the assertions' `iss`; null means the origin the request reached. */
  upstreamAssertionIssuer: string | null;
  /** `POST /v1/leaks`: who may report leaked keys, and what a confirmed leak does. */
  leaks: LeakConfig;
  /** Webhook delivery (README "Webhooks"). */
  webhooks: WebhookConfig;
}

/** How webhooks are delivered. */
export interface WebhookConfig {
  /**
   * `WEBHOOK_RETRY_DELAYS`: seconds to wait after each failed attempt, in order; after the last
   * one the message goes to the dead-letter queue. Keep the queue consumer's `max_retries` equal
   * to its length (`npm run test:deploy` checks production).
   */
  retryDelaysSeconds: readonly number[];
  /** `WEBHOOK_TIMEOUT_SECONDS`: how long one attempt may take before it counts as failed. */
  timeoutMs: number;
  /** `WEBHOOK_ALLOW_LOCALHOST`: plain http to localhost, 127.0.0.1 and [::1]; only with `DEV_LOGIN` (local development). */
  allowLocalhost: boolean;
}

/** What a confirmed leak does to a key: `revoke` it (the default), or only `flag` it. */
export type LeakPolicy = "revoke" | "flag";

/** A public key GitHub signs secret-scanning reports with: its identifier and its PEM (SPKI). */
export interface LeakReportPublicKey {
  keyIdentifier: string;
  pem: string;
}

/** Settings of `POST /v1/leaks`; with no public key, no keys URL and no HMAC secret, the route does not exist. */
export interface LeakConfig {
  /** `LEAK_POLICY`. */
  policy: LeakPolicy;
  /** `LEAK_REPORT_PUBLIC_KEYS`: GitHub's keys given in the configuration. */
  publicKeys: readonly LeakReportPublicKey[];
  /** `LEAK_REPORT_KEYS_URL`: where GitHub's current keys are fetched (and cached), or null. */
  keysUrl: string | null;
  /** `LEAK_REPORT_HMAC_SECRET`: the shared secret of our own reporters, or null. */
  hmacSecret: string | null;
}

/** A private EC P-256 JSON Web Key that signs upstream assertions (ES256). */
export interface SigningJwk {
  kty: "EC";
  crv: "P-256";
  kid: string;
  x: string;
  y: string;
  d: string;
}

/** One key-tag secret and the one-character id that names it inside keys. */
export interface KeyTagSecret {
  id: string;
  secret: string;
}

/** The key-tag secrets: the one new keys are tagged with, and every one that still verifies. */
export interface KeyTagSecrets {
  current: KeyTagSecret;
  byId: ReadonlyMap<string, string>;
}

/** Credential headers that are never forwarded upstream unless `UPSTREAM_FORWARD_HEADERS` names them. */
export const FORWARDABLE_CREDENTIALS = ["cookie", "authorization", "x-api-key"] as const;
export type ForwardableCredential = (typeof FORWARDABLE_CREDENTIALS)[number];

/**
 * Deployment settings are missing or unusable; the Worker refuses to run rather than guess.
 * `problems` names each one (never a secret's value).
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[]) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("; "));
    this.problems = list;
  }
}

const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,15}_(?:[a-z0-9]{1,16}_)?$/;
const MIN_SECRET_LENGTH = 32;
// As `URL.hostname` spells them: lowercase, IPv4 normalised, IPv6 in brackets.
const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);
const cache = new WeakMap<object, Config | ConfigError>();

/**
 * Whether a URL's hostname names this machine. Only such hosts may use plain http for the JWKS
 * and reach `POST /dev/session`.
 *
 * @example
 * isLoopbackHostname(new URL(request.url).hostname); // true for http://127.0.0.1:8787/
 */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_HOSTNAMES.has(hostname);
}

/**
 * Parses and validates the deployment settings; the result (or the error) is cached per `env`
 * object. An unusable configuration throws one {@link ConfigError} naming every problem, and is
 * logged once per isolate, so the log says everything to fix at once.
 */
export function readConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached instanceof ConfigError) throw cached;
  if (cached) return cached;
  try {
    const config = parse(env);
    cache.set(env, config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError) {
      cache.set(env, error);
      console.error(`configuration: ${error.problems.length} problem(s): ${error.problems.join("; ")}`);
    }
    throw error;
  }
}

function parse(env: Env): Config {
  const problems: string[] = [];
  /** Runs one setting's parser; a ConfigError becomes one more problem and the fallback is used. */
  const setting = <T>(read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return fallback;
    }
  };
  const keyPrefix = setting(() => {
    const prefix = env.KEY_PREFIX || "ak_live_";
    if (!PREFIX_PATTERN.test(prefix)) throw new ConfigError("KEY_PREFIX must look like ak_live_ (lowercase letters and digits, ending in _)");
    return prefix;
  }, "ak_live_");
  const keyHashSecret = setting(() => {
    const secret = optional(env.KEY_HASH_SECRET);
    if (!secret || secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`KEY_HASH_SECRET must be set to at least ${MIN_SECRET_LENGTH} characters`);
    }
    return secret;
  }, "");
  const keyTagSecrets = setting(() => parseKeyTagSecrets(env.KEY_TAG_SECRETS), { current: { id: "", secret: "" }, byId: new Map() });
  const jwtSecret = setting(() => optionalSecret(env.AUTH_JWT_SECRET, "AUTH_JWT_SECRET"), null);
  const adminApiToken = setting(() => optionalSecret(env.ADMIN_API_TOKEN, "ADMIN_API_TOKEN"), null);
  const jwksUrl = setting(() => httpsUrl(env.AUTH_JWKS_URL, "AUTH_JWKS_URL"), null);
  const issuer = optional(env.AUTH_ISSUER);
  const audience = optional(env.AUTH_AUDIENCE);
  // Any token the identity provider signs for any of its apps would otherwise be accepted here.
  if (jwksUrl && (!issuer || !audience)) problems.push("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE");
  const config: Config = {
    keyPrefix,
    maxKeyLifetimeDays: setting(() => positiveInt(env.MAX_KEY_LIFETIME_DAYS, 365, "MAX_KEY_LIFETIME_DAYS"), 365),
    maxActiveKeysPerUser: setting(() => positiveInt(env.MAX_ACTIVE_KEYS_PER_USER, 50, "MAX_ACTIVE_KEYS_PER_USER"), 50),
    allowedOrigins: setting(() => parseOrigins(env.ALLOWED_ORIGINS), new Set<string>()),
    orgClaim: setting(() => claimName(env.AUTH_ORG_CLAIM, "AUTH_ORG_CLAIM", "org_id"), "org_id"),
    permissionsClaim: setting(() => claimName(env.AUTH_PERMISSIONS_CLAIM, "AUTH_PERMISSIONS_CLAIM", "permissions"), "permissions"),
    nameClaim: setting(() => claimName(env.AUTH_NAME_CLAIM, "AUTH_NAME_CLAIM", "name"), "name"),
    adminPermission: setting(() => adminPermission(env.AUTH_ADMIN_PERMISSION), ADMIN_PERMISSION),
    issuer,
    audience,
    jwksUrl,
    jwtSecret,
    keyHashSecret,
    keyTagSecrets,
    adminApiToken,
    devLogin: env.DEV_LOGIN === "true",
    upstreamUrl: setting(() => httpsUrl(env.UPSTREAM_URL, "UPSTREAM_URL"), null),
    upstreamForwardHeaders: setting(() => parseForwardHeaders(env.UPSTREAM_FORWARD_HEADERS), new Set()),
    authFailurePeriodSeconds: setting(() => parsePeriod(env.AUTH_FAILURE_PERIOD_SECONDS), 60),
    upstreamForwardSetCookie: setting(() => parseBoolean(env.UPSTREAM_FORWARD_SET_COOKIE, "UPSTREAM_FORWARD_SET_COOKIE"), false),
    verifyApiToken: setting(() => parseVerifyApiToken(env, adminApiToken), null),
    upstreamSigningKeys: setting(() => parseSigningKeys(env), []),
    upstreamAudience: optional(env.UPSTREAM_AUDIENCE),
    upstreamAssertionIssuer: optional(env.UPSTREAM_ASSERTION_ISSUER),
    leaks: {
      policy: setting(() => parseLeakPolicy(env.LEAK_POLICY), "revoke"),
      publicKeys: setting(() => parseLeakPublicKeys(env.LEAK_REPORT_PUBLIC_KEYS), []),
      keysUrl: setting(() => httpsUrl(env.LEAK_REPORT_KEYS_URL, "LEAK_REPORT_KEYS_URL"), null),
      hmacSecret: setting(() => optionalSecret(env.LEAK_REPORT_HMAC_SECRET, "LEAK_REPORT_HMAC_SECRET"), null),
    },
    webhooks: {
      retryDelaysSeconds: setting(() => parseRetryDelays(env.WEBHOOK_RETRY_DELAYS), DEFAULT_RETRY_DELAYS),
      timeoutMs: setting(() => parseWebhookTimeout(env.WEBHOOK_TIMEOUT_SECONDS), 10_000),
      allowLocalhost: setting(() => parseAllowLocalhost(env), false),
    },
  };
  // Forwarded identity headers are only trustworthy upstream when they come signed.
  if (config.upstreamUrl && config.upstreamSigningKeys.length === 0 && !problems.some((p) => p.startsWith("UPSTREAM_SIGNING_KEYS"))) {
    problems.push("UPSTREAM_URL needs UPSTREAM_SIGNING_KEYS (the key that signs X-Api-Assertion; README \"Signed identity\")");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * `ALLOWED_ORIGINS`: exact origins, comma-separated. `*` is never honoured; each entry must be
 * an origin (scheme, host, optional port; nothing else) on https, or http only on loopback.
 */
function parseOrigins(value: string | undefined): ReadonlySet<string> {
  const origins = new Set<string>();
  const bad: string[] = [];
  for (const entry of (value ?? "").split(",").map((o) => o.trim()).filter((o) => o && o !== "*")) {
    const url = URL.parse(entry);
    const secure = url?.protocol === "https:" || (url?.protocol === "http:" && isLoopbackHostname(url.hostname));
    if (!url || !secure || url.origin !== entry) bad.push(entry);
    else origins.add(entry);
  }
  if (bad.length > 0) {
    throw new ConfigError(
      `ALLOWED_ORIGINS entries must be exact https origins like https://app.example.com (http only for localhost): ${bad.join(", ")}`,
    );
  }
  return origins;
}

const TAG_SECRET_ID = /^[0-9A-Za-z]$/;

/**
 * `KEY_TAG_SECRETS`: `id:secret` pairs separated by commas, newest first. The id is one
 * letter or digit that new keys carry, so an older secret keeps verifying its keys after a
 * newer one is put in front of it.
 */
function parseKeyTagSecrets(value: string | undefined): KeyTagSecrets {
  const raw = optional(value);
  if (!raw) {
    throw new ConfigError(`KEY_TAG_SECRETS must be set, e.g. "a:<at least ${MIN_SECRET_LENGTH} random characters>"`);
  }
  const byId = new Map<string, string>();
  let current: KeyTagSecret | null = null;
  for (const entry of raw.split(",")) {
    const separator = entry.indexOf(":");
    const id = entry.slice(0, separator).trim();
    const secret = entry.slice(separator + 1).trim();
    if (separator < 0 || !TAG_SECRET_ID.test(id)) {
      throw new ConfigError('KEY_TAG_SECRETS entries must look like "a:<secret>" (a one-character id: letter or digit)');
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(`KEY_TAG_SECRETS secret "${id}" must be at least ${MIN_SECRET_LENGTH} characters`);
    }
    if (byId.has(id)) throw new ConfigError(`KEY_TAG_SECRETS names the id "${id}" twice`);
    byId.set(id, secret);
    current ??= { id, secret };
  }
  return { current: current!, byId };
}

function parseForwardHeaders(value: string | undefined): ReadonlySet<ForwardableCredential> {
  const names = (value ?? "").split(",").map((n) => n.trim().toLowerCase()).filter(Boolean);
  for (const name of names) {
    if (!(FORWARDABLE_CREDENTIALS as readonly string[]).includes(name)) {
      throw new ConfigError(`UPSTREAM_FORWARD_HEADERS may name only ${FORWARDABLE_CREDENTIALS.join(", ")}; got "${name}"`);
    }
  }
  return new Set(names as ForwardableCredential[]);
}

function parsePeriod(value: string | undefined): 10 | 60 {
  const raw = optional(value);
  if (raw === null || raw === "60") return 60;
  if (raw === "10") return 10;
  throw new ConfigError("AUTH_FAILURE_PERIOD_SECONDS must be 10 or 60 (the period of AUTH_FAILURE_LIMITER)");
}

function parseBoolean(value: string | undefined, name: string): boolean {
  const raw = optional(value)?.toLowerCase();
  if (raw === undefined || raw === null || raw === "false") return false;
  if (raw === "true") return true;
  throw new ConfigError(`${name} must be true or false`);
}

/** A claim setting: a top-level claim name or a dotted path that claims.ts can follow safely. */
function claimName(value: string | undefined, name: string, fallback: string): string {
  const claim = optional(value) ?? fallback;
  const parsed = parseClaimPath(claim);
  if (!parsed.ok) throw new ConfigError(`${name} ${parsed.problem} (e.g. org_id, o.id or https://example.com/org_id)`);
  return claim;
}

function adminPermission(value: string | undefined): string {
  const permission = optional(value) ?? ADMIN_PERMISSION;
  if (!Permission.safeParse(permission).success) {
    throw new ConfigError("AUTH_ADMIN_PERMISSION must be a permission name such as api_keys:admin (letters, digits and _ . : * -)");
  }
  return permission;
}

function optional(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function optionalSecret(value: string | undefined, name: string): string | null {
  const secret = optional(value);
  if (secret && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${name} must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}

// Keys fetched over plain http could be swapped by anyone on the path; only loopback is exempt.
function httpsUrl(value: string | undefined, name: string): string | null {
  const raw = optional(value);
  if (!raw) return null;
  const url = URL.parse(raw);
  const secure = url?.protocol === "https:" || (url?.protocol === "http:" && isLoopbackHostname(url.hostname));
  if (!secure) {
    throw new ConfigError(`${name} must be an https URL (plain http only for localhost, 127.0.0.1 or [::1])`);
  }
  return raw;
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new ConfigError(`${name} must be a positive integer`);
  }
  return parsed;
}

/** `VERIFY_API_TOKEN`: optional, at least 32 characters, and never the admin token (each grants something else). */
function parseVerifyApiToken(env: Env, adminApiToken: string | null): string | null {
  const token = optionalSecret(env.VERIFY_API_TOKEN, "VERIFY_API_TOKEN");
  if (token !== null && token === adminApiToken) throw new ConfigError("VERIFY_API_TOKEN must differ from ADMIN_API_TOKEN");
  return token;
}

function parseLeakPolicy(value: string | undefined): LeakPolicy {
  const raw = optional(value) ?? "revoke";
  if (raw !== "revoke" && raw !== "flag") throw new ConfigError("LEAK_POLICY must be revoke or flag");
  return raw;
}

/** The Standard Webhooks schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (27.6 h in all). */
const DEFAULT_RETRY_DELAYS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];
/** Cloudflare Queues: a retry's delaySeconds is at most 12 hours, max_retries at most 100. */
const MAX_QUEUE_DELAY_SECONDS = 43_200;
const MAX_QUEUE_RETRIES = 100;

/** `WEBHOOK_RETRY_DELAYS`: whole seconds, comma-separated, 1–100 of them, each 0–43200. */
function parseRetryDelays(value: string | undefined): readonly number[] {
  const raw = optional(value);
  if (!raw) return DEFAULT_RETRY_DELAYS;
  const delays = raw.split(",").map((d) => d.trim());
  const valid = delays.length <= MAX_QUEUE_RETRIES && delays.every((d) => /^\d{1,5}$/.test(d) && Number(d) <= MAX_QUEUE_DELAY_SECONDS);
  if (!valid) {
    throw new ConfigError(
      `WEBHOOK_RETRY_DELAYS must be 1–${MAX_QUEUE_RETRIES} whole numbers of seconds, each at most ${MAX_QUEUE_DELAY_SECONDS} (Queues' limit), e.g. "5,300,1800,7200,18000,36000,36000"`,
    );
  }
  return delays.map(Number);
}

function parseWebhookTimeout(value: string | undefined): number {
  const raw = optional(value);
  if (raw === null) return 10_000;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 30) throw new ConfigError("WEBHOOK_TIMEOUT_SECONDS must be a whole number from 1 to 30");
  return seconds * 1000;
}

// Plain http to this machine is for trying webhooks out locally: it takes effect only where local
// development is on (DEV_LOGIN, which a deploy never has), whatever the variable says.
function parseAllowLocalhost(env: Env): boolean {
  return parseBoolean(env.WEBHOOK_ALLOW_LOCALHOST, "WEBHOOK_ALLOW_LOCALHOST") && env.DEV_LOGIN === "true";
}

const PEM_PUBLIC_KEY = /^-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+-----END PUBLIC KEY-----\s*$/;

/**
 * `LEAK_REPORT_PUBLIC_KEYS`: GitHub's secret-scanning keys as JSON, either the array of
 * `{ key_identifier, key }` or the whole answer of its keys endpoint (`{ public_keys: [...] }`).
 */
export function parseLeakPublicKeys(value: string | undefined): LeakReportPublicKey[] {
  const raw = optional(value);
  if (!raw) return [];
  const shape = 'JSON like [{"key_identifier":"…","key":"-----BEGIN PUBLIC KEY-----…"}] (GitHub\'s format)';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`LEAK_REPORT_PUBLIC_KEYS is not valid JSON; it must be ${shape}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { public_keys?: unknown } | null)?.public_keys;
  if (!Array.isArray(list)) throw new ConfigError(`LEAK_REPORT_PUBLIC_KEYS must be ${shape}`);
  return list.map((entry: { key_identifier?: unknown; key?: unknown } | null, i) => {
    const id = entry?.key_identifier;
    const pem = entry?.key;
    if (typeof id !== "string" || id === "" || id.length > 256 || typeof pem !== "string" || !PEM_PUBLIC_KEY.test(pem)) {
      throw new ConfigError(`LEAK_REPORT_PUBLIC_KEYS[${i}] must have key_identifier and key (a PEM public key)`);
    }
    return { keyIdentifier: id, pem };
  });
}

const JWK_KID = /^[A-Za-z0-9._-]{1,64}$/;
/** 32 bytes in unpadded base64url: a P-256 coordinate or private scalar. */
const P256_COMPONENT = /^[A-Za-z0-9_-]{43}$/;

/**
 * `UPSTREAM_SIGNING_KEYS`: a JSON array of private EC P-256 JWKs, newest first, each with a
 * `kid`. Messages name the entry, never a value (the JSON holds private keys, and a parser's own
 * message would quote it). A `kid` starting with `dev-only` is the published development key of
 * .dev.vars.example and is refused outside local development.
 */
function parseSigningKeys(env: Env): SigningJwk[] {
  const raw = optional(env.UPSTREAM_SIGNING_KEYS);
  if (!raw) return [];
  const shape = 'a JSON array of private EC P-256 JWKs, newest first, e.g. [{"kty":"EC","crv":"P-256","kid":"2026-01","x":"…","y":"…","d":"…"}]';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`UPSTREAM_SIGNING_KEYS is not valid JSON; it must be ${shape}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new ConfigError(`UPSTREAM_SIGNING_KEYS must be ${shape}`);
  const keys: SigningJwk[] = [];
  for (const [i, entry] of parsed.entries()) {
    const jwk = entry as Partial<Record<string, unknown>> | null;
    const valid =
      typeof jwk === "object" && jwk !== null && jwk.kty === "EC" && jwk.crv === "P-256" &&
      (jwk.alg === undefined || jwk.alg === "ES256") && typeof jwk.kid === "string" && JWK_KID.test(jwk.kid) &&
      [jwk.x, jwk.y, jwk.d].every((part) => typeof part === "string" && P256_COMPONENT.test(part));
    if (!valid) {
      throw new ConfigError(`UPSTREAM_SIGNING_KEYS[${i}] must be a private EC P-256 JWK with kid (1–64 of A–Z a–z 0–9 . _ -), x, y and d`);
    }
    const key = { kty: "EC", crv: "P-256", kid: jwk.kid, x: jwk.x, y: jwk.y, d: jwk.d } as SigningJwk;
    if (keys.some((k) => k.kid === key.kid)) throw new ConfigError(`UPSTREAM_SIGNING_KEYS names the kid "${key.kid}" twice`);
    if (key.kid.startsWith("dev-only") && env.DEV_LOGIN !== "true") {
      throw new ConfigError(`UPSTREAM_SIGNING_KEYS[${i}] is the published development key ("${key.kid}"); generate your own for a deploy`);
    }
    keys.push(key);
  }
  return keys;
}

/**
 * Why no user can sign in under this configuration (no way to verify a token), or null.
 *
 * @example
 * userSignInProblem(readConfig(env)); // null when AUTH_JWT_SECRET or AUTH_JWKS_URL is set
 */
export function userSignInProblem(config: Pick<Config, "jwtSecret" | "jwksUrl">): string | null {
  if (config.jwtSecret || config.jwksUrl) return null;
  return "neither AUTH_JWT_SECRET (HS256) nor AUTH_JWKS_URL (RS256/ES256) is set, so no user token can be verified";
}
