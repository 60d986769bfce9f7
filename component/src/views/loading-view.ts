import { html, nothing, type TemplateResult } from "lit";
import type { ViewContext } from "../view-context";

/** A dialog whose part is still being fetched (or could not be). */
export interface LoadingState {
  kind: "loading";
  /** Which opening this is: a late answer for an earlier one is dropped. */
  ticket: object;
  failed: boolean;
  retry: () => void;
}

/**
 * What a dialog shows while its part (a chunk of its own) is fetched, and when that failed: a
 * clear error with "Try again" (focused) and Close, never a dead button.
 *
 * @example
 * html`${renderLoading(ctx, state.failed, state.retry, close)}`
 */
export function renderLoading(ctx: ViewContext, failed: boolean, onRetry: () => void, onClose: () => void): TemplateResult {
  const { t } = ctx;
  return html`
    <h3 id="dialog-title" data-loading>${t(failed ? "viewFailed" : "viewLoading")}</h3>
    ${failed ? html`<p class="error" role="alert">${t("viewFailedHelp")}</p>` : nothing}
    <div class="buttons">
      <button @click=${onClose}>${t("close")}</button>
      ${failed ? html`<button class="primary" autofocus @click=${onRetry}>${t("retry")}</button>` : nothing}
    </div>
  `;
}
