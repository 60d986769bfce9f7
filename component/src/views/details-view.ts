import { html, type TemplateResult } from "lit";
import type { ApiKey, AuditEvent, Usage, UsageWindow } from "../types";
import type { ViewContext } from "../view-context";
import type { WINDOWS } from "./usage-chart";

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

/** What the details view gets from the element: its handlers, and what it shares with the list (the chart, the windows, a leak's banner). */
export interface DetailsActions {
  onWindow: (window: UsageWindow) => void;
  onClose: () => void;
  /** A leaked key's banner, as its row shows it (or nothing). */
  banner: unknown;
  /** The window's bar chart (usage-chart.ts). */
  chart: (usage: Usage) => TemplateResult;
  windows: typeof WINDOWS;
}

/**
 * A key's usage and history, titled with its name: a leaked key's banner (the element's, as in
 * its row), a window (24 hours, 7 days, 30 days), its chart, the totals (admitted, 429s, refused),
 * when the key was last used, and its audit events (action, actor, time).
 *
 * @example
 * html`${renderDetails(ctx, state, { onWindow, onClose, banner: nothing, chart, windows: WINDOWS })}`
 */
export function renderDetails(ctx: ViewContext, state: DetailsState, actions: DetailsActions): TemplateResult {
  const { t, fmt, now, lang } = ctx;
  const { usage } = state;
  return html`
    <h3 id="dialog-title">${state.key.name}</h3>
    ${actions.banner}
    <div class="field">
      <label for="usage-window">${t("windowLabel")}</label>
      <select id="usage-window" autofocus @change=${(e: Event) => actions.onWindow((e.target as HTMLSelectElement).value as UsageWindow)}>
        ${actions.windows.map(([w, unit, n]) => html`<option value=${w} ?selected=${state.window === w}>${t(unit, { n })}</option>`)}
      </select>
    </div>
    ${usage &&
    html`${actions.chart(usage)}
      <dl class="summary">
        ${TOTALS.map((s) => html`<dt>${t(s)}</dt><dd>${usage.totals[s].toLocaleString(lang)}</dd>`)}
        <dt>${t("colLastUsed")}</dt><dd>${usage.lastUsedAt ? fmt.relative(usage.lastUsedAt, now) : t("never")}</dd>
      </dl>`}
    <h4>${t("activity")}</h4>
    <ul>
      ${state.events?.map((e) => html`<li><code>${e.action}</code> ${e.actor.id} <span class="muted">${fmt.dateTime(e.at)}</span></li>`)}
    </ul>
    <div class="buttons"><button class="primary" @click=${actions.onClose}>${t("close")}</button></div>
  `;
}
