// errors/: the vocabulary of expected outcomes, by code (not found, rate limited, invalid
// input…), with typed details and no HTTP: statuses, titles and headers are given to them in
// http/. The bottom floor: imports nothing of the project.

/**
 * Every expected failure the system can report. The HTTP status of each lives in one map,
 * `PROBLEM_STATUS` in http/problem.ts; domain code only names the failure.
 */
export type FailureCode =
  | "malformed_json"
  | "invalid_path"
  | "invalid_cursor"
  | "unauthenticated"
  | "invalid_api_key"
  | "api_key_revoked"
  | "api_key_expired"
  | "api_key_disabled"
  | "forbidden"
  | "user_deactivated"
  | "ip_not_allowed"
  | "rotation_requires_owner"
  | "not_found"
  | "method_not_allowed"
  | "key_not_active"
  | "active_key_limit"
  | "webhook_endpoint_limit"
  | "webhook_endpoint_disabled"
  | "payload_too_large"
  | "unsupported_media_type"
  | "validation_failed"
  | "rate_limited"
  | "credits_exhausted"
  | "too_many_failed_attempts"
  | "internal_error"
  | "server_misconfigured"
  | "upstream_unavailable"
  | "identity_provider_unavailable"
  | "limiter_unavailable"
  | "storage_unavailable";

/** One invalid field of a request, as listed in a validation failure's `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Typed details a failure may carry. None of them is a header: the renderer (http/problem.ts)
 * decides which become members of the problem body and which become response headers.
 */
export interface FailureExtra {
  /** `validation_failed`: each invalid field. */
  errors?: FieldError[];
  /** Whole seconds until a retry can succeed. */
  retryAfterSeconds?: number;
  /** `rate_limited`: the name of the limit that was reached. */
  policy?: string;
  /** `rate_limited`: the key's policies, as the `RateLimit-Policy` field lists them (default: the deployment's). */
  rateLimitPolicy?: string;
  /** `unauthenticated`: which credential the caller should have sent (the challenge's realm). */
  realm?: string;
  /** `method_not_allowed`: the methods the path does take. */
  allow?: readonly string[];
}

/**
 * An expected failure (not found, invalid input, rate limited…). Thrown by the web layer and by
 * the few domain helpers that have no other way out, and turned into a problem+json response in
 * exactly one place, `renderProblem`. Use cases return their outcomes as values instead
 * (`KeyService`, `verifyApiKey`); http/outcome-problems.ts maps those.
 *
 * @example
 * throw new Failure("not_found", "No such route.");
 */
export class Failure extends Error {
  override name = "Failure";

  constructor(
    readonly code: FailureCode,
    readonly detail: string,
    readonly extra: FailureExtra = {},
  ) {
    super(detail);
  }
}
