import { checkAllowlist } from "./ip-allowlist";
import type { ViewContext } from "./view-context";
import type { CreateState } from "./views/create-view";
import { type EditState, localDate } from "./views/edit-view";

const DAY = 86_400_000;

/** A form's verdict: its errors by field (none: send `body`). */
export interface FormCheck<B> {
  errors: Record<string, string>;
  body: B;
}

/** What `POST /v1/keys` gets from the create form. */
export interface CreateBody {
  name: string;
  expiresAt: string | null;
  scopes?: string[];
  region?: string;
  allowedIps?: string[];
}

/** What `PATCH /v1/keys/{id}` gets from the edit form: only what changed. */
export interface EditBody {
  name?: string;
  expiresAt?: string;
  /** The new allowlist when it changed: null lifts the restriction. */
  allowedIps?: string[] | null;
}

/**
 * Checks the create form in the element's language (name, custom date, a restricted key's
 * scopes, the IP allowlist) and builds the request. Full access sends no scopes (the key inherits
 * its creator's permissions); automatic placement sends no region (the chain is placed where the
 * key is first used); an empty allowlist sends none (any address).
 *
 * @example
 * const { errors, body } = checkCreate(state, ctx.t, Date.now());
 */
export function checkCreate(state: CreateState, t: ViewContext["t"], now: number): FormCheck<CreateBody> {
  const name = state.name.trim();
  const errors = nameErrors(name, t);
  const expiresAt = expiryOf(state, now);
  if (expiresAt === undefined) errors.expiresAt = t("customDateInvalid");
  const { scopes, region } = state;
  if (scopes?.length === 0) errors.scopes = t("scopesRequired");
  const ips = checkAllowlist(state.allowedIps, t);
  if (ips.error) errors.allowedIps = ips.error;
  return {
    errors,
    body: { name, expiresAt: expiresAt ?? null, scopes: scopes ?? undefined, region: region === "auto" ? undefined : region, allowedIps: ips.list.length ? ips.list : undefined },
  };
}

/**
 * Checks the edit form: the name; the date, which keeps the expiry as it was (or cleared: an
 * expiry is never removed) or moves it earlier, never later (the server refuses that too); and
 * the IP allowlist (emptied: null, any address). The body holds only what changed, and is empty
 * when nothing did.
 *
 * @example
 * const { errors, body } = checkEdit(state, ctx.t, Date.now());
 */
export function checkEdit(state: EditState, t: ViewContext["t"], now: number): FormCheck<EditBody> {
  const { key, customDate } = state;
  const name = state.name.trim();
  const errors = nameErrors(name, t);
  const current = key.expiresAt && localDate(key.expiresAt);
  let expiresAt: string | undefined;
  if (customDate && customDate !== current) {
    if (current && customDate > current) errors.expiresAt = t("expiryNotLater");
    else if (!(expiresAt = customExpiry(customDate, now))) errors.expiresAt = t("customDateInvalid");
  }
  const ips = checkAllowlist(state.allowedIps, t);
  if (ips.error) errors.allowedIps = ips.error;
  const allowedIps = ips.list.join() === (key.allowedIps ?? []).join() ? undefined : ips.list.length ? ips.list : null;
  return { errors, body: { name: name === key.name ? undefined : name, expiresAt, allowedIps } };
}

/** The name field's error in the element's language, if any. */
function nameErrors(name: string, t: ViewContext["t"]): Record<string, string> {
  if (!name) return { name: t("nameRequired") };
  return [...name].length > 64 ? { name: t("nameTooLong", { n: 64 }) } : {};
}

/** The ISO expiry of the create form: null for none, undefined when the custom date is unusable. */
function expiryOf(state: CreateState, now: number): string | null | undefined {
  if (state.expiry === "none") return null;
  if (state.expiry !== "custom") return new Date(now + Number(state.expiry) * DAY).toISOString();
  return customExpiry(state.customDate, now);
}

/** The end (23:59:59 local) of a `yyyy-mm-dd` date as ISO; undefined unless that is a minute ahead or more. */
function customExpiry(date: string, now: number): string | undefined {
  const at = Date.parse(`${date}T23:59:59`);
  return at > now + 60_000 ? new Date(at).toISOString() : undefined;
}
