import { html, nothing, type TemplateResult } from "lit";
import { hintsFor } from "../hints";
import type { ApiKey, KeyStatus } from "../types";
import type { ViewContext } from "../view-context";

export interface ListState {
  keys: ApiKey[];
  loading: "loading" | "ready" | "error";
  filter: KeyStatus | "";
  nextCursor: string | null;
  loadingMore: boolean;
}

export interface ListActions {
  onCreate: (opener: HTMLElement) => void;
  onRevoke: (key: ApiKey, opener: HTMLElement) => void;
  onRotate: (key: ApiKey, opener: HTMLElement) => void;
  onFilter: (filter: KeyStatus | "") => void;
  onRetry: () => void;
  onMore: () => void;
}

/**
 * The list of keys with its loading, empty and error states, the status filter and "Load more".
 *
 * @example
 * html`${renderList(ctx, state, actions)}`
 */
export function renderList(ctx: ViewContext, state: ListState, actions: ListActions): TemplateResult {
  const { t } = ctx;
  return html`
    <header part="header">
      <div>
        <h2 part="title">${t("title")}</h2>
        <p class="muted">${t("intro")}</p>
      </div>
      <div class="toolbar">
        <label for="filter">${t("filterLabel")}</label>
        <select id="filter" part="filter" .value=${state.filter} @change=${(e: Event) => actions.onFilter((e.target as HTMLSelectElement).value as KeyStatus | "")}>
          <option value="">${t("filterAll")}</option>
          <option value="active">${t("filterActive")}</option>
          <option value="expired">${t("filterExpired")}</option>
          <option value="revoked">${t("filterRevoked")}</option>
        </select>
        <button class="primary" part="create-button" @click=${(e: Event) => actions.onCreate(e.currentTarget as HTMLElement)}>${t("newKey")}</button>
      </div>
    </header>
    ${body(ctx, state, actions)}
  `;
}

function body(ctx: ViewContext, state: ListState, actions: ListActions): TemplateResult {
  const { t } = ctx;
  if (state.loading === "loading") {
    return html`<div class="state" part="loading" role="status" aria-busy="true">${t("loading")}</div>`;
  }
  if (state.loading === "error") {
    return html`<div class="state" part="error"><p>${t("loadError")}</p><button @click=${actions.onRetry}>${t("retry")}</button></div>`;
  }
  if (state.keys.length === 0) {
    return state.filter
      ? html`<div class="state" part="empty"><p>${t("emptyFiltered")}</p></div>`
      : html`<div class="state" part="empty">
          <p>${t("empty")}</p>
          <button class="primary" @click=${(e: Event) => actions.onCreate(e.currentTarget as HTMLElement)}>${t("createFirst")}</button>
        </div>`;
  }
  return html`
    <table part="table">
      <thead>
        <tr>
          <th scope="col">${t("colName")}</th><th scope="col">${t("colKey")}</th><th scope="col">${t("colCreated")}</th>
          <th scope="col">${t("colLastUsed")}</th><th scope="col">${t("colExpires")}</th><th scope="col">${t("colStatus")}</th>
          <th scope="col"><span class="sr-only">${t("colActions")}</span></th>
        </tr>
      </thead>
      <tbody>${state.keys.map((key) => row(ctx, key, actions))}</tbody>
    </table>
    ${state.nextCursor
      ? html`<div class="more"><button part="more-button" ?disabled=${state.loadingMore} @click=${actions.onMore}>${t("loadMore")}</button></div>`
      : nothing}
  `;
}

function row(ctx: ViewContext, key: ApiKey, actions: ListActions): TemplateResult {
  const { t, fmt, now } = ctx;
  return html`
    <tr part="row" data-key-id=${key.id}>
      <td part="name">
        <strong>${key.name}</strong>
        ${key.createdBy.name ? html`<div class="muted">${key.createdBy.name}</div>` : nothing}
        <div>${hintsFor(key, now).map(([hint, n]) => html`<span class="hint" part="hint">${t(hint, { n })}</span>`)}</div>
      </td>
      <td data-label=${t("colKey")}><code>${key.hint}</code></td>
      <td data-label=${t("colCreated")}>${fmt.date(key.createdAt)}</td>
      <td data-label=${t("colLastUsed")}>
        ${key.lastUsedAt ? html`<span title=${fmt.dateTime(key.lastUsedAt)}>${fmt.relative(key.lastUsedAt, now)}</span>` : t("never")}
      </td>
      <td data-label=${t("colExpires")}>${key.expiresAt ? fmt.date(key.expiresAt) : t("noExpiry")}</td>
      <td data-label=${t("colStatus")}><span class="badge ${key.status}" part="badge">${t(key.status)}</span></td>
      <td class="actions">
        ${key.status === "active" && !key.rotatedToId ? rotateAction(ctx, key, actions) : nothing}
        ${key.status !== "revoked"
          ? html`<button part="revoke-button" aria-label=${t("revokeKeyLabel", { name: key.name })} @click=${(e: Event) => actions.onRevoke(key, e.currentTarget as HTMLElement)}>${t("revoke")}</button>`
          : nothing}
      </td>
    </tr>
  `;
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
