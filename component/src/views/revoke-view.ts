import { html, type TemplateResult } from "lit";
import type { ApiKey } from "../types";
import type { ViewContext } from "../view-context";

export interface RevokeState {
  kind: "revoke";
  key: ApiKey;
  busy: boolean;
}

/**
 * The confirmation that names the key about to be revoked. Cancel has the focus, so Enter on
 * open does no harm.
 *
 * @example
 * html`${renderRevoke(ctx, state, confirm, cancel)}`
 */
export function renderRevoke(ctx: ViewContext, state: RevokeState, onConfirm: () => void, onCancel: () => void): TemplateResult {
  const { t } = ctx;
  return html`
    <h3 id="dialog-title">${t("revokeTitle", { name: state.key.name })}</h3>
    <p>${t("revokeBody")}</p>
    <p class="muted"><code>${state.key.hint}</code></p>
    <div class="buttons">
      <button autofocus @click=${onCancel}>${t("cancel")}</button>
      <button class="danger" part="confirm-revoke-button" ?disabled=${state.busy} @click=${onConfirm}>${t("revokeConfirm")}</button>
    </div>
  `;
}
