import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Failure, FailureCode, FieldError } from "../errors/failure";

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
  forbidden: 403,
  user_deactivated: 403,
  rotation_requires_owner: 403,
  not_found: 404,
  method_not_allowed: 405,
  key_not_active: 409,
  active_key_limit: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  rate_limited: 429,
  too_many_failed_attempts: 429,
  internal_error: 500,
  server_misconfigured: 500,
  upstream_unavailable: 502,
  identity_provider_unavailable: 503,
  limiter_unavailable: 503,
};

const TITLES: Record<FailureCode, string> = {
  malformed_json: "Malformed JSON",
  invalid_path: "Invalid path",
  invalid_cursor: "Invalid cursor",
  unauthenticated: "Authentication required",
  invalid_api_key: "Invalid API key",
  api_key_revoked: "API key revoked",
  api_key_expired: "API key expired",
  forbidden: "Forbidden",
  user_deactivated: "User deactivated",
  rotation_requires_owner: "Only the owner can rotate this key",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  key_not_active: "Key not active",
  active_key_limit: "Too many active keys",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  validation_failed: "Validation failed",
  rate_limited: "Too many requests",
  too_many_failed_attempts: "Too many failed attempts",
  internal_error: "Internal error",
  server_misconfigured: "Server misconfigured",
  upstream_unavailable: "Upstream unavailable",
  identity_provider_unavailable: "Identity provider unavailable",
  limiter_unavailable: "Rate limiter unavailable",
};

/** The RFC 9457 body every error response carries. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: FailureCode;
  requestId: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** The `type` URI of a problem code. */
export function problemType(code: FailureCode): string {
  return `urn:problem:api-keys:${code}`;
}

/**
 * Builds the problem+json response for a failure. Extra fields other than `headers` and
 * `retryAfterSeconds` become RFC 9457 extension members.
 *
 * @example
 * return renderProblem(new Failure("not_found", "No key with that id."), requestId);
 */
export function renderProblem(failure: Failure, requestId: string): Response {
  const { headers = {}, errors, retryAfterSeconds, ...extensions } = failure.extra;
  const status = PROBLEM_STATUS[failure.code];
  const body: ProblemBody = {
    type: problemType(failure.code),
    title: TITLES[failure.code],
    status,
    detail: failure.detail,
    code: failure.code,
    requestId,
    ...(errors ? { errors } : {}),
    ...extensions,
  };
  const responseHeaders = new Headers(headers);
  responseHeaders.set("Content-Type", "application/problem+json");
  responseHeaders.set("Cache-Control", "no-store");
  responseHeaders.set("X-Request-Id", requestId);
  if (retryAfterSeconds !== undefined) responseHeaders.set("Retry-After", String(retryAfterSeconds));
  return new Response(JSON.stringify(body), { status, headers: responseHeaders });
}
