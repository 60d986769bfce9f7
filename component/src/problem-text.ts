import { ApiError } from "./api-client";
import type { TermKey } from "./terms";
import type { ViewContext } from "./view-context";

/**
 * Every problem `code` the API sends (worker/errors/failure.ts, README "Errors"), with the
 * catalogue sentence shown for it instead of the server's English `detail`. Codes a user can do
 * nothing different about share a sentence. An unknown code shows the server's `detail`.
 */
export const CODE_TERMS: Record<string, TermKey> = {
  malformed_json: "errorRequest",
  invalid_path: "errorRequest",
  invalid_cursor: "errorRequest",
  unauthenticated: "signInAgain",
  invalid_api_key: "signInAgain",
  api_key_revoked: "signInAgain",
  api_key_expired: "signInAgain",
  api_key_disabled: "signInAgain",
  forbidden: "errorForbidden",
  user_deactivated: "errorForbidden",
  ip_not_allowed: "errorForbidden",
  rotation_requires_owner: "rotateOwnerReason",
  not_found: "errorStale",
  method_not_allowed: "errorRequest",
  key_not_active: "errorStale",
  active_key_limit: "errorKeyLimit",
  payload_too_large: "errorRequest",
  unsupported_media_type: "errorRequest",
  validation_failed: "errorRequest",
  rate_limited: "errorRateLimited",
  too_many_failed_attempts: "errorRateLimited",
  credits_exhausted: "errorRateLimited",
  internal_error: "errorGeneric",
  server_misconfigured: "errorGeneric",
  upstream_unavailable: "errorGeneric",
  identity_provider_unavailable: "errorGeneric",
  limiter_unavailable: "errorGeneric",
  storage_unavailable: "errorGeneric",
  webhook_endpoint_limit: "errorEndpointLimit",
  webhook_endpoint_disabled: "errorEndpointDisabled",
};

/**
 * The sentence to show for a failed call, in the element's language: a network failure, an
 * expired session, or the catalogue's sentence for the problem's `code`; the server's `detail`
 * only for a code the catalogue does not know; else a generic failure.
 *
 * @example
 * problemMessage(error, ctx.t); // "The server could not be reached."
 */
export function problemMessage(error: unknown, t: ViewContext["t"]): string {
  if (!(error instanceof ApiError)) return t("errorGeneric");
  const { status, code, detail } = error.problem;
  if (status === 0) return t("errorNetwork");
  if (status === 401) return t("signInAgain");
  const known = code && Object.hasOwn(CODE_TERMS, code) ? CODE_TERMS[code] : undefined;
  return known ? t(known) : (detail ?? t("errorGeneric"));
}

/** The fields the forms show a refusal next to: the create and edit forms', and the webhook endpoint form's. */
const FORM_FIELDS = ["name", "expiresAt", "scopes", "region", "allowedIps", "url", "events", "description"];

/**
 * A 422's per-field messages for the forms: `name`, `expiresAt`, `scopes` (`scopes.2` too: one
 * scope of the list), `region`, `allowedIps` (`allowedIps.3`: the fourth entry, named so) and a
 * webhook endpoint's `url`, `events` and `description` next to their fields, anything else (or no
 * field list) as a message for the whole form; several messages for one field are shown one per
 * line. Field messages are the server's own words (English): they name the exact rule that
 * failed, which the catalogue could only match by parsing server prose. The forms check what
 * they can in the element's language first.
 *
 * @example
 * fieldErrorsOf(error, ctx.t); // { name: "Name must not contain control, bidi or zero-width characters." }
 */
export function fieldErrorsOf(error: unknown, t: ViewContext["t"]): Record<string, string> {
  const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  const errors: Record<string, string> = {};
  for (const { field, message } of fields) {
    const [name, index] = field.split(".");
    const key = FORM_FIELDS.includes(name!) ? name! : "form";
    const text = name === "allowedIps" && index ? `${t("ipEntry", { n: Number(index) + 1 })}: ${message}` : message;
    errors[key] = errors[key] ? `${errors[key]}\n${text}` : text;
  }
  if (!fields.length) errors.form = problemMessage(error, t);
  return errors;
}
