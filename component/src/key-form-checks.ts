import { checkAllowlist } from "./ip-allowlist";
import type { ViewContext } from "./view-context";
import type { CreateState } from "./views/create-view";
import { localDate } from "./local-date";
import type { EditState } from "./views/edit-view";

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
  description?: string;
  canary?: boolean;
}

/** What `PATCH /v1/keys/{id}` gets from the edit form: only what changed. */
export interface EditBody {
  name?: string;
  expiresAt?: string;
  /** The new allowlist when it changed: null lifts the restriction. */
  allowedIps?: string[] | null;
  /** The new description when it changed: null removes it. */
  description?: string | null;
}

/**
 * Checks the create form in the element's language (name, description, custom date within the
 * org's maximum lifetime, a restricted key's scopes, the IP allowlist) and builds the request.
 * Full access sends no scopes (the key inherits its creator's permissions); automatic placement
 * sends no region (the chain is placed where the key is first used); an empty allowlist sends
 * none (any address), and so does a canary (which takes none).
 *
 * @example
 * const { errors, body } = checkCreate(state, ctx.t, Date.now());
 */
export function checkCreate(state: CreateState, t: ViewContext["t"], now: number): FormCheck<CreateBody> {
  const name = state.name.trim();
  const description = state.description.trim();
  const errors = { ...nameErrors(name, t), ...descriptionErrors(description, t) };
  const expiresAt = expiryOf(state, now);
  if (expiresAt === undefined) errors.expiresAt = t("customDateInvalid");
  const { scopes, region, canary } = state;
  if (scopes?.length === 0) errors.scopes = t("scopesRequired");
  const ips = checkAllowlist(canary ? "" : state.allowedIps, t);
  if (ips.error) errors.allowedIps = ips.error;
  return {
    errors,
    body: {
      name, expiresAt: expiresAt ?? null, scopes: scopes ?? undefined, region: region === "auto" ? undefined : region, allowedIps: ips.list.length ? ips.list : undefined,
      description: description || undefined, canary: canary || undefined,
    },
  };
}

/**
 * Checks the edit form: the name; the description (emptied: null, removed); the date, which keeps
 * the expiry as it was (or cleared: an expiry is never removed) or moves it earlier, never later
 * (the server refuses that too); and the IP allowlist (emptied: null, any address). The body holds
 * only what changed, and is empty when nothing did.
 *
 * @example
 * const { errors, body } = checkEdit(state, ctx.t, Date.now());
 */
export function checkEdit(state: EditState, t: ViewContext["t"], now: number): FormCheck<EditBody> {
  const { key, customDate } = state;
  const name = state.name.trim();
  const description = state.description.trim();
  const errors = { ...nameErrors(name, t), ...descriptionErrors(description, t) };
  const current = key.expiresAt && localDate(key.expiresAt);
  let expiresAt: string | undefined;
  if (customDate && customDate !== current) {
    // A key without an expiry may get one at most the org's maximum lifetime ahead, as on create.
    const latest = !current && state.policy ? now + state.policy.maxKeyLifetimeDays * DAY : Infinity;
    if (current && customDate > current) errors.expiresAt = t("expiryNotLater");
    else if (!(Date.parse(`${customDate}T00:00:00`) < latest && (expiresAt = customExpiry(customDate, now, latest)))) errors.expiresAt = t("customDateInvalid");
  }
  const ips = checkAllowlist(state.allowedIps, t);
  if (ips.error) errors.allowedIps = ips.error;
  const allowedIps = ips.list.join() === (key.allowedIps ?? []).join() ? undefined : ips.list.length ? ips.list : null;
  const changed = description !== (key.description ?? "");
  return { errors, body: { name: name === key.name ? undefined : name, expiresAt, allowedIps, description: changed ? description || null : undefined } };
}

/** The name field's error in the element's language, if any. */
function nameErrors(name: string, t: ViewContext["t"]): Record<string, string> {
  if (!name) return { name: t("nameRequired") };
  return [...name].length > 64 ? { name: t("nameTooLong", { n: 64 }) } : {};
}

/** The description's error in the element's language, if any (at most 500 characters). */
function descriptionErrors(description: string, t: ViewContext["t"]): Record<string, string> {
  return [...description].length > 500 ? { description: t("nameTooLong", { n: 500 }) } : {};
}

/**
 * The ISO expiry of the create form: null for none, undefined when the custom date is unusable.
 * The last day the org's maximum lifetime allows ends at that maximum, not at midnight.
 */
function expiryOf(state: CreateState, now: number): string | null | undefined {
  if (state.expiry === "none") return null;
  if (state.expiry !== "custom") return new Date(now + Number(state.expiry) * DAY).toISOString();
  const latest = state.policy ? now + state.policy.maxKeyLifetimeDays * DAY : Infinity;
  const day = Date.parse(`${state.customDate}T00:00:00`);
  return day < latest ? customExpiry(state.customDate, now, latest) : undefined;
}

/** The end (23:59:59 local, or `latest` if earlier) of a `yyyy-mm-dd` date as ISO; undefined unless that is a minute ahead or more. */
function customExpiry(date: string, now: number, latest = Infinity): string | undefined {
  const at = Math.min(Date.parse(`${date}T23:59:59`), latest);
  return at > now + 60_000 ? new Date(at).toISOString() : undefined;
}
