import { html, type TemplateResult } from "lit";
import type { ViewContext } from "../view-context";
import { secretBox } from "./secret-box";

export interface RevealState {
  kind: "reveal";
  name: string;
  secret: string;
}

/**
 * The one and only showing of a new key. It closes only through "I have stored it".
 *
 * @example
 * html`${renderReveal(ctx, state, announce, done)}`
 */
export function renderReveal(ctx: ViewContext, state: RevealState, announce: (m: string) => void, onDone: () => void): TemplateResult {
  const { t } = ctx;
  return html`
    <h3 id="dialog-title">${t("revealTitle")}</h3>
    <p>${t("revealBody")}</p>
    <p class="muted">${state.name}</p>
    ${secretBox(ctx, "new-secret", state.secret, t("yourKey"), announce, true)}
    <div class="buttons">
      <button class="primary" part="stored-button" @click=${onDone}>${t("stored")}</button>
    </div>
  `;
}
