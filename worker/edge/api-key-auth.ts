import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { missingPermission, verificationProblem } from "../http/outcome-problems";
import type { ProblemSpec } from "../http/problem-docs";
import { rateLimitHeaders } from "../limiter/rate-limit-headers";
import { clientAddress } from "../verify/failed-auth-throttle";
import { verifyApiKey } from "../verify/key-verification";

/** What the key check answers, for the documented problems of every route behind {@link apiKeyAuth}. */
export const KEY_CHECK_PROBLEMS: ProblemSpec[] = [
  "invalid_api_key",
  "api_key_revoked",
  "api_key_expired",
  "api_key_disabled",
  ["user_deactivated", "The key's creator has been deactivated: none of their keys is admitted."],
  "ip_not_allowed",
  "rate_limited",
  "credits_exhausted",
  "too_many_failed_attempts",
  "limiter_unavailable",
];

/**
 * Protects routes with `X-API-Key`. The check is `verifyApiKey` (worker/verify/key-verification.ts),
 * the same one `POST /v1/verify` and the `KeyVerifier` binding run. In order, cheapest first: the
 * client address's failed-auth throttle (isolate memory), format and checksum, the id's tag (one
 * HMAC; a forged key stops here), the key's digest and the isolate's memory of that exact key
 * being limited (can only deny; the 429s it answers reach the key's usage counters a second later,
 * in one call per key through `waitUntil`), then exactly one call to the key's Durable Object
 * (status, expiry, digest, IP allowlist against `CF-Connecting-IP`, creator, limits, usage; no D1
 * query). A refusal is thrown as the problem
 * http/outcome-problems.ts maps it to; every invalid-key answer is the same generic 401 and
 * counts against the client address. Admitted requests get `c.var.apiKey` and the IETF
 * `RateLimit-Policy` / `RateLimit` fields (the key's own policies). A key with credits spends
 * `options.cost` of them per admitted request (default 1; 0–1000), decided with its rate limits in
 * one step of its Durable Object: a balance below the cost is refused with 429 `credits_exhausted`.
 *
 * @example
 * const api = new Hono<AppEnv>();
 * api.use(apiKeyAuth());
 * api.get("/contacts", requirePermission("contacts:read"), (c) => c.json(list(c.var.apiKey.orgId)));
 */
export function apiKeyAuth(options: { cost?: number } = {}): MiddlewareHandler<AppEnv> {
  return async function apiKeyAuthHandler(c, next) {
    // Two X-API-Key headers arrive joined by ", ", which no key contains: refused as malformed.
    const result = await verifyApiKey(
      c.env,
      c.var.config,
      {
        key: c.req.header("X-API-Key") ?? "",
        throttleKey: clientAddress(c.req.raw),
        clientAddress: c.req.header("CF-Connecting-IP") ?? null,
        // Read only when the key is a canary, for its key.canary_used event.
        userAgent: c.req.header("User-Agent") ?? null,
        path: c.req.path,
        cost: options.cost,
      },
      { waitUntil: (work) => c.executionCtx.waitUntil(work), onStep: c.var.verificationSteps },
    );
    if (result.outcome !== "admitted") throw verificationProblem(result);
    c.set("apiKey", result.identity);
    c.set("rateLimit", result.usage);
    c.set("credits", result.credits);
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
    if (!c.var.apiKey.permissions.includes(permission)) throw missingPermission(permission);
    await next();
  };
}
