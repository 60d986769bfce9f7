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
  | "forbidden"
  | "user_deactivated"
  | "rotation_requires_owner"
  | "not_found"
  | "method_not_allowed"
  | "key_not_active"
  | "active_key_limit"
  | "payload_too_large"
  | "unsupported_media_type"
  | "validation_failed"
  | "rate_limited"
  | "too_many_failed_attempts"
  | "internal_error"
  | "server_misconfigured"
  | "upstream_unavailable"
  | "identity_provider_unavailable"
  | "limiter_unavailable";

/** One invalid field of a request, as listed in a validation failure's `errors`. */
export interface FieldError {
  field: string;
  message: string;
}

/** Details a failure may carry: field errors, a retry delay, and RFC 9457 extension members. */
export interface FailureExtra {
  errors?: FieldError[];
  /** Whole seconds until a retry can succeed; becomes `Retry-After`. */
  retryAfterSeconds?: number;
  /** Extra response headers (rate-limit fields). */
  headers?: Record<string, string>;
  [extension: string]: unknown;
}

/**
 * An expected failure (not found, invalid input, rate limited…). Thrown by domain code and
 * turned into a problem+json response in exactly one place, `renderProblem`.
 *
 * @example
 * throw new Failure("not_found", "No key with that id.");
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
