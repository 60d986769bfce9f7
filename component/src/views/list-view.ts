import { html, nothing, type TemplateResult } from "lit";
import type { ApiKey, KeyStatus, Usage } from "../types";
import type { ViewContext } from "../view-context";
import type { VirtualRows } from "../virtual-rows";
import { renderRow } from "./key-row";

export interface ListState {
  keys: ApiKey[];
  loading: "loading" | "ready" | "error";
  filter: KeyStatus | "";
  nextCursor: string | null;
  loadingMore: boolean;
}

export interface ListActions {
  /** false when the org lets only its admins create keys and the user is not one: a note stands in for the create buttons. */
  mayCreate: boolean;
  onCreate: (opener: HTMLElement) => void;
  onRevoke: (key: ApiKey, opener: HTMLElement) => void;
  onRotate: (key: ApiKey, opener: HTMLElement) => void;
  onEdit: (key: ApiKey, opener: HTMLElement) => void;
  /** A leaked key's "Rotate now": a rotation without grace, the old key revoked, the new one shown once. */
  onRotateNow: (key: ApiKey, opener: HTMLElement) => void;
  /** Whether that is under way for the key (its button waits). */
  isRotatingNow: (id: string) => boolean;
  /** Opens the key's details: its usage and audit events. */
  onDetails: (key: ApiKey, opener: HTMLElement) => void;
  /** A key's last 24 hours of usage for its row: undefined until it has loaded (the first ask fetches it), null when it could not be had. */
  usage: (id: string) => Usage | null | undefined;
  onFilter: (filter: KeyStatus | "") => void;
  onRetry: () => void;
  onMore: () => void;
}

/**
 * The list of keys with its loading, empty and error states, the status filter and "Load more";
 * canary keys (honeytokens) in a section of their own below the others. Where the org lets only
 * its admins create keys, a member reads why instead of a create button the server would refuse.
 *
 * @example
 * html`${renderList(ctx, state, actions)}`
 */
export function renderList(ctx: ViewContext, state: ListState, actions: ListActions, rows: VirtualRows): TemplateResult {
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
        ${actions.mayCreate
          ? html`<button class="primary" part="create-button" @click=${(e: Event) => actions.onCreate(e.currentTarget as HTMLElement)}>${t("newKey")}</button>`
          : html`<p class="muted" part="create-note">${t("adminsCreate")}</p>`}
      </div>
    </header>
    ${body(ctx, state, state.keys.filter((key) => !key.canary), actions, rows)}
    ${canaries(ctx, state.keys.filter((key) => key.canary), actions)}
    ${state.loading === "ready" && state.nextCursor
      ? html`<div class="more"><button part="more-button" ?disabled=${state.loadingMore} @click=${actions.onMore}>${t("loadMore")}</button></div>`
      : nothing}
  `;
}

function body(ctx: ViewContext, state: ListState, keys: ApiKey[], actions: ListActions, rows: VirtualRows): TemplateResult {
  const { t } = ctx;
  if (state.loading === "loading") {
    return html`<div class="state" part="loading" role="status" aria-busy="true">${t("loading")}</div>`;
  }
  if (state.loading === "error") {
    return html`<div class="state" part="error"><p>${t("loadError")}</p><button @click=${actions.onRetry}>${t("retry")}</button></div>`;
  }
  if (keys.length === 0) {
    return state.filter
      ? html`<div class="state" part="empty"><p>${t("emptyFiltered")}</p></div>`
      : html`<div class="state" part="empty">
          <p>${t("empty")}</p>
          ${actions.mayCreate
            ? html`<button class="primary" @click=${(e: Event) => actions.onCreate(e.currentTarget as HTMLElement)}>${t("createFirst")}</button>`
            : nothing}
        </div>`;
  }
  // Only the rows near the viewport are rendered (virtual-rows.ts); spacers stand in for the others.
  const { start, end, above, below } = rows.window(keys.length);
  return html`
    <table part="table" aria-rowcount=${keys.length + 1}>
      ${head(ctx)}
      <tbody @keydown=${rows.onKeydown}>
        ${above ? spacer(above) : nothing}
        ${keys.slice(start, end).map((key, i) => renderRow(ctx, key, actions, start + i))}
        ${below ? spacer(below) : nothing}
      </tbody>
    </table>
  `;
}

const head = ({ t }: ViewContext) => html`
  <thead>
    <tr aria-rowindex="1">
      <th scope="col">${t("colName")}</th><th scope="col">${t("colKey")}</th><th scope="col">${t("colCreated")}</th>
      <th scope="col">${t("colLastUsed")}</th><th scope="col">${t("colExpires")}</th><th scope="col">${t("colStatus")}</th>
      <th scope="col"><span class="sr-only">${t("colActions")}</span></th>
    </tr>
  </thead>`;

// Decoys are never mixed with the keys integrations use: their own heading, what they are for,
// and every one of them (an owner plants a few, not thousands).
function canaries(ctx: ViewContext, keys: ApiKey[], actions: ListActions) {
  const { t } = ctx;
  return keys.length
    ? html`<section part="canaries" aria-labelledby="canaries-title">
        <h3 id="canaries-title">${t("canaryTitle")}</h3>
        <p class="muted">${t("canaryIntro")}</p>
        <table part="canary-table" aria-rowcount=${keys.length + 1}>
          ${head(ctx)}
          <tbody>${keys.map((key, i) => renderRow(ctx, key, actions, i))}</tbody>
        </table>
      </section>`
    : nothing;
}

/** A row standing in for `height` px of rows that are not rendered (set through CSSOM: no inline style for the CSP). */
const spacer = (height: number) => html`<tr class="spacer" aria-hidden="true"><td colspan="7" .style=${`height:${height}px`}></td></tr>`;
