import { html, nothing, type TemplateResult } from "lit";
import { hintsFor } from "../hints";
import type { ApiKey } from "../types";
import type { ViewContext } from "../view-context";
import { leakBanner } from "./leak-banner";
import type { ListActions } from "./list-view";
import { usageChart } from "./usage-chart";

/**
 * One key's table row (`index` is its place in the whole list: the table is virtualized): name
 * (a button to its details), owner, permissions, the IP-restricted marker and hints, a leaked key's
 * banner (with "Rotate now" while it still works), the key's hint, dates with a sparkline
 * of the last 24 hours under "last used" (active keys: the row asks `actions.usage` for it, which
 * fetches it the first time), status (with "Paused" on a paused key, and a revoked key's reason)
 * and its actions (a canary key is never rotated).
 *
 * @example
 * html`<tbody>${keys.map((key, i) => renderRow(ctx, key, actions, i))}</tbody>`
 */
export function renderRow(ctx: ViewContext, key: ApiKey, actions: ListActions, index: number): TemplateResult {
  const { t, fmt, now } = ctx;
  const active = key.status === "active";
  const usage = active ? actions.usage(key.id) : undefined;
  const open = (action: ListActions["onEdit"]) => (e: Event) => action(key, e.currentTarget as HTMLElement);
  return html`
    <tr part="row" data-key-id=${key.id} data-index=${index} aria-rowindex=${index + 2} tabindex="-1">
      <td part="name">
        <button class="link" @click=${open(actions.onDetails)}><strong>${key.name}</strong></button>
        ${key.createdBy.name ? html`<div class="muted">${key.createdBy.name}</div>` : nothing}
        ${scopes(ctx, key.scopes)}
        <div>
          ${key.allowedIps?.length ? ipMarker(ctx, key.allowedIps) : nothing}
          ${hintsFor(key, now, usage).map(([hint, n]) => html`<span class="hint" part="hint">${t(hint, { n })}</span>`)}
        </div>
        ${key.leak ? leakBanner(ctx, key, actions.isRotatingNow(key.id), open(actions.onRotateNow)) : nothing}
      </td>
      <td data-label=${t("colKey")}><code>${key.hint}</code></td>
      <td data-label=${t("colCreated")}>${fmt.date(key.createdAt)}</td>
      <td data-label=${t("colLastUsed")}>
        ${key.lastUsedAt ? html`<span title=${fmt.dateTime(key.lastUsedAt)}>${fmt.relative(key.lastUsedAt, now)}</span>` : t("never")}
        ${usage ? usageChart(ctx, usage) : nothing}
      </td>
      <td data-label=${t("colExpires")}>${key.expiresAt ? fmt.date(key.expiresAt) : t("noExpiry")}</td>
      <td data-label=${t("colStatus")}>
        <span class="badge ${key.status}" part="badge">${t(key.status)}</span>
        ${active && key.enabled === false ? html`<span class="badge paused" part="paused">${t("paused")}</span>` : nothing}
        ${key.revokedReason ? html`<div class="muted" part="revoked-reason">${t("revokedBecause", { reason: key.revokedReason })}</div>` : nothing}
      </td>
      <td class="actions">
        ${active ? html`<button part="edit-button" aria-label=${t("editKeyLabel", { name: key.name })} @click=${open(actions.onEdit)}>${t("edit")}</button>` : nothing}
        ${active && !key.rotatedToId && !key.canary ? rotateAction(ctx, key, actions) : nothing}
        ${key.status !== "revoked"
          ? html`<button part="revoke-button" aria-label=${t("revokeKeyLabel", { name: key.name })} @click=${(e: Event) => actions.onRevoke(key, e.currentTarget as HTMLElement)}>${t("revoke")}</button>`
          : nothing}
      </td>
    </tr>
  `;
}

// "Full access", or the key's scopes (cut to the cell's width, the whole list on hover).
function scopes(ctx: ViewContext, list: string[] | null): TemplateResult {
  const text = list?.join(", ") ?? ctx.t("fullAccess");
  return html`<div class="muted" part="scopes" title=${text}>${text}</div>`;
}

// "IP-restricted", with the list on hover and read out with it.
function ipMarker(ctx: ViewContext, list: string[]): TemplateResult {
  const text = ctx.t("ipRestrictedTo", { list: list.join(", ") });
  return html`<span class="tag" part="ip-restricted" title=${text}>${ctx.t("ipRestricted")}<span class="sr-only">: ${text}</span></span>`;
}

// A key that can do more than the caller gets a note instead of a Rotate button the server
// would refuse: the reason is read out with it and shown on hover.
function rotateAction(ctx: ViewContext, key: ApiKey, actions: ListActions): TemplateResult {
  const { t } = ctx;
  if (key.rotationRequiresOwner) {
    return html`<span class="owner-note" part="rotate-owner-note" title=${t("rotateOwnerReason")}
      >${t("rotateOwnerNote")}<span class="sr-only">. ${t("rotateOwnerReason")}</span></span
    >`;
  }
  return html`<button part="rotate-button" aria-label=${t("rotateKeyLabel", { name: key.name })} @click=${(e: Event) => actions.onRotate(key, e.currentTarget as HTMLElement)}>${t("rotate")}</button>`;
}
