import type { RouteConfig } from "@hono/zod-openapi";
import type { FailureCode } from "../errors/failure";
import { PROBLEM_STATUS } from "./problem";

/*
 * The problems of an operation, as its route definition documents them. Each route lists the
 * codes it can answer (`problemResponses`); the document gets one response per status with the
 * codes, what each means there (`x-problems`, rendered by /docs) and the headers they carry. The
 * shared pieces these point to (`#/components/schemas/Problem`, `InvalidApiKeyProblem`, the
 * headers) are defined once by openapi/openapi-document.ts.
 */

/** One documented response of a route definition. */
export type ResponseDoc = RouteConfig["responses"][string];

/** A problem code the operation can answer, with an operation-specific meaning when the default is too vague. */
export type ProblemSpec = FailureCode | [code: FailureCode, meaning: string];

/** A response header the document describes once, in `components.headers`. */
export type HeaderName = "RateLimit" | "RateLimit-Policy" | "Retry-After" | "WWW-Authenticate";

/**
 * What each problem code means to a caller, as the docs list it under an operation. An operation
 * may say it more precisely for itself (a `[code, meaning]` spec); the status always comes from
 * `PROBLEM_STATUS`.
 *
 * @example
 * PROBLEM_MEANINGS.invalid_cursor; // "The cursor is not one this listing issued to your org."
 */
export const PROBLEM_MEANINGS: Record<FailureCode, string> = {
  malformed_json: "The body is not valid JSON, or not UTF-8.",
  invalid_path:
    "The path has a segment that, percent-decoded as often as it takes, holds a / or \\, a NUL, is . or .., or is not UTF-8. Refused before the key is looked at, so it costs no rate limit.",
  invalid_cursor: "The cursor is not one this listing issued to your org.",
  unauthenticated: "No bearer token, or one that is invalid, expired or lacks the sub and org claims.",
  invalid_api_key:
    "The key is missing, malformed, forged or unknown, or its secret is wrong: one constant body for all of these, with the request id only in X-Request-Id. Counts against the client address's failed-attempt throttle.",
  api_key_revoked: "The key was revoked (a rotated key too, once its grace period is over).",
  api_key_expired: "The key is past its expiresAt.",
  api_key_disabled:
    "The key is paused (PATCH /v1/keys/{id} with enabled: false) until its owner or an admin resumes it. Only the key's right secret gets this answer (a wrong one gets the generic 401). Not counted against the failed-attempt throttle.",
  forbidden: "The key lacks a permission the route requires.",
  user_deactivated: "You have been deactivated through the admin API.",
  ip_not_allowed:
    "The key has an IP allowlist and the request's address (CF-Connecting-IP) is outside it. Only the key's right secret gets this answer (a wrong one gets the generic 401); it does not say which addresses are allowed. Not counted against the failed-attempt throttle.",
  rotation_requires_owner: "The key belongs to someone else and can do something you can't: only its owner may rotate it (you may revoke it).",
  not_found: "No such key, or one you may not see (another org's, or another member's unless you hold api_keys:admin).",
  method_not_allowed: "The path exists, but not with this method; Allow lists the methods it takes.",
  key_not_active: "Only an active key that has not been rotated yet can be rotated.",
  active_key_limit: "The owner already has MAX_ACTIVE_KEYS_PER_USER active keys.",
  webhook_endpoint_limit: "The org already has 20 webhook endpoints; delete one first.",
  webhook_endpoint_disabled: "The endpoint is disabled; enable it (PATCH enabled: true) before resending to it.",
  payload_too_large: "The body is over 16 KiB (counted while streaming, chunked bodies too).",
  unsupported_media_type: "The body is not Content-Type: application/json.",
  validation_failed: "A field is invalid or unknown; errors lists each one.",
  rate_limited:
    "Over one of the key's limits (its own, or burst: 10 requests in any 1 s and minute: 100 in any 60 s); policy names which, Retry-After says when a request would be admitted, RateLimit-Policy lists the key's policies.",
  credits_exhausted:
    "The key's credits balance is below this request's cost (1 unless the route declares another). Retry-After says when the next refill comes; without one, only a top-up (PATCH /v1/keys/{id} with credits) helps. Takes nothing from the rate limits.",
  too_many_failed_attempts:
    "This client address presented too many invalid keys; Retry-After is the rest of the throttle's period. No key's limit was reached, so no policy.",
  internal_error: "Something went wrong on our side; the request id is in the log.",
  server_misconfigured: "A required setting is missing or unsafe; the Worker's log names it.",
  upstream_unavailable: "UPSTREAM_URL could not be reached.",
  identity_provider_unavailable: "The identity provider's signing keys (AUTH_JWKS_URL) could not be fetched; retry shortly.",
  limiter_unavailable: "The key's Durable Object did not answer (unreachable, overloaded or silent for 5 s): the request was not admitted.",
  storage_unavailable: "The database a new key is written to did not take it: no key was created.",
};

/** The headers a problem with `code` carries besides X-Request-Id: what `renderProblem` sets for it. */
const PROBLEM_HEADERS: Partial<Record<FailureCode, HeaderName[]>> = {
  unauthenticated: ["WWW-Authenticate"],
  invalid_api_key: ["WWW-Authenticate"],
  rate_limited: ["Retry-After", "RateLimit", "RateLimit-Policy"],
  credits_exhausted: ["Retry-After"],
  too_many_failed_attempts: ["Retry-After"],
  limiter_unavailable: ["Retry-After"],
  storage_unavailable: ["Retry-After"],
  identity_provider_unavailable: ["Retry-After"],
};

/**
 * References to headers described once in `components.headers`, for a response's `headers`.
 *
 * @example
 * { description: "The key.", headers: headerRefs(["RateLimit", "RateLimit-Policy"]), content: … }
 */
export function headerRefs(names: readonly HeaderName[]): Record<string, { $ref: string }> {
  return Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));
}

/**
 * The problem responses of an operation: one per status, each listing its codes and what they
 * mean in `x-problems`, and narrowing the Problem schema's `code` to them. The key check's
 * constant 401 body has no requestId, so `invalid_api_key` points to a schema of its own.
 *
 * @example
 * responses: { 200: { … }, ...problemResponses(["unauthenticated", ["not_found", "No key with that id."]]) }
 */
export function problemResponses(specs: readonly ProblemSpec[]): Record<number, ResponseDoc> {
  const byStatus = new Map<number, Array<{ code: FailureCode; meaning: string; headers: HeaderName[] }>>();
  for (const spec of specs) {
    const [code, meaning] = typeof spec === "string" ? [spec, PROBLEM_MEANINGS[spec]] : spec;
    const status = PROBLEM_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), { code, meaning, headers: PROBLEM_HEADERS[code] ?? [] }]);
  }
  const responses: Record<number, ResponseDoc> = {};
  for (const [status, problems] of [...byStatus].sort(([a], [b]) => a - b)) {
    const codes = problems.map((p) => p.code);
    const others = codes.filter((code) => code !== "invalid_api_key");
    const narrowed = { allOf: [{ $ref: "#/components/schemas/Problem" }, { properties: { code: { enum: others } } }] };
    const schema =
      others.length === codes.length
        ? narrowed
        : { anyOf: [{ $ref: "#/components/schemas/InvalidApiKeyProblem" }, ...(others.length ? [narrowed] : [])] };
    const headers = [...new Set(problems.flatMap((p) => p.headers))];
    const response = {
      description: codes.join(", "),
      ...(headers.length ? { headers: headerRefs(headers) } : {}),
      content: { "application/problem+json": { schema } },
      // Each code, what it means here, and which of the headers above it sends (rendered by /docs).
      "x-problems": problems,
    };
    responses[status] = response;
  }
  return responses;
}
