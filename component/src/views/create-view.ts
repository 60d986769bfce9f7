import { html, nothing, type TemplateResult } from "lit";
import { localDate } from "../local-date";
import type { TermKey } from "../terms";
import type { OrgPolicy } from "../types";
import type { ViewContext } from "../view-context";
import { descriptionField } from "./description-field";
import { ipAllowlistField } from "./ip-allowlist-field";
import { policySummary } from "./policy-summary";

const EXPIRY_PRESETS = [30, 60, 90, 180, 365];
export const DAY = 86_400_000;

/**
 * The places a new key's chain may be put at registration (`region` of `POST /v1/keys`):
 * Cloudflare's Durable Object location hints. Each is also its name's key in the catalogues.
 */
const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const satisfies readonly TermKey[];

export interface CreateState {
  kind: "create";
  name: string;
  /** The optional description's text. */
  description: string;
  /** A preset's day count, "custom" or "none". */
  expiry: string;
  customDate: string;
  /** The scopes ticked when "Restricted"; null for full access (the default). */
  scopes: string[] | null;
  /** The signed-in user's permissions, the scopes to choose from; null until `GET /v1/me` answers. */
  permissions: string[] | null;
  /** "auto" (the chain is placed near the key's first use, the default) or one of {@link REGIONS}. */
  region: string;
  /** The IP allowlist's text, entries one per line; empty: any address. */
  allowedIps: string;
  /** A canary key (honeytoken) rather than one for an integration. */
  canary: boolean;
  /** The org's policies the form follows (GET /v1/org/policy); null: not known, every choice offered (the server still decides). */
  policy: OrgPolicy | null;
  /** The user's active keys, against the policy's cap; null until counted (or when they could not be). */
  activeKeys: number | null;
  errors: Record<string, string>;
  busy: boolean;
}

/**
 * The expiries the form offers, in days: the presets within the org's maximum lifetime, that
 * maximum itself when it is shorter than a year and no preset, and the org's default expiry.
 *
 * @example
 * expiryChoices({ maxKeyLifetimeDays: 45, defaultExpiryDays: 14, … }); // [14, 30, 45]
 */
export function expiryChoices(policy: OrgPolicy | null): number[] {
  if (!policy) return [...EXPIRY_PRESETS];
  const max = policy.maxKeyLifetimeDays;
  const days: number[] = EXPIRY_PRESETS.filter((n) => n <= max);
  if (max < 365 && !days.includes(max)) days.push(max);
  const preset = policy.defaultExpiryDays;
  if (preset && preset <= max && !days.includes(preset)) days.push(preset);
  return days.sort((a, b) => a - b);
}

/**
 * The expiry a new key starts with: the org's default expiry when it has one; else
 * `defaultExpiryDays` when the form offers it, else the recommended 90, else the longest offered.
 *
 * @example
 * defaultExpiry(30, null); // "30"
 */
export function defaultExpiry(defaultExpiryDays: number, policy: OrgPolicy | null): string {
  const choices = expiryChoices(policy);
  const wanted = [policy?.defaultExpiryDays, defaultExpiryDays, 90].find((n) => n && choices.includes(n));
  return String(wanted ?? choices[choices.length - 1]);
}

/**
 * A fresh create form: the org's default expiry, or `defaultExpiryDays` when it is one of the
 * presets, else the recommended 90 (always within the org's maximum lifetime); full access;
 * automatic placement; not a canary.
 *
 * @example
 * this.dialog = createState(this.defaultExpiryDays, this.policy);
 */
export function createState(defaultExpiryDays: number, policy: OrgPolicy | null = null): CreateState {
  return {
    kind: "create", name: "", description: "", expiry: defaultExpiry(defaultExpiryDays, policy), customDate: "", scopes: null, permissions: null,
    region: "auto", allowedIps: "", canary: false, policy, activeKeys: null, errors: {}, busy: false,
  };
}

/** What a form dialog (create, edit) does with the user's input. */
export interface FormActions<S> {
  onInput: (patch: Partial<S>) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

/** A form dialog's state as {@link formDialog} needs it. */
interface FormState {
  name: string;
  customDate: string;
  errors: Record<string, string>;
  busy: boolean;
}

const value = (e: Event) => (e.target as HTMLInputElement).value;

/**
 * The "New API key" form: name, description, the expiries the org's policy allows (presets, a
 * custom date up to its maximum lifetime, or none unless it requires an expiry, with its warning),
 * the permission picker (full access by default, or restricted to some of the user's
 * permissions), under "Advanced" where the key is checked, the addresses it may be used from and
 * the canary option, the user's active keys against the cap, the org's policy read-only, and the
 * server's refusals shown next to the field they concern.
 *
 * @example
 * html`${renderCreate(ctx, state, actions)}`
 */
export function renderCreate(ctx: ViewContext, state: CreateState, actions: FormActions<CreateState>): TemplateResult {
  const { t } = ctx;
  const { policy } = state;
  const latest = policy && localDate(new Date(ctx.now + policy.maxKeyLifetimeDays * DAY).toISOString());
  return formDialog(
    ctx,
    t("createTitle"),
    state,
    actions,
    html`
      ${descriptionField(ctx, state, (text) => actions.onInput({ description: text }))}
      <div class="field">
        <label for="key-expiry">${t("expiryLabel")}</label>
        <select id="key-expiry" aria-describedby="key-expiry-help" .value=${state.expiry} @change=${(e: Event) => actions.onInput({ expiry: value(e) })}>
          ${expiryChoices(policy).map((days) => html`<option value=${String(days)} ?selected=${state.expiry === String(days)}>${t("days", { n: days })}</option>`)}
          <option value="custom" ?selected=${state.expiry === "custom"}>${t("customDate")}</option>
          ${policy?.requireExpiry ? nothing : html`<option value="none" ?selected=${state.expiry === "none"}>${t("noExpiryOption")}</option>`}
        </select>
        <p class="muted" id="key-expiry-help">${policy ? t(policy.requireExpiry ? "policyMustExpire" : "policyMayExpire", { n: policy.maxKeyLifetimeDays }) : nothing}</p>
      </div>
      ${dateField(ctx, state, actions, state.expiry === "custom", latest ?? undefined)}
      ${state.expiry === "none" ? html`<p class="warning" part="warning" role="note">${t("noExpiryWarning")}</p>` : nothing}
      ${scopePicker(ctx, state, actions)}
      ${advanced(ctx, state, actions)}
      ${policy ? policySummary(ctx, policy, state.canary ? null : state.activeKeys) : nothing}
    `,
    state.busy ? t("creating") : t("create"),
  );
}

/**
 * A form dialog: title, a refusal of the whole form, the name field, the dialog's own `fields`,
 * Cancel and the submit button.
 *
 * @example
 * formDialog(ctx, t("editTitle", { name }), state, actions, html`…`, t("save"))
 */
export function formDialog<S extends FormState>(
  ctx: ViewContext,
  title: string,
  state: S,
  actions: FormActions<S>,
  fields: unknown,
  submitLabel: string,
): TemplateResult {
  const { t } = ctx;
  const submit = (e: Event) => {
    e.preventDefault();
    actions.onSubmit();
  };
  return html`
    <form @submit=${submit} novalidate>
      <h3 id="dialog-title">${title}</h3>
      ${state.errors.form ? html`<p class="error" role="alert">${state.errors.form}</p>` : nothing}
      <div class="field">
        <label for="key-name">${t("nameLabel")}</label>
        <input id="key-name" type="text" autocomplete="off" maxlength="64" required autofocus
          aria-invalid=${state.errors.name ? "true" : "false"} aria-describedby="key-name-help key-name-error"
          .value=${state.name} @input=${(e: Event) => actions.onInput({ name: value(e) } as Partial<S>)} />
        <p class="muted" id="key-name-help">${t("nameHelp")}</p>
        <p class="error" id="key-name-error">${state.errors.name ?? nothing}</p>
      </div>
      ${fields}
      <div class="buttons">
        <button type="button" @click=${actions.onCancel}>${t("cancel")}</button>
        <button type="submit" class="primary" ?disabled=${state.busy}>${submitLabel}</button>
      </div>
    </form>
  `;
}

/**
 * The custom expiry date when `shown` (at most `max`, a `yyyy-mm-dd` date), with its error; else
 * only the error, if any.
 *
 * @example
 * dateField(ctx, state, actions, state.expiry === "custom", "2026-09-30")
 */
export function dateField<S extends FormState>(ctx: ViewContext, state: S, actions: FormActions<S>, shown: boolean, max?: string) {
  const error = state.errors.expiresAt;
  return shown
    ? html`<div class="field">
        <label for="key-date">${ctx.t("customDateLabel")}</label>
        <input id="key-date" type="date" required max=${max ?? nothing} aria-invalid=${error ? "true" : "false"} aria-describedby="key-date-error"
          .value=${state.customDate} @input=${(e: Event) => actions.onInput({ customDate: value(e) } as Partial<S>)} />
        <p class="error" id="key-date-error">${error ?? nothing}</p>
      </div>`
    : error
      ? html`<p class="error">${error}</p>`
      : nothing;
}

// Full access is the default and says what it means; "Restricted" reveals one checkbox per
// permission the user holds now (from GET /v1/me, never from configuration).
function scopePicker(ctx: ViewContext, state: CreateState, actions: FormActions<CreateState>): TemplateResult {
  const { t } = ctx;
  const { scopes } = state;
  const toggle = (scope: string) => (e: Event) =>
    actions.onInput({ scopes: (e.target as HTMLInputElement).checked ? [...scopes!, scope] : scopes!.filter((s) => s !== scope) });
  return html`
    <fieldset class="field" aria-describedby="scopes-error">
      <legend>${t("scopesLabel")}</legend>
      <label><input type="radio" name="access" .checked=${!scopes} @change=${() => actions.onInput({ scopes: null })} />
        ${t("fullAccess")} (${t("fullAccessHelp")})</label>
      <label><input type="radio" name="access" .checked=${!!scopes} @change=${() => actions.onInput({ scopes: [] })} />
        ${t("restricted")}</label>
      ${scopes
        ? html`<div class="scopes">
            ${state.permissions?.map((p) => html`<label><input type="checkbox" .checked=${scopes.includes(p)} @change=${toggle(p)} /> <code>${p}</code></label>`)}
          </div>`
        : nothing}
      <p class="error" id="scopes-error">${state.errors.scopes ?? nothing}</p>
    </fieldset>
  `;
}

// Collapsed by default: automatic placement (near the first request that uses the key), any
// address and a real key suit nearly every integration. The disclosure opens by itself when one
// of its fields is refused. A canary answers every use alike, so it takes no IP allowlist.
function advanced(ctx: ViewContext, state: CreateState, actions: FormActions<CreateState>): TemplateResult {
  const { t } = ctx;
  const error = state.errors.region;
  return html`
    <details class="field" ?open=${!!error || !!state.errors.allowedIps || state.canary}>
      <summary>${t("advanced")}</summary>
      <label for="key-region">${t("regionLabel")}</label>
      <select id="key-region" aria-invalid=${error ? "true" : "false"} aria-describedby="key-region-help key-region-error"
        @change=${(e: Event) => actions.onInput({ region: value(e) })}>
        <option value="auto">${t("regionAuto")}</option>
        ${REGIONS.map((hint) => html`<option value=${hint}>${t(hint)}</option>`)}
      </select>
      <p class="muted" id="key-region-help">${t("regionHelp")}</p>
      <p class="error" id="key-region-error">${error ?? nothing}</p>
      ${state.canary ? nothing : ipAllowlistField(ctx, state, (text) => actions.onInput({ allowedIps: text }))}
      <label><input type="checkbox" id="key-canary" aria-describedby="key-canary-help" .checked=${state.canary}
        @change=${(e: Event) => actions.onInput({ canary: (e.target as HTMLInputElement).checked })} /> ${t("canaryLabel")}</label>
      <p class="muted" id="key-canary-help">${t("canaryHelp")}</p>
    </details>
  `;
}
