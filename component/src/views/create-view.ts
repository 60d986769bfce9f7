import { html, nothing, type TemplateResult } from "lit";
import type { ViewContext } from "../view-context";

export const EXPIRY_PRESETS = [30, 60, 90, 180, 365] as const;

export interface CreateState {
  kind: "create";
  name: string;
  /** A preset's day count, "custom" or "none". */
  expiry: string;
  customDate: string;
  errors: Record<string, string>;
  busy: boolean;
}

export interface CreateActions {
  onInput: (patch: Partial<CreateState>) => void;
  onSubmit: () => void;
  onCancel: () => void;
}

/**
 * The "New API key" form: name, expiry presets, a custom date or none (with its warning), and
 * the server's refusals shown next to the field they concern.
 *
 * @example
 * html`${renderCreate(ctx, state, actions)}`
 */
export function renderCreate(ctx: ViewContext, state: CreateState, actions: CreateActions): TemplateResult {
  const { t } = ctx;
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const submit = (e: Event) => {
    e.preventDefault();
    actions.onSubmit();
  };
  return html`
    <form @submit=${submit} novalidate>
      <h3 id="dialog-title">${t("createTitle")}</h3>
      ${state.errors.form ? html`<p class="error" role="alert">${state.errors.form}</p>` : nothing}
      <div class="field">
        <label for="key-name">${t("nameLabel")}</label>
        <input id="key-name" type="text" autocomplete="off" maxlength="64" required autofocus
          aria-invalid=${state.errors.name ? "true" : "false"} aria-describedby="key-name-help key-name-error"
          .value=${state.name} @input=${(e: Event) => actions.onInput({ name: value(e) })} />
        <p class="muted" id="key-name-help">${t("nameHelp")}</p>
        <p class="error" id="key-name-error">${state.errors.name ?? nothing}</p>
      </div>
      <div class="field">
        <label for="key-expiry">${t("expiryLabel")}</label>
        <select id="key-expiry" .value=${state.expiry} @change=${(e: Event) => actions.onInput({ expiry: value(e) })}>
          ${EXPIRY_PRESETS.map((days) => html`<option value=${String(days)} ?selected=${state.expiry === String(days)}>${t("days", { n: days })}</option>`)}
          <option value="custom" ?selected=${state.expiry === "custom"}>${t("customDate")}</option>
          <option value="none" ?selected=${state.expiry === "none"}>${t("noExpiryOption")}</option>
        </select>
      </div>
      ${state.expiry === "custom"
        ? html`<div class="field">
            <label for="key-date">${t("customDateLabel")}</label>
            <input id="key-date" type="date" required aria-invalid=${state.errors.expiresAt ? "true" : "false"} aria-describedby="key-date-error"
              .value=${state.customDate} @input=${(e: Event) => actions.onInput({ customDate: value(e) })} />
            <p class="error" id="key-date-error">${state.errors.expiresAt ?? nothing}</p>
          </div>`
        : state.errors.expiresAt
          ? html`<p class="error">${state.errors.expiresAt}</p>`
          : nothing}
      ${state.expiry === "none" ? html`<p class="warning" part="warning" role="note">${t("noExpiryWarning")}</p>` : nothing}
      <div class="buttons">
        <button type="button" @click=${actions.onCancel}>${t("cancel")}</button>
        <button type="submit" class="primary" ?disabled=${state.busy}>${state.busy ? t("creating") : t("create")}</button>
      </div>
    </form>
  `;
}
