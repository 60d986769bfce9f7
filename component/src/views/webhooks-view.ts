import { html, nothing, type TemplateResult } from "lit";
import { WEBHOOK_EVENTS, type WebhookDelivery, type WebhookEndpoint, type WebhookEvent } from "../types";
import type { ViewContext } from "../view-context";
import { secretBox } from "./secret-box";

/** The webhooks section's state: the org's endpoints and the deliveries of those whose panel is open. */
export interface WebhooksState {
  loading: "loading" | "ready" | "error";
  endpoints: WebhookEndpoint[];
  /** The endpoint being enabled or disabled. */
  busy: string | null;
  /** The open delivery panels, by endpoint id. */
  deliveries: Record<string, { loading: boolean; items: WebhookDelivery[]; failed: boolean }>;
}

/** The section's dialogs, shown in the element's dialog: add an endpoint, its secret shown once, a delete confirmation. */
export type WebhookDialog =
  | { kind: "webhook"; step: "add"; url: string; events: WebhookEvent[]; description: string; errors: Record<string, string>; busy: boolean }
  | { kind: "webhook"; step: "secret"; url: string; secret: string }
  | { kind: "webhook"; step: "delete"; endpoint: WebhookEndpoint; busy: boolean };

export interface WebhookActions {
  onAdd: (opener: HTMLElement) => void;
  onRetry: () => void;
  onToggle: (endpoint: WebhookEndpoint) => void;
  onDelete: (endpoint: WebhookEndpoint, opener: HTMLElement) => void;
  onDeliveries: (endpoint: WebhookEndpoint) => void;
  onRefresh: (endpoint: WebhookEndpoint) => void;
  onResend: (endpoint: WebhookEndpoint, delivery: WebhookDelivery) => void;
}

export interface WebhookDialogActions {
  onInput: (patch: Partial<Extract<WebhookDialog, { step: "add" }>>) => void;
  onTick: (event: WebhookEvent, on: boolean) => void;
  onSubmit: () => void;
  onConfirmDelete: () => void;
  onClose: () => void;
  announce: (message: string) => void;
}

const STATUS_TERMS = { pending: "statusPending", delivered: "statusDelivered", retrying: "statusRetrying", failed: "statusFailed" } as const;
const STATUS_BADGES = { pending: "expired", delivered: "active", retrying: "expired", failed: "revoked" } as const;

/**
 * The admins' "Webhooks" section: the org's endpoints (URL, description, events, enabled), "Add
 * endpoint", and per endpoint Enable/Disable, Delete and its recent deliveries (event, status,
 * attempts, last response, last attempt) with Resend on failed ones.
 *
 * @example
 * html`${renderWebhooks(ctx, controller.state, actions)}`
 */
export function renderWebhooks(ctx: ViewContext, state: WebhooksState, actions: WebhookActions): TemplateResult {
  const { t } = ctx;
  return html`
    <section class="webhooks" part="webhooks" aria-labelledby="webhooks-title">
      <header>
        <div>
          <h2 id="webhooks-title">${t("webhooksTitle")}</h2>
          <p class="muted">${t("webhooksIntro")}</p>
        </div>
        <button class="primary" part="add-endpoint-button" @click=${(e: Event) => actions.onAdd(e.currentTarget as HTMLElement)}>${t("addEndpoint")}</button>
      </header>
      ${endpointList(ctx, state, actions)}
    </section>
  `;
}

function endpointList(ctx: ViewContext, state: WebhooksState, actions: WebhookActions): TemplateResult {
  const { t } = ctx;
  if (state.loading === "loading") return html`<div class="state" role="status" aria-busy="true">${t("endpointsLoading")}</div>`;
  if (state.loading === "error") {
    return html`<div class="state"><p>${t("endpointsError")}</p><button @click=${actions.onRetry}>${t("retry")}</button></div>`;
  }
  if (state.endpoints.length === 0) return html`<div class="state"><p>${t("endpointsEmpty")}</p></div>`;
  return html`<ul class="endpoints">${state.endpoints.map((endpoint) => endpointItem(ctx, endpoint, state, actions))}</ul>`;
}

function endpointItem(ctx: ViewContext, endpoint: WebhookEndpoint, state: WebhooksState, actions: WebhookActions): TemplateResult {
  const { t } = ctx;
  const { url, enabled } = endpoint;
  const panel = state.deliveries[endpoint.id];
  const panelId = `deliveries-${endpoint.id}`;
  const allEvents = WEBHOOK_EVENTS.every((event) => endpoint.events.includes(event));
  return html`
    <li part="endpoint">
      <div><code class="url">${url}</code> <span class="badge ${enabled ? "active" : "revoked"}">${t(enabled ? "endpointEnabled" : "endpointDisabled")}</span></div>
      ${endpoint.description ? html`<div>${endpoint.description}</div>` : nothing}
      <div class="muted">${allEvents ? t("allEvents") : endpoint.events.join(", ")}</div>
      <div class="buttons start">
        <button aria-expanded=${panel ? "true" : "false"} aria-controls=${panel ? panelId : nothing} aria-label=${t("deliveriesOf", { url })}
          @click=${() => actions.onDeliveries(endpoint)}>${t("deliveries")}</button>
        <button aria-label=${t(enabled ? "disableLabel" : "enableLabel", { url })} ?disabled=${state.busy === endpoint.id}
          @click=${() => actions.onToggle(endpoint)}>${t(enabled ? "disable" : "enable")}</button>
        <button aria-label=${t("deleteEndpointLabel", { url })} @click=${(e: Event) => actions.onDelete(endpoint, e.currentTarget as HTMLElement)}>${t("deleteEndpoint")}</button>
      </div>
      ${panel ? deliveriesPanel(ctx, endpoint, panel, panelId, actions) : nothing}
    </li>
  `;
}

function deliveriesPanel(ctx: ViewContext, endpoint: WebhookEndpoint, panel: WebhooksState["deliveries"][string], id: string, actions: WebhookActions) {
  const { t, fmt } = ctx;
  const { items } = panel;
  return html`
    <div class="deliveries" part="deliveries" id=${id}>
      ${panel.failed ? html`<p class="error">${t("deliveriesError")}</p>` : nothing}
      ${items.length
        ? html`<table>
            <caption class="sr-only">${t("deliveriesOf", { url: endpoint.url })}</caption>
            <thead>
              <tr>
                <th scope="col">${t("colEvent")}</th><th scope="col">${t("colStatus")}</th><th scope="col">${t("colAttempts")}</th>
                <th scope="col">${t("colLastResponse")}</th><th scope="col">${t("colLastAttempt")}</th>
                <th scope="col"><span class="sr-only">${t("colActions")}</span></th>
              </tr>
            </thead>
            <tbody>
              ${items.map(
                (d) => html`<tr>
                  <td data-label=${t("colEvent")}><code>${d.eventType}</code></td>
                  <td data-label=${t("colStatus")}><span class="badge ${STATUS_BADGES[d.status]}">${t(STATUS_TERMS[d.status])}</span></td>
                  <td data-label=${t("colAttempts")}>${d.attempts}</td>
                  <td data-label=${t("colLastResponse")}>${d.lastResponseStatus ?? (d.attempts ? t("noResponse") : "–")}</td>
                  <td data-label=${t("colLastAttempt")}>${d.lastAttemptAt ? fmt.dateTime(d.lastAttemptAt) : "–"}</td>
                  <td class="actions">
                    ${d.status === "failed"
                      ? html`<button part="resend-button" aria-label=${t("resendLabel", { event: d.eventType, when: fmt.dateTime(d.createdAt) })}
                          @click=${() => actions.onResend(endpoint, d)}>${t("resend")}</button>`
                      : nothing}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted" role="status">${panel.loading ? t("viewLoading") : t("deliveriesEmpty")}</p>`}
      <div class="buttons start">
        <button aria-label=${t("refreshDeliveriesOf", { url: endpoint.url })} ?disabled=${panel.loading} @click=${() => actions.onRefresh(endpoint)}>${t("refresh")}</button>
      </div>
    </div>
  `;
}

/**
 * The section's dialogs: the "Add endpoint" form (URL, events, all ticked by default, an optional
 * description; refusals next to their field), the signing secret shown once with Copy (it closes
 * only through "I have stored it"), and the delete confirmation naming the URL (Cancel focused).
 *
 * @example
 * html`${renderWebhookDialog(ctx, dialog, actions)}`
 */
export function renderWebhookDialog(ctx: ViewContext, dialog: WebhookDialog, actions: WebhookDialogActions): TemplateResult {
  const { t } = ctx;
  switch (dialog.step) {
    case "add":
      return addForm(ctx, dialog, actions);
    case "secret":
      return html`
        <h3 id="dialog-title">${t("secretTitle")}</h3>
        <p>${t("secretBody")}</p>
        <p class="muted"><code>${dialog.url}</code></p>
        ${secretBox(ctx, "endpoint-secret", dialog.secret, t("signingSecret"), actions.announce, true)}
        <div class="buttons"><button class="primary" part="stored-button" @click=${actions.onClose}>${t("stored")}</button></div>
      `;
    case "delete":
      return html`
        <h3 id="dialog-title">${t("deleteEndpointTitle")}</h3>
        <p><code>${dialog.endpoint.url}</code></p>
        <p>${t("deleteEndpointBody")}</p>
        <div class="buttons">
          <button autofocus @click=${actions.onClose}>${t("cancel")}</button>
          <button class="danger" ?disabled=${dialog.busy} @click=${actions.onConfirmDelete}>${t("deleteEndpointConfirm")}</button>
        </div>
      `;
  }
}

function addForm(ctx: ViewContext, state: Extract<WebhookDialog, { step: "add" }>, actions: WebhookDialogActions): TemplateResult {
  const { t } = ctx;
  const { errors } = state;
  const submit = (e: Event) => {
    e.preventDefault();
    actions.onSubmit();
  };
  const text = (e: Event) => (e.target as HTMLInputElement).value;
  return html`
    <form @submit=${submit} novalidate>
      <h3 id="dialog-title">${t("addEndpoint")}</h3>
      ${errors.form ? html`<p class="error" role="alert">${errors.form}</p>` : nothing}
      <div class="field">
        <label for="endpoint-url">${t("endpointUrlLabel")}</label>
        <input id="endpoint-url" type="url" autocomplete="off" required autofocus maxlength="2048" aria-invalid=${errors.url ? "true" : "false"}
          aria-describedby="endpoint-url-help endpoint-url-error" .value=${state.url} @input=${(e: Event) => actions.onInput({ url: text(e) })} />
        <p class="muted" id="endpoint-url-help">${t("endpointUrlHelp")}</p>
        <p class="error" id="endpoint-url-error">${errors.url ?? nothing}</p>
      </div>
      <fieldset class="field" aria-describedby="endpoint-events-error">
        <legend>${t("endpointEventsLabel")}</legend>
        <div class="scopes">
          ${WEBHOOK_EVENTS.map(
            (event) => html`<label><input type="checkbox" .checked=${state.events.includes(event)}
              @change=${(e: Event) => actions.onTick(event, (e.target as HTMLInputElement).checked)} /> <code>${event}</code></label>`,
          )}
        </div>
        <p class="error" id="endpoint-events-error">${errors.events ?? nothing}</p>
      </fieldset>
      <div class="field">
        <label for="endpoint-description">${t("endpointDescriptionLabel")}</label>
        <input id="endpoint-description" type="text" autocomplete="off" maxlength="200" aria-invalid=${errors.description ? "true" : "false"}
          aria-describedby="endpoint-description-error" .value=${state.description} @input=${(e: Event) => actions.onInput({ description: text(e) })} />
        <p class="error" id="endpoint-description-error">${errors.description ?? nothing}</p>
      </div>
      <div class="buttons">
        <button type="button" @click=${actions.onClose}>${t("cancel")}</button>
        <button type="submit" class="primary" ?disabled=${state.busy}>${t(state.busy ? "adding" : "addEndpoint")}</button>
      </div>
    </form>
  `;
}
