import { Failure } from "../errors/failure";
import { policyHeader } from "../limiter/rate-limit-headers";
import { POLICIES, type PolicyName } from "../limiter/sliding-window";

/**
 * The one 401 body for a missing, malformed, unknown or wrong-secret key. It is a constant, byte
 * for byte, so it cannot tell a caller which of these it hit (the request id travels only in the
 * `X-Request-Id` header).
 */
export const GENERIC_UNAUTHORIZED_BODY = JSON.stringify({
  type: "urn:problem:api-keys:invalid_api_key",
  title: "Invalid API key",
  status: 401,
  detail: "Send a valid API key in the X-API-Key header.",
  code: "invalid_api_key",
});

/**
 * The generic 401 response.
 *
 * @example
 * if (!parsed) return unauthorized(c.var.requestId);
 */
export function unauthorized(requestId: string): Response {
  return new Response(GENERIC_UNAUTHORIZED_BODY, {
    status: 401,
    headers: {
      "Content-Type": "application/problem+json",
      "Cache-Control": "no-store",
      "WWW-Authenticate": 'ApiKey header="X-API-Key"',
      "X-Request-Id": requestId,
    },
  });
}

/**
 * The 429 for a refusal: `Retry-After` in whole seconds until a request would be admitted, the
 * violated policy in the body, and the rate-limit fields with nothing remaining.
 */
export function rateLimited(policy: PolicyName, retryAt: number, now: number): Failure {
  const retryAfterSeconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
  const { quota, windowMs } = POLICIES.find((p) => p.name === policy)!;
  return new Failure("rate_limited", `Rate limit "${policy}" exceeded: at most ${quota} requests in any ${windowMs / 1000} s.`, {
    retryAfterSeconds,
    policy,
    headers: {
      "RateLimit-Policy": policyHeader(POLICIES),
      RateLimit: `"${policy}";r=0;t=${retryAfterSeconds}`,
    },
  });
}

/**
 * The 429 for a client address that presented too many invalid keys: no policy (no key's limit
 * was reached), and `Retry-After` for the rest of the throttle's period.
 *
 * @example
 * if (blockedFor > 0) throw tooManyFailedAttempts(blockedFor);
 */
export function tooManyFailedAttempts(retryAfterSeconds: number): Failure {
  return new Failure("too_many_failed_attempts", "Too many requests with an invalid API key from this address; try again later.", {
    retryAfterSeconds,
  });
}
