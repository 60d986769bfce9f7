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
  adminApiToken: string | null;
  devLogin: boolean;
  upstreamUrl: string | null;
}

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
    adminApiToken,
    devLogin: env.DEV_LOGIN === "true",
    upstreamUrl: optional(env.UPSTREAM_URL),
  };
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
