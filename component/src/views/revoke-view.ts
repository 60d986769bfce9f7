import { html, nothing, type TemplateResult } from "lit";
import type { ApiKey } from "../types";
import type { ViewContext } from "../view-context";

export interface RevokeState {
  kind: "revoke";
  key: ApiKey;
  /** The optional reason, stored and shown on the revoked key. */
  reason: string;
  busy: boolean;
  /** Why the last try was refused. */
  error?: string;
}

/**
 * The confirmation that names the key about to be revoked, with an optional reason. Cancel has
 * the focus, so Enter on open does no harm.
 *
 * @example
 * html`${renderRevoke(ctx, state, onReason, confirm, cancel)}`
 */
export function renderRevoke(ctx: ViewContext, state: RevokeState, onReason: (reason: string) => void, onConfirm: () => void, onCancel: () => void): TemplateResult {
  const { t } = ctx;
  return html`
    <h3 id="dialog-title">${t("revokeTitle", { name: state.key.name })}</h3>
    <p>${t("revokeBody")}</p>
    <p class="muted"><code>${state.key.hint}</code></p>
    <div class="field">
      <label for="revoke-reason">${t("revokeReasonLabel")}</label>
      <input id="revoke-reason" type="text" maxlength="500" autocomplete="off" aria-describedby="revoke-reason-error" .value=${state.reason}
        @input=${(e: Event) => onReason((e.target as HTMLInputElement).value)} />
      <p class="error" id="revoke-reason-error" role=${state.error ? "alert" : nothing}>${state.error ?? nothing}</p>
    </div>
    <div class="buttons">
      <button autofocus @click=${onCancel}>${t("cancel")}</button>
      <button class="danger" part="confirm-revoke-button" ?disabled=${state.busy} @click=${onConfirm}>${t("revokeConfirm")}</button>
    </div>
  `;
}
