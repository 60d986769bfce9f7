import { type CSSResult, html, LitElement, nothing, type PropertyValues } from "lit";
import { ApiClient, ApiError } from "./api-client";
import { ApiKeyCreatedEvent, ApiKeyRevokedEvent, ApiKeyRotatedEvent, ApiKeysErrorEvent, ApiKeyUpdatedEvent } from "./events";
import { Formatter } from "./format";
import { KeyListController } from "./key-list-controller";
import { LazyPart, type PartModule } from "./lazy-part";
import { fieldErrorsOf, problemMessage } from "./problem-text";
import type { RotationController } from "./rotation-controller";
import { styles } from "./styles";
import { loadLanguage, type TermKey, translator, type Values } from "./terms";
import { UsageController } from "./usage-controller";
import type { ApiKey, OrgPolicy, UsageWindow } from "./types";
import type { ViewContext } from "./view-context";
import { VirtualRows } from "./virtual-rows";
import type { WebhooksController } from "./webhooks-controller";
import type { CreateState } from "./views/create-view";
import type { DetailsState } from "./views/details-view";
import type { EditState } from "./views/edit-view";
import { leakBanner } from "./views/leak-banner";
import { renderList } from "./views/list-view";
import { usageChart, WINDOWS } from "./views/usage-chart";
import { type LoadingState, renderLoading } from "./views/loading-view";
import { type RevealState, renderReveal } from "./views/reveal-view";
import type { RevokeState } from "./views/revoke-view";
import type { RotateState } from "./views/rotate-view";
import type { WebhookDialog } from "./views/webhooks-view";

/** The dialogs the element runs itself; the rotation wizard's state is its controller's. */
type DialogState = CreateState | RevealState | RevokeState | EditState | DetailsState | LoadingState | WebhookDialog;
type KeyForms = typeof import("./lazy/key-forms");

/** How often the rotation wizard's step 3 asks whether the new key has been used, unless `verify-interval` says otherwise. */
const VERIFY_INTERVAL_MS = 3000;

/**
 * The "Settings → API Keys" page: list, create (the secret shown once; only the lifetimes the org's
 * policy allows, with that policy shown read-only), edit (name, description, expiry, IP
 * allowlist), pause and resume, revoke (with an optional reason), a guided rotation that shows how
 * the old key drains and can end its grace once it is idle, canary keys (honeytokens) listed apart,
 * a leaked key's banner with a one-click "Rotate now", and, for org admins, the org's webhook
 * endpoints and their deliveries; talking to the management API with the host's signed-in user
 * token. The dialogs beyond the list and the webhooks section are chunks fetched when first needed.
 *
 * @tag api-keys-settings
 *
 * @attr api-base - Origin of the API (default: the page's origin).
 * @attr token - The signed-in user's bearer token (or set the `getToken` property).
 * @attr locale - BCP 47 locale for text, numbers, dates and relative times: `en`, `de`, `fr`, `es` and their regional variants (`fr-CA` → French); others fall back to English. Default: the page's `lang`.
 * @attr theme - `light`, `dark` or `auto` (follows `prefers-color-scheme`). Default `auto`.
 * @attr default-expiry-days - Preselected expiry of a new key: 30, 60, 90 (default), 180 or 365, when the org's policy sets no default expiry and allows it.
 * @attr verify-interval - Milliseconds between the rotation wizard's checks, in step 3, of whether the new key has been used (default 3000).
 *
 * @fires {ApiKeyCreatedEvent} api-key-created - A key was created (`event.key`, never the secret).
 * @fires {ApiKeyRevokedEvent} api-key-revoked - A key was revoked (`event.key`).
 * @fires {ApiKeyUpdatedEvent} api-key-updated - A key was edited, paused or resumed (`event.key`).
 * @fires {ApiKeyRotatedEvent} api-key-rotated - A key was rotated (`event.key`, `event.previous`).
 * @fires {ApiKeysErrorEvent} api-keys-error - An API call failed (`event.status`, `event.code`, `event.message`).
 *
 * @csspart header - The title bar with the filter and the "New API key" button.
 * @csspart title - The heading.
 * @csspart filter - The status filter.
 * @csspart create-button - The "New API key" button.
 * @csspart create-note - Stands in for it where the org lets only its admins create keys (and the user is not one).
 * @csspart table - The key table.
 * @csspart row - One key's row.
 * @csspart name - The name cell (the name is a button that opens the key's usage and activity).
 * @csspart scopes - A row's permissions: "Full access", or its scopes (cut to the cell's width; all of them on hover).
 * @csspart chart - A usage chart: an active key's sparkline of the last 24 hours in its row, and the details view's chart.
 * @csspart leak-banner - A leaked key's banner (in its row and its details view): where and when it was found, and what that means now.
 * @csspart rotate-now-button - A leaked key's "Rotate now" (a rotation without grace, the old key revoked, the new one shown once).
 * @csspart ip-restricted - The "IP-restricted" marker of a key with an IP allowlist (the list on hover and for screen readers).
 * @csspart badge - A status badge.
 * @csspart paused - The "Paused" badge of a paused key.
 * @csspart revoked-reason - A revoked key's reason, under its badge.
 * @csspart canaries - The canary keys' section (honeytokens), below the other keys.
 * @csspart canary-table - Its table.
 * @csspart hint - A best-practice hint (rotate, unused, expires soon).
 * @csspart rotate-button - A row's Rotate button.
 * @csspart rotate-owner-note - Stands in for Rotate on a key that can do more than the viewer (only its owner may rotate it).
 * @csspart edit-button - A row's Edit button (rename, move the expiry earlier).
 * @csspart revoke-button - A row's Revoke button.
 * @csspart more-button - "Load more".
 * @csspart loading - The loading state.
 * @csspart empty - The empty state.
 * @csspart error - The error state.
 * @csspart dialog - The dialog of every flow.
 * @csspart stored-button - The "I have stored it" button of the reveal dialog and of a new endpoint's signing secret.
 * @csspart confirm-revoke-button - The revoke confirmation's Revoke button.
 * @csspart wizard-step - The rotation wizard's "Step n of 4" line.
 * @csspart verify-status - Step 3's "not used yet" or "used" status.
 * @csspart revoke-old-button - Step 4's "Revoke old key now" button.
 * @csspart drain - How the old key is still used during its grace period (the wizard's steps 3 and 4, a rotated key's details).
 * @csspart pause-button - The details view's "Pause key" or "Resume key".
 * @csspart policy - The create form's read-only "Your organization's key policy".
 * @csspart facts - A key's state beyond its row in its details: paused, canary, description, revocation reason, credits, its own rate limits.
 * @csspart meta - A key's metadata in its details, with the warning that it and the description are visible to everyone who can see the key.
 * @csspart active-count - The create form's "You have n of max active keys".
 * @csspart secret - The once-only key with its Copy button.
 * @csspart copy-button - A Copy button.
 * @csspart warning - The "no expiry" warning.
 * @csspart webhooks - The webhooks section (org admins only).
 * @csspart add-endpoint-button - The webhooks section's "Add endpoint" button.
 * @csspart endpoint - One webhook endpoint of the list.
 * @csspart deliveries - An endpoint's recent deliveries.
 * @csspart resend-button - A failed delivery's Resend button.
 *
 * @cssprop --api-keys-font - Font (default: inherited from the host page).
 * @cssprop --api-keys-bg - Background.
 * @cssprop --api-keys-fg - Text colour.
 * @cssprop --api-keys-muted - Secondary text.
 * @cssprop --api-keys-border - Borders.
 * @cssprop --api-keys-surface - Buttons and code backgrounds.
 * @cssprop --api-keys-accent - Primary buttons and focus rings.
 * @cssprop --api-keys-accent-fg - Text on primary buttons.
 * @cssprop --api-keys-danger - Revoke buttons and errors.
 * @cssprop --api-keys-danger-fg - Text on revoke buttons.
 * @cssprop --api-keys-ok - The active badge and "used" confirmation.
 * @cssprop --api-keys-warning - Hint and warning text.
 * @cssprop --api-keys-warning-bg - Hint and warning background.
 * @cssprop --api-keys-radius - Corner radius.
 * @cssprop --api-keys-space - Base spacing.
 */
export class ApiKeysSettings extends LitElement {
  // Members in Shoelace's order: (1) statics; (2) controllers and private fields; (3) element
  // references (what @query would declare); (4) private reactive state (@state); (5) public
  // reactive properties (@property), each documented; (6) lifecycle; (7) private handlers and
  // helpers; (8) property watchers (what @watch would declare); (9) public methods; (10) render().
  // The public API is the documented properties and load(); nothing is public for the controllers.

  // Statics

  /** @internal */
  static override styles = styles;
  /** @internal Lit's property declarations (this build uses no decorators). */
  static override properties = {
    dialog: { state: true },
    announcement: { state: true },
    rotatingNow: { state: true },
    isAdmin: { state: true },
    policy: { state: true },
    apiBase: { attribute: "api-base" },
    token: {},
    getToken: { attribute: false },
    locale: {},
    theme: { reflect: true },
    defaultExpiryDays: { attribute: "default-expiry-days", type: Number },
    verifyInterval: { attribute: "verify-interval", type: Number },
  };

  // Controllers and private fields

  private readonly keys = new KeyListController(this, () => this.api(), (error) => this.fail(error));
  // The dialogs beyond the list are chunks of their own, fetched when first opened (lazy-part.ts).
  private readonly forms = this.lazy(() => import("./lazy/key-forms"));
  private readonly details = this.lazy(() => import("./lazy/details"));
  private readonly rotations = this.lazy(() => import("./lazy/rotation"));
  private readonly webhookPart = this.lazy(() => import("./lazy/webhooks"));
  /** The rotation wizard, made when a Rotate is first clicked (its chunk then arrived). */
  private rotation: RotationController | null = null;
  /** The admins' webhooks section, made once GET /v1/me says the user is an org admin (its chunk then arrived). */
  private webhooks: WebhooksController | null = null;
  /** Counts sign-ins (token changes): only the latest one's GET /v1/me decides admin mode. */
  private signIns = 0;
  /** The last renewal after a 401: the refused token and `getToken`'s answer (shared by the requests refused with it). */
  private renewed: { refused: string | null; token: Promise<string> } | null = null;
  /** That answer once it came: later requests start with it instead of the refused `token`, until the host sets another.  */
  private fresh: string | null = null;
  /** Each rendered key's last 24 hours of usage, for its sparkline and hints. */
  private readonly usage = new UsageController(this, () => this.api());
  /** Which rows of a long list are rendered. */
  private readonly rows = new VirtualRows(this);
  /** The control that opened the dialog, to give the focus back to. */
  private opener: HTMLElement | null = null;
  /** Where the focus goes when that control is gone (a deleted endpoint's, a revoked key's): its section's main button. */
  private fallback = "[part~=create-button]";
  /** Dates and times in the current locale (kept across renders: `Intl` formatters are costly to make). */
  private formatter: Formatter | undefined;
  /** Which dialog view is showing ("create", "rotate2"…), to move focus when it changes. */
  private dialogView = "";

  // Element references

  private get dialogElement(): HTMLDialogElement | null {
    return this.renderRoot.querySelector("dialog");
  }

  // Private reactive state

  /** The open dialog, or the one whose part is loading (the rotation wizard's state is `rotation.state`). */
  private declare dialog: DialogState | null;
  /** The polite live region's text. */
  private declare announcement: string;
  /** The leaked key whose "Rotate now" is under way. */
  private declare rotatingNow: string | null;
  /** The signed-in user is an org admin (GET /v1/me): the webhooks section shows. */
  private declare isAdmin: boolean;
  /** The org's key policies (GET /v1/org/policy, read at sign-in and when the create form opens); null until known. */
  private declare policy: OrgPolicy | null;

  // Public reactive properties

  /** Origin of the API; empty means the page's origin. */
  declare apiBase: string;
  /** The signed-in user's bearer token. */
  declare token: string | null;
  /** Returns a token: called when there is no `token`, and once more after a 401 (then the request is retried once). */
  declare getToken: (() => Promise<string>) | null;
  /** BCP 47 locale for text, numbers, dates and relative times: `en`, `de`, `fr`, `es` and their regional variants (`fr-CA` → French); others fall back to English. Default: the page's `lang`, else the browser's. */
  declare locale: string;
  /** `light`, `dark` or `auto` (follows `prefers-color-scheme`). */
  declare theme: "light" | "dark" | "auto";
  /** Preselected expiry of a new key in days: 30, 60, 90, 180 or 365; any other value means 90. The org's default expiry (GET /v1/org/policy) wins, and a value its maximum lifetime forbids is not offered. */
  declare defaultExpiryDays: number;
  /** Milliseconds between the rotation wizard's checks, in step 3, of whether the new key has been used. Anything but a positive number means 3000. */
  declare verifyInterval: number;

  // Lifecycle

  constructor() {
    super();
    this.dialog = null;
    this.announcement = "";
    this.rotatingNow = null;
    this.isAdmin = false;
    this.policy = null;
    this.apiBase = "";
    this.token = null;
    this.getToken = null;
    this.locale = document.documentElement.lang || navigator.language || "en";
    this.theme = "auto";
    this.defaultExpiryDays = 90;
    this.verifyInterval = VERIFY_INTERVAL_MS;
  }

  /** Renders only once the locale's catalogue is loaded (a German page never flashes English). */
  protected override scheduleUpdate(): void | Promise<unknown> {
    const language = loadLanguage(this.locale);
    return language ? language.then(() => super.scheduleUpdate()) : super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("token") || changed.has("getToken")) this.handleTokenChange();
  }

  protected override updated(): void {
    const dialog = this.dialogElement;
    if (!dialog) return;
    const shown = this.shownDialog();
    const view = shown ? shown.kind + ("step" in shown ? shown.step : "") + ("failed" in shown && shown.failed ? "!" : "") : "";
    if (shown && !dialog.open) dialog.showModal();
    else if (view && view !== this.dialogView) {
      // New content in an open dialog (create → reveal, a wizard step): focus moves into it.
      (dialog.querySelector<HTMLElement>("[autofocus]") ?? dialog.querySelector<HTMLElement>("button"))?.focus();
    }
    if (!shown && dialog.open) dialog.close();
    this.dialogView = view;
  }

  // Private handlers and helpers

  /** The dialog on screen: one of the element's own, or the rotation wizard. */
  private shownDialog(): DialogState | RotateState | null {
    return this.dialog ?? this.rotation?.state ?? null;
  }

  private open(dialog: DialogState, opener: HTMLElement | null, fallback = "[part~=create-button]"): void {
    this.opener = opener;
    this.fallback = fallback;
    this.dialog = dialog;
  }

  /** A part of the element that is fetched the first time it is needed, with its words in the element's locale and its styles. */
  private lazy<M extends PartModule>(importer: () => Promise<M>): LazyPart<M> {
    return new LazyPart(this, importer, () => this.locale, (styles) => this.adoptStyles(styles));
  }

  /** Adds a part's styles to the element's (constructable style sheets: no inline style for the CSP). */
  private adoptStyles(styles: CSSResult[]): void {
    const root = this.renderRoot as ShadowRoot;
    const sheets = styles.map((style) => style.styleSheet).filter((sheet): sheet is CSSStyleSheet => !!sheet);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, ...sheets];
  }

  /**
   * Opens a dialog whose part is a chunk of its own: at once when it is there, else a dialog that
   * says it is loading (and, if the fetch fails, says so, with "Try again") until `show` can run.
   */
  private openLazy<M extends PartModule>(part: LazyPart<M>, opener: HTMLElement | null, show: (module: M) => void): void {
    this.opener = opener;
    this.fallback = "[part~=create-button]";
    const ready = part.get();
    if (ready) return show(ready);
    const ticket = {};
    const current = () => this.dialog?.kind === "loading" && this.dialog.ticket === ticket;
    const attempt = () => {
      this.dialog = { kind: "loading", ticket, failed: false, retry: attempt };
      part.load().then(
        (module) => {
          if (!current()) return;
          this.dialog = null;
          show(module);
        },
        () => {
          if (current()) this.dialog = { kind: "loading", ticket, failed: true, retry: attempt };
        },
      );
    };
    attempt();
  }

  /** Closes the open dialog and gives the focus back to the control that opened it. */
  private closeDialog(): void {
    this.rotation?.close();
    this.dialog = null;
    const opener = this.opener;
    this.opener = null;
    void this.updateComplete.then(() => (opener?.isConnected ? opener : this.renderRoot.querySelector<HTMLElement>(this.fallback))?.focus());
  }

  /** Escape closes only dialogs that hold no secret; a dialog the browser closed anyway reopens. */
  private onCancel(event: Event): void {
    event.preventDefault();
    if (!this.holdsSecret()) this.closeDialog();
  }

  private onClose(): void {
    if (this.shownDialog()) this.dialogElement?.showModal();
  }

  /** A dialog that shows a secret (the reveal, the wizard's step 2 and 3) closes only through its own button. */
  private holdsSecret(): boolean {
    const shown = this.shownDialog();
    return !!shown && "secret" in shown && !!shown.secret;
  }

  private async submitCreate(forms: KeyForms): Promise<void> {
    const { errors, body } = forms.checkCreate(this.dialog as CreateState, (k, v) => this.t(k, v), Date.now());
    await this.submitForm(errors, async () => {
      const { key, secret } = await this.api().create(body);
      this.keys.prepend(key);
      this.dispatchEvent(new ApiKeyCreatedEvent(key));
      this.announceKey("createdAnnounce", key.name);
      this.dialog = { kind: "reveal", name: key.name, secret };
    });
  }

  /** Renames the key and/or moves its expiry earlier; closes at once when nothing changed. */
  private async submitEdit(forms: KeyForms): Promise<void> {
    const { key } = this.dialog as EditState;
    const { errors, body } = forms.checkEdit(this.dialog as EditState, (k, v) => this.t(k, v), Date.now());
    await this.submitForm(errors, async () => {
      if (Object.values(body).some((value) => value !== undefined)) {
        const { key: updated } = await this.api().update(key.id, body);
        this.keys.replace(updated);
        this.dispatchEvent(new ApiKeyUpdatedEvent(updated));
        this.announceKey("updatedAnnounce", updated.name);
      }
      this.closeDialog();
    });
  }

  /** Shows the form's `errors`, or else runs `call` with the form busy; a refusal shows the server's field errors. */
  private async submitForm(errors: Record<string, string>, call: () => Promise<void>): Promise<void> {
    if (Object.keys(errors).length) return this.patchDialog({ errors });
    this.patchDialog({ busy: true, errors: {} });
    try {
      await call();
    } catch (error) {
      this.patchDialog({ busy: false, errors: fieldErrorsOf(error, (k, v) => this.t(k, v)) });
      this.fail(error, false);
    }
  }

  /**
   * Opens the details of `key` on a window (or shows another window): its usage, its audit
   * events (kept from before while another window loads), the key read exactly (its credits) and,
   * in a rotation's grace period, its drain. A late answer for another window or a closed dialog
   * is dropped; a failure is announced.
   */
  private async showDetails(key: ApiKey, window: UsageWindow): Promise<void> {
    this.dialog = { ...(this.dialog as DetailsState), kind: "details", key, window, usage: undefined };
    try {
      const api = this.api();
      // The key as its Durable Object has it (exact credits and last use; the list's copy lags)
      // and, in a rotation's grace period, how its integrations drain from it.
      const exact = api.get(key.id).catch(() => null);
      const [usage, { events }, found] = await Promise.all([api.usage(key.id, window), api.events(key.id), exact]);
      const shown = this.dialog as DetailsState | null;
      if (shown?.kind !== "details" || shown.key.id !== key.id || shown.window !== window) return;
      this.patchDialog(found?.key ? { usage, events, key: found.key, drain: found.drain ?? null } : { usage, events });
      if (found?.key) this.keys.replace(found.key);
    } catch (error) {
      this.fail(error);
    }
  }

  private async confirmRevoke(): Promise<void> {
    const state = this.dialog as RevokeState;
    this.patchDialog({ busy: true });
    try {
      const { key } = await this.api().revoke(state.key.id, state.reason.trim() || undefined);
      this.keys.replace(key);
      this.dispatchEvent(new ApiKeyRevokedEvent(key));
      this.announceKey("revokedAnnounce", key.name);
      this.closeDialog();
    } catch (error) {
      // A refused reason says why in the server's words; anything else in the catalogue's.
      this.patchDialog({ busy: false, error: fieldErrorsOf(error, (k, v) => this.t(k, v)).form });
      this.fail(error);
    }
  }

  /** The details view's Pause and Resume: at once at the edge, like a revoke; the row and the view show it. */
  private async setEnabled(key: ApiKey, enabled: boolean): Promise<void> {
    // Only this key's details view, if it is still open, shows the outcome.
    const patch = (change: Partial<DetailsState>) => this.dialog?.kind === "details" && this.dialog.key.id === key.id && this.patchDialog(change);
    patch({ busy: true, error: undefined });
    try {
      const { key: updated } = await this.api().update(key.id, { enabled });
      this.keys.replace(updated);
      patch({ key: updated });
      this.dispatchEvent(new ApiKeyUpdatedEvent(updated));
      this.say(this.t(enabled ? "resumedAnnounce" : "pausedAnnounce", { name: updated.name }));
    } catch (error) {
      // A 409 (revoked or expired meanwhile): the view reads the key again, to show what it is now.
      if (patch({ error: this.fail(error) }) !== false && (error as ApiError).problem?.status === 409) void this.showDetails(key, (this.dialog as DetailsState).window);
    } finally {
      patch({ busy: false });
    }
  }

  /**
   * A leaked key's "Rotate now", in one click: a rotation without grace (the old key stops
   * working at once), then the old key revoked, since it is public; the new key is shown once, as
   * a new key is. The list, the events and the announcement are the rotation wizard's.
   */
  private async rotateNow(old: ApiKey, opener: HTMLElement): Promise<void> {
    this.rotatingNow = old.id;
    try {
      const api = this.api();
      const { key, secret, previous } = await api.rotate(old.id, 0);
      this.keys.replace(previous);
      this.keys.prepend(key);
      this.dispatchEvent(new ApiKeyRotatedEvent(key, previous));
      try {
        const { key: revoked } = await api.revoke(old.id);
        this.keys.replace(revoked);
        this.dispatchEvent(new ApiKeyRevokedEvent(revoked));
      } catch (error) {
        this.fail(error, false); // it stopped working anyway: its grace period ended with the rotation
      }
      this.announceKey("rotatedAnnounce", key.name);
      this.open({ kind: "reveal", name: key.name, secret }, opener);
    } catch (error) {
      this.fail(error);
    } finally {
      this.rotatingNow = null;
    }
  }

  /** The banner of a leaked key, for its row and its details view. */
  private leakBannerOf(ctx: ViewContext, key: ApiKey) {
    return key.leak ? leakBanner(ctx, key, this.rotatingNow === key.id, (e) => void this.rotateNow(key, e.currentTarget as HTMLElement)) : nothing;
  }

  /** What the webhooks section needs from the element. */
  private webhookHost() {
    return {
      api: () => this.api(),
      open: (dialog: WebhookDialog, opener: HTMLElement | null) => this.open(dialog, opener ?? this.opener, "[part~=add-endpoint-button]"),
      dialog: () => (this.dialog?.kind === "webhook" ? this.dialog : null),
      patch: (patch: Partial<WebhookDialog>) => this.patchDialog(patch),
      close: () => this.closeDialog(),
      say: (message: string) => this.say(message),
      fail: (error: unknown, announce?: boolean) => this.fail(error, announce),
      fieldErrors: (error: unknown) => fieldErrorsOf(error, (k, v) => this.t(k, v)),
      t: (key: TermKey, values?: Values) => this.t(key, values),
    };
  }

  /** The webhooks section: an admin's only, once its chunk has arrived (if that fails: an error and Try again). */
  private renderWebhooks(ctx: ViewContext) {
    if (!this.isAdmin) return nothing;
    const module = this.webhookPart.get();
    if (!module || !this.webhooks) {
      return this.webhookPart.failed
        ? html`<div class="state webhooks" role="alert">
            <p>${ctx.t("viewFailed")} ${ctx.t("viewFailedHelp")}</p>
            <button @click=${() => void this.startWebhooks()}>${ctx.t("retry")}</button>
          </div>`
        : nothing;
    }
    const webhooks = this.webhooks;
    return module.renderWebhooks(ctx, webhooks.state, {
      onAdd: (opener) => webhooks.openAdd(opener),
      onRetry: () => void webhooks.load(),
      onToggle: (endpoint) => void webhooks.toggle(endpoint),
      onDelete: (endpoint, opener) => webhooks.openDelete(endpoint, opener),
      onDeliveries: (endpoint) => webhooks.toggleDeliveries(endpoint),
      onRefresh: (endpoint) => void webhooks.loadDeliveries(endpoint),
      onResend: (endpoint, delivery) => void webhooks.resend(endpoint, delivery),
    });
  }

  /** Fetches the webhooks section's chunk (once) and loads the org's endpoints. */
  private async startWebhooks(): Promise<void> {
    try {
      const { WebhooksController } = await this.webhookPart.load();
      this.webhooks ??= new WebhooksController(this, this.webhookHost());
      await this.webhooks.load();
    } catch {
      // The section shows the failure, with Try again.
    }
  }

  /** Merges a change into the open create, edit or revoke dialog's state. */
  private patchDialog(patch: Partial<DialogState>): void {
    if (this.dialog) this.dialog = { ...this.dialog, ...patch } as DialogState;
  }

  private api(): ApiClient {
    return new ApiClient(this.apiBase || location.origin, {
      token: this.fresh ?? this.token,
      getToken: this.getToken,
      renew: (refused) => this.renew(refused),
    });
  }

  /**
   * A fresh token after a 401: one `getToken()` for every request refused with the same token
   * (the list and GET /v1/me at sign-in, the rows' usage); a token refused again asks again, and
   * so does the next refusal after a failed renewal.
   */
  private renew(refused: string | null): Promise<string> {
    if (this.renewed?.refused !== refused) {
      const token = this.getToken!();
      const renewed = (this.renewed = { refused, token });
      token.then(
        (value) => this.renewed === renewed && (this.fresh = value),
        () => this.renewed === renewed && (this.renewed = null),
      );
    }
    return this.renewed!.token;
  }

  private t(key: TermKey, values?: Values): string {
    return translator(this.locale).t(key, values);
  }

  /** Announces "{name} was created/revoked/rotated." in the live region. */
  private announceKey(key: "createdAnnounce" | "revokedAnnounce" | "rotatedAnnounce" | "updatedAnnounce", name: string): void {
    this.say(this.t(key, { name }));
  }

  /** Puts a message in the polite live region. */
  private say(message: string): void {
    // Clearing first makes a repeated message ("Copied.") announce again.
    this.announcement = "";
    void this.updateComplete.then(() => (this.announcement = message));
  }

  /** Reports a failed call (the `api-keys-error` event, and the live region unless told not to); returns its sentence. */
  private fail(error: unknown, announce = true): string {
    const problem = error instanceof ApiError ? error.problem : { status: 0, code: undefined };
    const message = problemMessage(error, (k, v) => this.t(k, v));
    if (announce) this.say(message);
    this.dispatchEvent(new ApiKeysErrorEvent(problem.status, problem.code ?? null, message));
    return message;
  }

  private context(): ViewContext {
    const { t, locale } = translator(this.locale);
    if (this.formatter?.locale !== locale) this.formatter = new Formatter(locale);
    return { t, fmt: this.formatter, lang: locale, now: Date.now() };
  }

  /** What the create and edit forms do with input, submit and cancel. */
  private formActions(submit: () => Promise<void>) {
    return { onInput: (patch: Partial<DialogState>) => this.patchDialog(patch), onSubmit: () => void submit(), onCancel: () => this.closeDialog() };
  }

  private renderDialog(ctx: ViewContext, base: string) {
    const d = this.shownDialog();
    const close = () => this.closeDialog();
    switch (d?.kind) {
      case "loading":
        return renderLoading(ctx, d.failed, d.retry, close);
      case "create":
        return this.withPart(ctx, this.forms, (m) => m.renderCreate(ctx, d, this.formActions(() => this.submitCreate(m))));
      case "edit":
        return this.withPart(ctx, this.forms, (m) => m.renderEdit(ctx, d, this.formActions(() => this.submitEdit(m))));
      case "details":
        return this.withPart(ctx, this.details, (m) =>
          m.renderDetails(ctx, d, {
            onWindow: (window) => void this.showDetails(d.key, window),
            onEnabled: (enabled) => void this.setEnabled(d.key, enabled),
            onClose: close,
            banner: this.leakBannerOf(ctx, this.keys.state.keys.find((k) => k.id === d.key.id) ?? d.key),
            chart: (usage) => usageChart(ctx, usage, true),
            windows: WINDOWS,
          }),
        );
      case "webhook":
        return this.withPart(ctx, this.webhookPart, (m) =>
          m.renderWebhookDialog(ctx, d, {
            onInput: (patch) => this.patchDialog(patch),
            onTick: (event, on) => this.webhooks?.tick(event, on),
            onSubmit: () => void this.webhooks?.submitAdd(),
            onConfirmDelete: () => void this.webhooks?.confirmDelete(),
            onClose: close,
            announce: (message) => this.say(message),
          }),
        );
      case "reveal":
        return renderReveal(ctx, d, (m) => this.say(m), close);
      case "revoke":
        return this.withPart(ctx, this.forms, (m) => m.renderRevoke(ctx, d, (reason) => this.patchDialog({ reason }), () => void this.confirmRevoke(), close));
      case "rotate":
        return this.withPart(ctx, this.rotations, (m) =>
          m.renderRotate(ctx, d, base, {
            onGrace: (grace) => this.rotation?.setGrace(grace),
            onIdle: (idle) => this.rotation?.setIdle(idle),
            onCreate: () => void this.rotation?.create(),
            onStep: (step) => this.rotation?.step(step),
            onCheck: () => void this.rotation?.check(),
            onRevokeOld: () => void this.rotation?.revokeOld(),
            onClose: close,
            announce: (message) => this.say(message),
          }),
        );
      default:
        return nothing;
    }
  }

  /** A part's view once the part has its words in the current locale (the locale may have changed since it opened); else it loads. */
  private withPart<M extends PartModule>(ctx: ViewContext, part: LazyPart<M>, view: (module: M) => unknown) {
    const module = part.get();
    return module ? view(module) : renderLoading(ctx, part.failed, () => void part.load().catch(() => undefined), () => this.closeDialog());
  }

  // Property watchers

  /**
   * The first token, or a new one (another user signed in, or none: signed out): close any open
   * dialog (the wizard stops polling), show that user's keys, and the
   * webhooks section if GET /v1/me says they are an org admin (a member's element never fetches
   * the section or its endpoints).
   */
  private handleTokenChange(): void {
    // Before this render: the list is emptied at once, so no row of the last user's keys renders
    // (and asks for its usage) with the new user's token.
    this.isAdmin = false;
    this.policy = null;
    this.renewed = null;
    this.fresh = null;
    // No dialog of the last user stays: not their new key's secret, nor a form filled for them,
    // nor the rotation wizard polling their key.
    this.rotation?.close();
    this.dialog = null;
    if (!(this.token || this.getToken)) return;
    void this.load();
    const signIn = ++this.signIns;
    this.api()
      .me()
      .then(
        ({ isAdmin }) => {
          if (signIn !== this.signIns) return;
          this.isAdmin = isAdmin === true;
          if (this.isAdmin) void this.startWebhooks();
        },
        () => undefined, // no admin mode without an answer; the list says what went wrong
      );
    // The org's policies: whether the user may create keys (without an answer the server still applies them).
    this.api()
      .policy()
      .then(
        ({ policy }) => signIn === this.signIns && (this.policy = policy ?? null),
        () => undefined,
      );
  }

  // Public methods

  /** Reloads the first page of keys (for instance after the host changed the token). */
  load(): Promise<void> {
    this.usage.clear();
    return this.keys.load();
  }

  // Render

  protected override render() {
    const ctx = this.context();
    const base = (this.apiBase || location.origin).replace(/\/+$/, "");
    // The polite live region, twice: in the dialog (a modal dialog makes the page behind it inert,
    // and an inert region is never read out) and in the page (a closed dialog's content is hidden).
    const live = html`<div class="sr-only" role="status" aria-live="polite">${this.announcement}</div>`;
    // The content says its language, so a screen reader reads German as German on an English page.
    return html`<div lang=${ctx.lang}>
      ${renderList(ctx, this.keys.state, {
        mayCreate: this.isAdmin || this.policy?.membersMayCreateKeys !== false,
        onCreate: (opener) =>
          this.openLazy(this.forms, opener, (forms) => {
            this.dialog = forms.createState(this.defaultExpiryDays, this.policy);
            // The scopes, the lifetimes and the count as they are now.
            const state = () => (this.dialog?.kind === "create" ? this.dialog : null);
            forms.fillCreate(this.api(), {
              state,
              patch: (patch) => state() && this.patchDialog(patch),
              policy: (policy) => (this.policy = policy),
              fail: (error) => this.fail(error, false),
              defaultExpiryDays: this.defaultExpiryDays,
            });
          }),
        onEdit: (key, opener) => this.openLazy(this.forms, opener, (forms) => (this.dialog = forms.editState(key, this.policy))),
        onDetails: (key, opener) => this.openLazy(this.details, opener, () => void this.showDetails(key, "24h")),
        usage: (id) => this.usage.get(id),
        onRevoke: (key, opener) => this.openLazy(this.forms, opener, () => (this.dialog = { kind: "revoke", key, reason: "", busy: false })),
        onRotateNow: (key, opener) => void this.rotateNow(key, opener),
        isRotatingNow: (id) => this.rotatingNow === id,
        onRotate: (key, opener) =>
          this.openLazy(this.rotations, opener, ({ RotationController }) => {
            this.rotation ??= new RotationController(this, {
              api: () => this.api(),
              keys: this.keys,
              interval: () => (this.verifyInterval > 0 ? this.verifyInterval : VERIFY_INTERVAL_MS),
              fail: (error, announce) => this.fail(error, announce),
              announce: (key, name) => this.announceKey(key, name),
              rotated: (key, previous) => this.dispatchEvent(new ApiKeyRotatedEvent(key, previous)),
              revoked: (key) => this.dispatchEvent(new ApiKeyRevokedEvent(key)),
              done: () => this.closeDialog(),
            });
            this.rotation.open(key);
          }),
        onFilter: (filter) => this.keys.setFilter(filter),
        onRetry: () => void this.keys.load(),
        onMore: () => void this.keys.loadMore(),
      }, this.rows)}
      ${this.renderWebhooks(ctx)}
      <dialog part="dialog" aria-labelledby="dialog-title" closedby=${this.holdsSecret() ? "none" : "closerequest"}
        @cancel=${this.onCancel} @close=${this.onClose}>
        ${this.renderDialog(ctx, base)}${live}
      </dialog>
      ${live}
    </div>`;
  }
}
