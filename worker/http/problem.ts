// http/: the web side's plumbing: the one problem+json renderer and the outcome-to-problem
// mapping, route definitions (validation with our JSON body reader), CORS, security headers,
// request ids and origins, 405s, and the sign-in middleware. Floor: imports app-env and every
// domain floor below it; never edge/, routes/ or openapi/.

import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Failure, FailureCode, FieldError } from "../errors/failure";
import { policyHeader } from "../limiter/rate-limit-headers";
import { POLICIES } from "../limiter/sliding-window";

/**
 * Every failure code mapped to its HTTP status. The map is exhaustive: adding a code without a
 * status is a type error, and the renderer never guesses.
 */
export const PROBLEM_STATUS: Record<FailureCode, ContentfulStatusCode> = {
  malformed_json: 400,
  invalid_path: 400,
  invalid_cursor: 400,
  unauthenticated: 401,
  invalid_api_key: 401,
  api_key_revoked: 401,
  api_key_expired: 401,
  api_key_disabled: 401,
  forbidden: 403,
  user_deactivated: 403,
  ip_not_allowed: 403,
  rotation_requires_owner: 403,
  not_found: 404,
  method_not_allowed: 405,
  key_not_active: 409,
  active_key_limit: 409,
  webhook_endpoint_limit: 409,
  webhook_endpoint_disabled: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  credits_exhausted: 429,
  too_many_failed_attempts: 429,
  internal_error: 500,
  server_misconfigured: 500,
  upstream_unavailable: 502,
  identity_provider_unavailable: 503,
  limiter_unavailable: 503,
  storage_unavailable: 503,
};

const TITLES: Record<FailureCode, string> = {
  malformed_json: "Malformed JSON",
  invalid_path: "Invalid path",
  invalid_cursor: "Invalid cursor",
  unauthenticated: "Authentication required",
  invalid_api_key: "Invalid API key",
  api_key_revoked: "API key revoked",
  api_key_expired: "API key expired",
  api_key_disabled: "API key paused",
  forbidden: "Forbidden",
  user_deactivated: "User deactivated",
  ip_not_allowed: "IP address not allowed",
  rotation_requires_owner: "Only the owner can rotate this key",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  key_not_active: "Key not active",
  active_key_limit: "Too many active keys",
  webhook_endpoint_limit: "Too many webhook endpoints",
  webhook_endpoint_disabled: "Webhook endpoint disabled",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  rate_limited: "Too many requests",
  credits_exhausted: "Credits exhausted",
  too_many_failed_attempts: "Too many failed attempts",
  internal_error: "Internal error",
  server_misconfigured: "Server misconfigured",
  upstream_unavailable: "Upstream unavailable",
  identity_provider_unavailable: "Identity provider unavailable",
  limiter_unavailable: "Rate limiter unavailable",
  storage_unavailable: "Key store unavailable",
};

/**
 * Codes whose body must not tell one request from another: the key check's 401 is the same bytes
 * for a missing, malformed, forged, unknown or wrong-secret key, so it carries no `requestId`
 * (the id travels in `X-Request-Id` only).
 */
const ANONYMOUS: ReadonlySet<FailureCode> = new Set(["invalid_api_key"]);

/** The RFC 9457 body every error response carries. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: FailureCode;
  /** Absent only from the key check's constant 401. */
  requestId: string;
  errors?: FieldError[];
  /** `rate_limited`: the limit that was reached. */
  policy?: string;
}

/** The `type` URI of a problem code. */
export function problemType(code: FailureCode): string {
  return `urn:problem:api-keys:${code}`;
}

/**
 * The body of a failure's problem, as sent. `errors` and `policy` are RFC 9457 extension members;
 * the failure's other fields become headers ({@link renderProblem}).
 *
 * @example
 * problemJson(new Failure("not_found", "No such route."), "req_…"); // '{"type":"urn:problem:api-keys:not_found",…}'
 */
export function problemJson(failure: Failure, requestId: string): string {
  const { errors, policy } = failure.extra;
  const body = {
    type: problemType(failure.code),
    title: TITLES[failure.code],
    status: PROBLEM_STATUS[failure.code],
    detail: failure.detail,
    code: failure.code,
    ...(ANONYMOUS.has(failure.code) ? {} : { requestId }),
    ...(errors ? { errors } : {}),
    ...(policy === undefined ? {} : { policy }),
  };
  return JSON.stringify(body);
}

/**
 * Builds the problem+json response for a failure: the body from {@link problemJson}, and the
 * headers its typed fields call for: `Retry-After` (`retryAfterSeconds`), the rate-limit fields
 * with nothing remaining (`policy`), a `WWW-Authenticate` challenge (`unauthenticated` with its
 * `realm`, and the key check's `invalid_api_key`) and `Allow` (`allow`).
 *
 * @example
 * return renderProblem(new Failure("not_found", "No such route."), requestId);
 */
export function renderProblem(failure: Failure, requestId: string): Response {
  const { retryAfterSeconds, policy, rateLimitPolicy, realm, allow } = failure.extra;
  const headers = new Headers({ "Content-Type": "application/problem+json", "Cache-Control": "no-store" });
  if (failure.code === "invalid_api_key") headers.set("WWW-Authenticate", 'ApiKey header="X-API-Key"');
  if (failure.code === "unauthenticated") headers.set("WWW-Authenticate", `Bearer realm="${realm ?? "api-keys"}"`);
  if (allow) headers.set("Allow", allow.join(", "));
  if (policy !== undefined) {
    headers.set("RateLimit-Policy", rateLimitPolicy ?? policyHeader(POLICIES));
    headers.set("RateLimit", `"${policy}";r=0;t=${retryAfterSeconds ?? 0}`);
  }
  headers.set("X-Request-Id", requestId);
  if (retryAfterSeconds !== undefined) headers.set("Retry-After", String(retryAfterSeconds));
  return new Response(problemJson(failure, requestId), { status: PROBLEM_STATUS[failure.code], headers });
}
