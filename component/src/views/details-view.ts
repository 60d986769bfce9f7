import { html, type TemplateResult } from "lit";
import type { ApiKey, AuditEvent, Usage, UsageWindow } from "../types";
import type { ViewContext } from "../view-context";
import { usageChart, WINDOWS } from "./usage-chart";

export interface DetailsState {
  kind: "details";
  key: ApiKey;
  window: UsageWindow;
  /** The window's usage; undefined while it loads. */
  usage?: Usage;
  /** The key's audit events (first page); undefined while they load. */
  events?: AuditEvent[];
}

const TOTALS = ["admitted", "rateLimited", "refused"] as const;

/**
 * A key's usage and history, titled with its name: a window (24 hours, 7 days, 30 days), its
 * chart, the totals (admitted, 429s, refused), when the key was last used, and its audit events
 * (action, actor, time).
 *
 * @example
 * html`${renderDetails(ctx, state, (window) => show(window), close)}`
 */
export function renderDetails(ctx: ViewContext, state: DetailsState, onWindow: (window: UsageWindow) => void, onClose: () => void): TemplateResult {
  const { t, fmt, now, lang } = ctx;
  const { usage } = state;
  return html`
    <h3 id="dialog-title">${state.key.name}</h3>
    <div class="field">
      <label for="usage-window">${t("windowLabel")}</label>
      <select id="usage-window" autofocus @change=${(e: Event) => onWindow((e.target as HTMLSelectElement).value as UsageWindow)}>
        ${WINDOWS.map(([w, unit, n]) => html`<option value=${w} ?selected=${state.window === w}>${t(unit, { n })}</option>`)}
      </select>
    </div>
    ${usage &&
    html`${usageChart(ctx, usage, true)}
      <dl class="summary">
        ${TOTALS.map((s) => html`<dt>${t(s)}</dt><dd>${usage.totals[s].toLocaleString(lang)}</dd>`)}
        <dt>${t("colLastUsed")}</dt><dd>${usage.lastUsedAt ? fmt.relative(usage.lastUsedAt, now) : t("never")}</dd>
      </dl>`}
    <h4>${t("activity")}</h4>
    <ul>
      ${state.events?.map((e) => html`<li><code>${e.action}</code> ${e.actor.id} <span class="muted">${fmt.dateTime(e.at)}</span></li>`)}
    </ul>
    <div class="buttons"><button class="primary" @click=${onClose}>${t("close")}</button></div>
  `;
}
