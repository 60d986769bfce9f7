import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { hasValidTag, parseApiKey } from "../keys/key-format";
import { digestKey } from "../keys/key-digest";
import { authorityFor } from "../limiter/authority-client";
import type { VerifyResult } from "../limiter/key-authority";
import { rateLimitHeaders } from "../limiter/rate-limit-headers";
import { limitedUntil, rememberLimited } from "./limited-keys";
import { rateLimited, tooManyFailedAttempts, unauthorized } from "./edge-problems";
import { clientAddress, FailedAuthThrottle } from "./failed-auth-throttle";

/** How long a request waits for its key's Durable Object before failing closed with 503. */
const LIMITER_DEADLINE_MS = 5000;

/**
 * Protects routes with `X-API-Key`. In order, cheapest first: the client address's failed-auth
 * throttle (isolate memory), format and checksum, the id's tag (one HMAC; a forged key stops
 * here), the key's digest and the isolate's memory of that exact key being limited (can only
 * deny), then exactly one call to the key's Durable Object (status, expiry, digest, creator,
 * limits; no D1 query). Every invalid-key answer is the same generic 401 and counts against the
 * client address. Admitted requests get `c.var.apiKey` and the IETF `RateLimit-Policy` /
 * `RateLimit` fields.
 *
 * @example
 * const api = new Hono<AppEnv>();
 * api.use(apiKeyAuth());
 * api.get("/contacts", requirePermission("contacts:read"), (c) => c.json(list(c.var.apiKey.orgId)));
 */
export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function apiKeyAuthHandler(c, next) {
    const config = c.var.config;
    const throttle = new FailedAuthThrottle(c.env.AUTH_FAILURE_LIMITER, clientAddress(c.req.raw), config.authFailurePeriodSeconds);
    const blockedFor = throttle.blockedFor(Date.now());
    if (blockedFor > 0) throw tooManyFailedAttempts(blockedFor);
    const invalid = async () => {
      if (!(await throttle.recordFailure(Date.now()))) throw tooManyFailedAttempts(throttle.retryAfterSeconds);
      return unauthorized(c.var.requestId);
    };

    // Two X-API-Key headers arrive joined by ", ", which no key contains: refused as malformed.
    const parsed = parseApiKey(c.req.header("X-API-Key") ?? "", config.keyPrefix);
    if (!parsed || !(await hasValidTag(parsed, config.keyPrefix, config.keyTagSecrets))) return invalid();
    const digest = await digestKey(parsed.secret, config.keyHashSecret);
    const shed = limitedUntil(digest, Date.now());
    if (shed) throw rateLimited(shed.policy, shed.until, Date.now());

    let result: VerifyResult;
    try {
      result = await withDeadline(verifyAtAuthority(c.env, parsed.id, digest), LIMITER_DEADLINE_MS);
    } catch (error) {
      console.error(`key authority unreachable: ${(error as Error).message}`);
      throw new Failure("limiter_unavailable", "The rate limiter is unavailable; the request was not admitted.", {
        retryAfterSeconds: 1,
      });
    }
    switch (result.outcome) {
      case "unknown":
        return invalid();
      case "revoked":
        throw new Failure("api_key_revoked", "This API key has been revoked.");
      case "expired":
        throw new Failure("api_key_expired", "This API key has expired.");
      case "deactivated":
        throw new Failure("user_deactivated", "The user who created this API key has been deactivated.");
      case "rate_limited":
        rememberLimited(digest, result.retryAt, result.violated);
        throw rateLimited(result.violated, result.retryAt, result.now);
      case "admitted":
        c.set("apiKey", result.identity);
        c.set("rateLimit", result.usage);
        await next();
        for (const [name, value] of Object.entries(rateLimitHeaders(result.usage))) c.res.headers.set(name, value);
    }
  };
}

/**
 * Refuses with 403 unless the verified key's effective permissions (its creator's current
 * permissions ∩ its scopes) include `permission`. Mount after {@link apiKeyAuth}.
 *
 * @example
 * api.get("/contacts", requirePermission("contacts:read"), handler);
 */
export function requirePermission(permission: string): MiddlewareHandler<AppEnv> {
  return async function requirePermissionHandler(c, next) {
    if (!c.var.apiKey.permissions.includes(permission)) {
      throw new Failure("forbidden", `This API key lacks the permission "${permission}".`);
    }
    await next();
  };
}

/** One call to the key's Durable Object. */
async function verifyAtAuthority(env: Env, keyId: string, digest: string): Promise<VerifyResult> {
  return await authorityFor(env, keyId).verify(keyId, digest);
}

/** Rejects when `promise` has not settled within `ms` (an overloaded object must not hang a request). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: number | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
