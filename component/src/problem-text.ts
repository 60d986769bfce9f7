import { ApiError } from "./api-client";
import type { TermKey } from "./terms";
import type { ViewContext } from "./view-context";

/** Problem codes whose catalogue sentence replaces the server's (English-only) `detail`. */
const CODE_TERMS: Partial<Record<string, TermKey>> = {
  rotation_requires_owner: "rotateOwnerReason",
};

/**
 * The sentence to show for a failed call: the catalogue's words for a network failure, an expired
 * session or a code it explains, else the server's `detail`, else a generic failure.
 *
 * @example
 * problemMessage(error, ctx.t); // "The server could not be reached."
 */
export function problemMessage(error: unknown, t: ViewContext["t"]): string {
  if (!(error instanceof ApiError)) return t("errorGeneric");
  if (error.problem.status === 0) return t("errorNetwork");
  if (error.problem.status === 401) return t("signInAgain");
  const known = error.problem.code ? CODE_TERMS[error.problem.code] : undefined;
  if (known) return t(known);
  return error.problem.detail ?? t("errorGeneric");
}

/**
 * A 422's per-field messages for the create form: `name` and `expiresAt` next to their fields,
 * anything else (or no field list) as a message for the whole form.
 *
 * @example
 * fieldErrorsOf(error, ctx.t); // { name: "Name must not contain control, bidi or zero-width characters." }
 */
export function fieldErrorsOf(error: unknown, t: ViewContext["t"]): Record<string, string> {
  const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  const errors: Record<string, string> = {};
  for (const { field, message } of fields) errors[field === "name" || field === "expiresAt" ? field : "form"] = message;
  if (!fields.length) errors.form = problemMessage(error, t);
  return errors;
}
