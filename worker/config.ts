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
  orgClaim: string;
  permissionsClaim: string;
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

/** A deployment setting is missing or unusable; the Worker refuses to run rather than guess. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,15}_(?:[a-z0-9]{1,16}_)?$/;
const MIN_SECRET_LENGTH = 32;
// As `URL.hostname` spells them: lowercase, IPv4 normalised, IPv6 in brackets.
const LOOPBACK_HOSTNAMES: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);
const cache = new WeakMap<object, Config>();

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

/** Parses and validates the deployment settings; the result is cached per `env` object. */
export function readConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parse(env);
    cache.set(env, config);
  }
  return config;
}

function parse(env: Env): Config {
  const keyPrefix = env.KEY_PREFIX || "ak_live_";
  if (!PREFIX_PATTERN.test(keyPrefix)) {
    throw new ConfigError("KEY_PREFIX must look like ak_live_ (lowercase letters and digits, ending in _)");
  }
  const keyHashSecret = optional(env.KEY_HASH_SECRET);
  if (!keyHashSecret || keyHashSecret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`KEY_HASH_SECRET must be set to at least ${MIN_SECRET_LENGTH} characters`);
  }
  const keyTagSecrets = parseKeyTagSecrets(env.KEY_TAG_SECRETS);
  const jwtSecret = optionalSecret(env.AUTH_JWT_SECRET, "AUTH_JWT_SECRET");
  const adminApiToken = optionalSecret(env.ADMIN_API_TOKEN, "ADMIN_API_TOKEN");
  const jwksUrl = httpsUrl(env.AUTH_JWKS_URL, "AUTH_JWKS_URL");
  const issuer = optional(env.AUTH_ISSUER);
  const audience = optional(env.AUTH_AUDIENCE);
  // Any token the identity provider signs for any of its apps would otherwise be accepted here.
  if (jwksUrl && (!issuer || !audience)) {
    throw new ConfigError("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE");
  }
  return {
    keyPrefix,
    maxKeyLifetimeDays: positiveInt(env.MAX_KEY_LIFETIME_DAYS, 365, "MAX_KEY_LIFETIME_DAYS"),
    maxActiveKeysPerUser: positiveInt(env.MAX_ACTIVE_KEYS_PER_USER, 50, "MAX_ACTIVE_KEYS_PER_USER"),
    allowedOrigins: new Set(
      (env.ALLOWED_ORIGINS ?? "").split(",").map((o) => o.trim()).filter((o) => o && o !== "*"),
    ),
    orgClaim: optional(env.AUTH_ORG_CLAIM) ?? "org_id",
    permissionsClaim: optional(env.AUTH_PERMISSIONS_CLAIM) ?? "permissions",
    issuer,
    audience,
    jwksUrl,
    jwtSecret,
    keyHashSecret,
    keyTagSecrets,
    adminApiToken,
    devLogin: env.DEV_LOGIN === "true",
    upstreamUrl: optional(env.UPSTREAM_URL),
    upstreamForwardHeaders: parseForwardHeaders(env.UPSTREAM_FORWARD_HEADERS),
    authFailurePeriodSeconds: parsePeriod(env.AUTH_FAILURE_PERIOD_SECONDS),
    upstreamForwardSetCookie: parseBoolean(env.UPSTREAM_FORWARD_SET_COOKIE, "UPSTREAM_FORWARD_SET_COOKIE"),
  };
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
