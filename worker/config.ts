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
const cache = new WeakMap<object, Config>();

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
  const jwtSecret = optional(env.AUTH_JWT_SECRET);
  if (jwtSecret && jwtSecret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`AUTH_JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
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
    issuer: optional(env.AUTH_ISSUER),
    audience: optional(env.AUTH_AUDIENCE),
    jwksUrl: optional(env.AUTH_JWKS_URL),
    jwtSecret,
    keyHashSecret,
    adminApiToken: optional(env.ADMIN_API_TOKEN),
    devLogin: env.DEV_LOGIN === "true",
    upstreamUrl: optional(env.UPSTREAM_URL),
  };
}

function optional(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

function positiveInt(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new ConfigError(`${name} must be a positive integer`);
  }
  return parsed;
}
