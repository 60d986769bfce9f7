import { nearestExhaustion, type Policy, type PolicyUsage } from "./sliding-window";

/**
 * The IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers) for a usage snapshot:
 * `RateLimit-Policy` lists every policy, `RateLimit` reports the one nearest exhaustion.
 *
 * @example
 * rateLimitHeaders(usage);
 * // { "RateLimit-Policy": '"burst";q=10;w=1, "minute";q=100;w=60', "RateLimit": '"burst";r=9;t=1' }
 */
export function rateLimitHeaders(usage: readonly PolicyUsage[]): Record<string, string> {
  const nearest = nearestExhaustion(usage);
  return {
    "RateLimit-Policy": policyHeader(usage.map((u) => u.policy)),
    RateLimit: `"${nearest.policy.name}";r=${nearest.remaining};t=${Math.ceil(nearest.resetMs / 1000)}`,
  };
}

/** `RateLimit-Policy` for a list of policies. */
export function policyHeader(policies: readonly Policy[]): string {
  return policies.map((p) => `"${p.name}";q=${p.quota};w=${p.windowMs / 1000}`).join(", ");
}
