import type { FailureCode } from "../errors/failure";

/**
 * What each problem code means to a caller, as the docs list it under an operation. An operation
 * may say it more precisely for itself (operations.ts); the status always comes from
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
  forbidden: "The key lacks a permission the route requires.",
  user_deactivated: "You have been deactivated through the admin API.",
  rotation_requires_owner: "The key belongs to someone else and can do something you can't: only its owner may rotate it (you may revoke it).",
  not_found: "No such key, or one you may not see (another org's, or another member's unless you hold api_keys:admin).",
  method_not_allowed: "The path exists, but not with this method; Allow lists the methods it takes.",
  key_not_active: "Only an active key that has not been rotated yet can be rotated.",
  active_key_limit: "The owner already has MAX_ACTIVE_KEYS_PER_USER active keys.",
  payload_too_large: "The body is over 16 KiB (counted while streaming, chunked bodies too).",
  unsupported_media_type: "The body is not Content-Type: application/json.",
  validation_failed: "A field is invalid or unknown; errors lists each one.",
  rate_limited:
    "Over one of the key's limits (burst: 10 requests in any 1 s; minute: 100 in any 60 s); policy names which, Retry-After says when a request would be admitted.",
  too_many_failed_attempts:
    "This client address presented too many invalid keys; Retry-After is the rest of the throttle's period. No key's limit was reached, so no policy.",
  internal_error: "Something went wrong on our side; the request id is in the log.",
  server_misconfigured: "A required setting is missing or unsafe; the Worker's log names it.",
  upstream_unavailable: "UPSTREAM_URL could not be reached.",
  identity_provider_unavailable: "The identity provider's signing keys (AUTH_JWKS_URL) could not be fetched; retry shortly.",
  limiter_unavailable: "The key's Durable Object did not answer (unreachable, overloaded or silent for 5 s): the request was not admitted.",
};
