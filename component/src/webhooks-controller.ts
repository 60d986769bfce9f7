import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ApiClient } from "./api-client";
import { WEBHOOK_EVENTS, type WebhookDelivery, type WebhookEndpoint, type WebhookEvent } from "./types";
import type { ViewContext } from "./view-context";
import type { WebhookDialog, WebhooksState } from "./views/webhooks-view";

/** How many of an endpoint's deliveries its panel shows: the most recent. */
const DELIVERIES_SHOWN = 10;

/** What the webhooks section needs from the element, handed over as functions so they stay private to it. */
export interface WebhookHost {
  /** A client with the current token. */
  api: () => ApiClient;
  /** Opens one of the section's dialogs in the element's dialog (the focus returns to `opener`, else to "Add endpoint"). */
  open: (dialog: WebhookDialog, opener: HTMLElement | null) => void;
  /** The section's dialog on screen, if it is one of its own. */
  dialog: () => WebhookDialog | null;
  /** Merges a change into that dialog. */
  patch: (patch: Partial<WebhookDialog>) => void;
  /** Closes the dialog; the focus returns to its opener. */
  close: () => void;
  /** Puts a message in the element's polite live region. */
  say: (message: string) => void;
  /** Reports a failed call (the `api-keys-error` event, and the live region unless told not to); returns its sentence. */
  fail: (error: unknown, announce?: boolean) => string;
  /** A refusal's messages by form field (problem-text.ts `fieldErrorsOf`). */
  fieldErrors: (error: unknown) => Record<string, string>;
  /** The element's words. */
  t: ViewContext["t"];
}

/**
 * The org's webhook endpoints as the admins' section shows them: the list (loaded with
 * `load()`), adding an endpoint (its signing secret shown once), enabling, disabling, deleting
 * after a confirmation, and each endpoint's recent deliveries with a resend of failed ones.
 * Changes re-render the host. Only an admin's element makes one (members never fetch any of it).
 *
 * @example
 * this.webhooks = new WebhooksController(this, host);
 * await this.webhooks.load();
 */
export class WebhooksController implements ReactiveController {
  state: WebhooksState = { loading: "loading", endpoints: [], busy: null, deliveries: {} };
  private loads = 0;

  constructor(
    private readonly element: ReactiveControllerHost,
    private readonly host: WebhookHost,
  ) {
    element.addController(this);
  }

  hostConnected(): void {}

  /** Loads the org's endpoints (again); an answer superseded by a later load is dropped. */
  async load(): Promise<void> {
    const load = ++this.loads;
    this.set({ loading: "loading", endpoints: [], deliveries: {} });
    try {
      const { endpoints } = await this.host.api().request<{ endpoints: WebhookEndpoint[] }>("GET", "/v1/webhooks");
      if (load === this.loads) this.set({ loading: "ready", endpoints });
    } catch (error) {
      if (load !== this.loads) return;
      this.set({ loading: "error" });
      this.host.fail(error);
    }
  }

  /** Opens the "Add endpoint" form: every event ticked. */
  openAdd(opener: HTMLElement): void {
    this.host.open({ kind: "webhook", step: "add", url: "", events: [...WEBHOOK_EVENTS], description: "", errors: {}, busy: false }, opener);
  }

  /** Checks the form (a URL, at least one event), adds the endpoint and shows its signing secret once. */
  async submitAdd(): Promise<void> {
    const dialog = this.host.dialog();
    if (dialog?.step !== "add") return;
    const { t } = this.host;
    const url = dialog.url.trim();
    const errors: Record<string, string> = {};
    if (!URL.canParse(url)) errors.url = t("endpointUrlInvalid");
    if (dialog.events.length === 0) errors.events = t("endpointEventsRequired");
    if (Object.keys(errors).length) return this.host.patch({ errors });
    this.host.patch({ busy: true, errors: {} });
    try {
      // Every event ticked sends none: the endpoint then gets every event, those added later too.
      const events = dialog.events.length === WEBHOOK_EVENTS.length ? undefined : dialog.events;
      const { secret, ...endpoint } = await this.host
        .api()
        .request<WebhookEndpoint & { secret: string }>("POST", "/v1/webhooks", { url, events, description: dialog.description.trim() || undefined });
      this.set({ endpoints: [...this.state.endpoints, endpoint] });
      this.host.say(t("endpointAddedAnnounce", { url: endpoint.url }));
      this.host.open({ kind: "webhook", step: "secret", url: endpoint.url, secret }, null);
    } catch (error) {
      this.host.patch({ busy: false, errors: this.host.fieldErrors(error) });
      this.host.fail(error, false);
    }
  }

  /** Enables or disables an endpoint. */
  async toggle(endpoint: WebhookEndpoint): Promise<void> {
    this.set({ busy: endpoint.id });
    try {
      const updated = await this.host.api().request<WebhookEndpoint>("PATCH", `/v1/webhooks/${encodeURIComponent(endpoint.id)}`, { enabled: !endpoint.enabled });
      this.replace(updated);
      this.host.say(this.host.t(updated.enabled ? "endpointEnabledAnnounce" : "endpointDisabledAnnounce", { url: updated.url }));
    } catch (error) {
      this.host.fail(error);
    } finally {
      this.set({ busy: null });
    }
  }

  /** Asks before deleting an endpoint (Cancel focused). */
  openDelete(endpoint: WebhookEndpoint, opener: HTMLElement): void {
    this.host.open({ kind: "webhook", step: "delete", endpoint, busy: false }, opener);
  }

  /** Deletes the endpoint the confirmation names. */
  async confirmDelete(): Promise<void> {
    const dialog = this.host.dialog();
    if (dialog?.step !== "delete") return;
    const { endpoint } = dialog;
    this.host.patch({ busy: true });
    try {
      await this.host.api().request("DELETE", `/v1/webhooks/${encodeURIComponent(endpoint.id)}`);
      const { [endpoint.id]: _, ...deliveries } = this.state.deliveries;
      this.set({ endpoints: this.state.endpoints.filter((e) => e.id !== endpoint.id), deliveries });
      this.host.say(this.host.t("endpointDeletedAnnounce", { url: endpoint.url }));
      this.host.close();
    } catch (error) {
      this.host.patch({ busy: false });
      this.host.fail(error);
    }
  }

  /** Shows or hides an endpoint's recent deliveries (fetched each time they are shown). */
  toggleDeliveries(endpoint: WebhookEndpoint): void {
    if (this.state.deliveries[endpoint.id]) {
      const { [endpoint.id]: _, ...rest } = this.state.deliveries;
      this.set({ deliveries: rest });
    } else {
      void this.loadDeliveries(endpoint);
    }
  }

  /** Fetches an endpoint's most recent deliveries into its open panel. */
  async loadDeliveries(endpoint: WebhookEndpoint): Promise<void> {
    const previous = this.state.deliveries[endpoint.id];
    this.setDeliveries(endpoint.id, { loading: true, items: previous?.items ?? [], failed: false });
    try {
      const { deliveries } = await this.host
        .api()
        .request<{ deliveries: WebhookDelivery[] }>("GET", `/v1/webhooks/${encodeURIComponent(endpoint.id)}/deliveries?limit=${DELIVERIES_SHOWN}`);
      this.setDeliveries(endpoint.id, { loading: false, items: deliveries, failed: false });
    } catch (error) {
      this.setDeliveries(endpoint.id, { loading: false, items: previous?.items ?? [], failed: true });
      this.host.fail(error);
    }
  }

  /** Sends a delivery again, with the whole retry schedule; its row shows it queued. */
  async resend(endpoint: WebhookEndpoint, delivery: WebhookDelivery): Promise<void> {
    const path = `/v1/webhooks/${encodeURIComponent(endpoint.id)}/deliveries/${encodeURIComponent(delivery.id)}/resend`;
    try {
      const queued = await this.host.api().request<WebhookDelivery>("POST", path, {});
      const shown = this.state.deliveries[endpoint.id];
      if (shown) this.setDeliveries(endpoint.id, { ...shown, items: shown.items.map((d) => (d.id === queued.id ? queued : d)) });
      this.host.say(this.host.t("resentAnnounce", { event: delivery.eventType }));
    } catch (error) {
      this.host.fail(error);
    }
  }

  /** Ticks or unticks an event in the "Add endpoint" form. */
  tick(event: WebhookEvent, on: boolean): void {
    const dialog = this.host.dialog();
    if (dialog?.step !== "add") return;
    this.host.patch({ events: on ? WEBHOOK_EVENTS.filter((e) => e === event || dialog.events.includes(e)) : dialog.events.filter((e) => e !== event) });
  }

  private replace(endpoint: WebhookEndpoint): void {
    this.set({ endpoints: this.state.endpoints.map((e) => (e.id === endpoint.id ? endpoint : e)) });
  }

  private setDeliveries(id: string, shown: WebhooksState["deliveries"][string]): void {
    this.set({ deliveries: { ...this.state.deliveries, [id]: shown } });
  }

  private set(patch: Partial<WebhooksState>): void {
    this.state = { ...this.state, ...patch };
    this.element.requestUpdate();
  }
}
