import { html, nothing, type TemplateResult } from "lit";
import type { TermKey } from "../terms";
import type { ViewContext } from "../view-context";
import { ipAllowlistField } from "./ip-allowlist-field";

const EXPIRY_PRESETS = [30, 60, 90, 180, 365] as const;

/**
 * The places a new key's chain may be put at registration (`region` of `POST /v1/keys`):
 * Cloudflare's Durable Object location hints. Each is also its name's key in the catalogues.
 */
const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const satisfies readonly TermKey[];

export interface CreateState {
  kind: "create";
  name: string;
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
  errors: Record<string, string>;
  busy: boolean;
}

/**
 * A fresh create form: `defaultExpiryDays` preselected when it is one of the presets, else the
 * recommended 90; full access; automatic placement.
 *
 * @example
 * this.dialog = createState(this.defaultExpiryDays);
 */
export function createState(defaultExpiryDays: number): CreateState {
  const days = (EXPIRY_PRESETS as readonly number[]).includes(defaultExpiryDays) ? defaultExpiryDays : 90;
  return { kind: "create", name: "", expiry: String(days), customDate: "", scopes: null, permissions: null, region: "auto", allowedIps: "", errors: {}, busy: false };
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
 * The "New API key" form: name, expiry presets, a custom date or none (with its warning), the
 * permission picker (full access by default, or restricted to some of the user's permissions),
 * under "Advanced" where the key is checked and the addresses it may be used from, and the
 * server's refusals shown next to the field they concern.
 *
 * @example
 * html`${renderCreate(ctx, state, actions)}`
 */
export function renderCreate(ctx: ViewContext, state: CreateState, actions: FormActions<CreateState>): TemplateResult {
  const { t } = ctx;
  return formDialog(
    ctx,
    t("createTitle"),
    state,
    actions,
    html`
      <div class="field">
        <label for="key-expiry">${t("expiryLabel")}</label>
        <select id="key-expiry" .value=${state.expiry} @change=${(e: Event) => actions.onInput({ expiry: value(e) })}>
          ${EXPIRY_PRESETS.map((days) => html`<option value=${String(days)} ?selected=${state.expiry === String(days)}>${t("days", { n: days })}</option>`)}
          <option value="custom" ?selected=${state.expiry === "custom"}>${t("customDate")}</option>
          <option value="none" ?selected=${state.expiry === "none"}>${t("noExpiryOption")}</option>
        </select>
      </div>
      ${dateField(ctx, state, actions, state.expiry === "custom")}
      ${state.expiry === "none" ? html`<p class="warning" part="warning" role="note">${t("noExpiryWarning")}</p>` : nothing}
      ${scopePicker(ctx, state, actions)}
      ${advanced(ctx, state, actions)}
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

// Collapsed by default: automatic placement (near the first request that uses the key) and any
// address suit nearly every integration. The disclosure opens by itself when one of its fields is
// refused.
function advanced(ctx: ViewContext, state: CreateState, actions: FormActions<CreateState>): TemplateResult {
  const { t } = ctx;
  const error = state.errors.region;
  return html`
    <details class="field" ?open=${!!error || !!state.errors.allowedIps}>
      <summary>${t("advanced")}</summary>
      <label for="key-region">${t("regionLabel")}</label>
      <select id="key-region" aria-invalid=${error ? "true" : "false"} aria-describedby="key-region-help key-region-error"
        @change=${(e: Event) => actions.onInput({ region: value(e) })}>
        <option value="auto">${t("regionAuto")}</option>
        ${REGIONS.map((hint) => html`<option value=${hint}>${t(hint)}</option>`)}
      </select>
      <p class="muted" id="key-region-help">${t("regionHelp")}</p>
      <p class="error" id="key-region-error">${error ?? nothing}</p>
      ${ipAllowlistField(ctx, state, (text) => actions.onInput({ allowedIps: text }))}
    </details>
  `;
}
