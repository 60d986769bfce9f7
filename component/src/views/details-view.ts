import { html, nothing, type TemplateResult } from "lit";
import type { ApiKey, AuditEvent, Drain, Usage, UsageWindow } from "../types";
import type { ViewContext } from "../view-context";
import { drainSummary } from "./drain-summary";
import { creditsText, limitsText } from "./limits-text";
import type { WINDOWS } from "./usage-chart";

export interface DetailsState {
  kind: "details";
  key: ApiKey;
  window: UsageWindow;
  /** The window's usage; undefined while it loads. */
  usage?: Usage;
  /** The key's audit events (first page); undefined while they load. */
  events?: AuditEvent[];
  /** A key in a rotation's grace period: how it drains; null or undefined otherwise (or while it loads). */
  drain?: Drain | null;
  /** A pause or resume is under way. */
  busy?: boolean;
  /** Why the last pause or resume failed. */
  error?: string;
}

const TOTALS = ["admitted", "rateLimited", "refused"] as const;

/** What the details view gets from the element: its handlers, and what it shares with the list (the chart, the windows, a leak's banner). */
export interface DetailsActions {
  onWindow: (window: UsageWindow) => void;
  /** Pause (false) or resume (true) the key. */
  onEnabled: (enabled: boolean) => void;
  onClose: () => void;
  /** A leaked key's banner, as its row shows it (or nothing). */
  banner: unknown;
  /** The window's bar chart (usage-chart.ts). */
  chart: (usage: Usage) => TemplateResult;
  windows: typeof WINDOWS;
}

/**
 * A key's details, titled with its name: a leaked key's banner (the element's, as in its row),
 * once the key has been read exactly (with its first usage and events) what it is (paused, its
 * description, a revoked key's reason, its credits and own rate limits, when it has them), its
 * metadata (with the warning that everyone who can see the key
 * reads it), how it drains during a rotation's grace period, a window (24 hours, 7 days, 30
 * days), its chart, the totals (admitted, 429s, refused), when the key was last used, its audit
 * events (action, actor, time), and Pause or Resume for an active key (not a canary).
 *
 * @example
 * html`${renderDetails(ctx, state, { onWindow, onEnabled, onClose, banner: nothing, chart, windows: WINDOWS })}`
 */
export function renderDetails(ctx: ViewContext, state: DetailsState, actions: DetailsActions): TemplateResult {
  const { t, fmt, now, lang } = ctx;
  const { usage, key } = state;
  const pausable = key.status === "active" && !key.canary;
  return html`
    <h3 id="dialog-title">${key.name}</h3>
    ${actions.banner}
    ${state.events ? html`${facts(ctx, key)}${meta(ctx, key)}` : nothing}
    ${state.drain ? drainSummary(ctx, state.drain) : nothing}
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
    ${pausable ? html`<p class="muted" id="pause-help">${t(key.enabled === false ? "resumeHelp" : "pauseHelp")}</p>` : nothing}
    ${state.error ? html`<p class="error" role="alert">${state.error}</p>` : nothing}
    <div class="buttons">
      ${pausable
        ? // aria-disabled, not disabled: a disabled button loses the focus, and keyboard users their place.
          html`<button part="pause-button" aria-describedby="pause-help" aria-disabled=${state.busy ? "true" : "false"}
            @click=${() => state.busy || actions.onEnabled(key.enabled === false)}>
            ${t(key.enabled === false ? "resumeKey" : "pauseKey")}
          </button>`
        : nothing}
      <button class="primary" @click=${actions.onClose}>${t("close")}</button>
    </div>
  `;
}

// What the key is, beyond its row: only the facts it has (a paused key's state, a canary, a
// description, a revocation's reason, and while it works its credits and rate limits).
function facts(ctx: ViewContext, key: ApiKey) {
  const rows = factRows(ctx, key);
  return rows.length ? html`<dl class="summary" part="facts">${rows.map(([term, text]) => html`<dt>${term}</dt><dd>${text}</dd>`)}</dl>` : nothing;
}

function factRows(ctx: ViewContext, key: ApiKey): [string, string][] {
  const { t } = ctx;
  const rows: [string, string][] = [];
  if (key.status === "active" && key.enabled === false) rows.push([t("colStatus"), t("pausedNote")]);
  if (key.canary) rows.push([t("colStatus"), t("canaryNote")]);
  if (key.description) rows.push([t("descriptionTitle"), key.description]);
  if (key.revokedReason) rows.push([t("revokedReasonTitle"), key.revokedReason]);
  if (key.status !== "active") return rows;
  if (key.credits) rows.push([t("creditsTitle"), creditsText(ctx, key.credits)]);
  if (key.limits?.length) rows.push([t("limitsTitle"), limitsText(ctx, key.limits)]);
  return rows;
}

// The owner's key/values, read-only (values that are not text shown as JSON), and what they are
// not for: everyone who can see the key (and the API it calls) reads them.
function meta(ctx: ViewContext, key: ApiKey) {
  const { t } = ctx;
  const entries = Object.entries(key.meta ?? {});
  if (!entries.length && !key.description) return nothing;
  return html`
    <div part="meta">
      ${entries.length
        ? html`<h4>${t("metaTitle")}</h4>
            <dl class="summary">
              ${entries.map(([name, value]) => html`<dt><code>${name}</code></dt><dd><code>${typeof value === "string" ? value : JSON.stringify(value)}</code></dd>`)}
            </dl>`
        : nothing}
      <p class="warning" role="note">${t("metaWarning")}</p>
    </div>
  `;
}
