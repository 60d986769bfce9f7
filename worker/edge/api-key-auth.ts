import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { rateLimitHeaders } from "../limiter/rate-limit-headers";
import { type Verification, verifyApiKey } from "../verify/key-verification";
import { rateLimited, tooManyFailedAttempts, unauthorized } from "./edge-problems";
import { clientAddress } from "../verify/failed-auth-throttle";

/**
 * Protects routes with `X-API-Key`. The check is `verifyApiKey` (worker/verify/key-verification.ts),
 * the same one `POST /v1/verify` and the `KeyVerifier` binding run. In order, cheapest first: the
 * client address's failed-auth throttle (isolate memory), format and checksum, the id's tag (one
 * HMAC; a forged key stops here), the key's digest and the isolate's memory of that exact key
 * being limited (can only deny), then exactly one call to the key's Durable Object (status,
 * expiry, digest, creator, limits; no D1 query). Every invalid-key answer is the same generic 401
 * and counts against the client address. Admitted requests get `c.var.apiKey` and the IETF
 * `RateLimit-Policy` / `RateLimit` fields.
 *
 * @example
 * const api = new Hono<AppEnv>();
 * api.use(apiKeyAuth());
 * api.get("/contacts", requirePermission("contacts:read"), (c) => c.json(list(c.var.apiKey.orgId)));
 */
export function apiKeyAuth(): MiddlewareHandler<AppEnv> {
  return async function apiKeyAuthHandler(c, next) {
    // Two X-API-Key headers arrive joined by ", ", which no key contains: refused as malformed.
    const result = await verifyApiKey(c.env, c.var.config, {
      key: c.req.header("X-API-Key") ?? "",
      throttleKey: clientAddress(c.req.raw),
    });
    if (result.outcome !== "admitted") return refusal(result, c.var.requestId);
    c.set("apiKey", result.identity);
    c.set("rateLimit", result.usage);
    await next();
    for (const [name, value] of Object.entries(rateLimitHeaders(result.usage))) c.res.headers.set(name, value);
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
    if (!c.var.apiKey.permissions.includes(permission)) throw forbidden(permission);
    await next();
  };
}

/** The HTTP answer to a refused key at `/api/*`: the generic 401 is returned, the rest thrown as problems. */
function refusal(result: Exclude<Verification, { outcome: "admitted" }>, requestId: string): Response {
  switch (result.reason) {
    case "invalid_api_key":
      return unauthorized(requestId);
    case "too_many_failed_attempts":
      throw tooManyFailedAttempts(result.retryAfterSeconds);
    case "api_key_revoked":
      throw new Failure("api_key_revoked", "This API key has been revoked.");
    case "api_key_expired":
      throw new Failure("api_key_expired", "This API key has expired.");
    case "user_deactivated":
      throw new Failure("user_deactivated", "The user who created this API key has been deactivated.");
    case "forbidden":
      throw forbidden(result.permission);
    case "rate_limited":
      throw rateLimited(result.policy, result.retryAt, result.now);
    case "limiter_unavailable":
      throw new Failure("limiter_unavailable", "The rate limiter is unavailable; the request was not admitted.", {
        retryAfterSeconds: result.retryAfterSeconds,
      });
  }
}

function forbidden(permission: string): Failure {
  return new Failure("forbidden", `This API key lacks the permission "${permission}".`);
}
