import { html, LitElement, nothing, type PropertyValues } from "lit";
import { ApiClient, ApiError } from "./api-client";
import { ApiKeyCreatedEvent, ApiKeyRevokedEvent, ApiKeysErrorEvent, ApiKeyUpdatedEvent } from "./events";
import { Formatter } from "./format";
import { KeyListController } from "./key-list-controller";
import { fieldErrorsOf, problemMessage } from "./problem-text";
import { RotationController, VERIFY_INTERVAL_MS } from "./rotation-controller";
import { styles } from "./styles";
import { loadLanguage, type TermKey, translator, type Values } from "./terms";
import { UsageController } from "./usage-controller";
import type { ApiKey, UsageWindow } from "./types";
import type { ViewContext } from "./view-context";
import { VirtualRows } from "./virtual-rows";
import { type CreateState, EXPIRY_PRESETS, renderCreate } from "./views/create-view";
import { type DetailsState, renderDetails } from "./views/details-view";
import { type EditState, localDate, renderEdit } from "./views/edit-view";
import { renderList } from "./views/list-view";
import { type RevealState, renderReveal } from "./views/reveal-view";
import { type RevokeState, renderRevoke } from "./views/revoke-view";
import { type RotateState, renderRotate } from "./views/rotate-view";

/** The dialogs the element runs itself; the rotation wizard's state is its controller's. */
type DialogState = CreateState | RevealState | RevokeState | EditState | DetailsState;

const DAY = 86_400_000;

/**
 * The "Settings → API Keys" page: list, create (the secret shown once), revoke and a guided
 * rotation, talking to the management API with the host's signed-in user token.
 *
 * @tag api-keys-settings
 *
 * @attr api-base - Origin of the API (default: the page's origin).
 * @attr token - The signed-in user's bearer token (or set the `getToken` property).
 * @attr locale - BCP 47 locale for text, numbers, dates and relative times: `en`, `de`, `fr`, `es` and their regional variants (`fr-CA` → French); others fall back to English. Default: the page's `lang`.
 * @attr theme - `light`, `dark` or `auto` (follows `prefers-color-scheme`). Default `auto`.
 * @attr default-expiry-days - Preselected expiry of a new key: 30, 60, 90 (default), 180 or 365.
 * @attr verify-interval - Milliseconds between the rotation wizard's checks, in step 3, of whether the new key has been used (default 3000).
 *
 * @fires {ApiKeyCreatedEvent} api-key-created - A key was created (`event.key`, never the secret).
 * @fires {ApiKeyRevokedEvent} api-key-revoked - A key was revoked (`event.key`).
 * @fires {ApiKeyUpdatedEvent} api-key-updated - A key was renamed or its expiry moved earlier (`event.key`).
 * @fires {ApiKeyRotatedEvent} api-key-rotated - A key was rotated (`event.key`, `event.previous`).
 * @fires {ApiKeysErrorEvent} api-keys-error - An API call failed (`event.status`, `event.code`, `event.message`).
 *
 * @csspart header - The title bar with the filter and the "New API key" button.
 * @csspart title - The heading.
 * @csspart filter - The status filter.
 * @csspart create-button - The "New API key" button.
 * @csspart table - The key table.
 * @csspart row - One key's row.
 * @csspart name - The name cell (the name is a button that opens the key's usage and activity).
 * @csspart scopes - A row's permissions: "Full access", or its scopes (cut to the cell's width; all of them on hover).
 * @csspart chart - A usage chart: an active key's sparkline of the last 24 hours in its row, and the details view's chart.
 * @csspart badge - A status badge.
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
 * @csspart stored-button - The reveal dialog's "I have stored it" button.
 * @csspart confirm-revoke-button - The revoke confirmation's Revoke button.
 * @csspart wizard-step - The rotation wizard's "Step n of 4" line.
 * @csspart verify-status - Step 3's "not used yet" or "used" status.
 * @csspart revoke-old-button - Step 4's "Revoke old key now" button.
 * @csspart secret - The once-only key with its Copy button.
 * @csspart copy-button - A Copy button.
 * @csspart warning - The "no expiry" warning.
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
  private readonly rotation = new RotationController(this, {
    api: () => this.api(),
    keys: this.keys,
    interval: () => this.verifyInterval,
    fail: (error, announce) => this.fail(error, announce),
    announce: (key, name) => this.announceKey(key, name),
    done: () => this.closeDialog(),
  });
  /** Each rendered key's last 24 hours of usage, for its sparkline and hints. */
  private readonly usage = new UsageController(this, () => this.api());
  /** Which rows of a long list are rendered. */
  private readonly rows = new VirtualRows(this);
  /** The control that opened the dialog, to give the focus back to. */
  private opener: HTMLElement | null = null;
  /** Dates and times in the current locale (kept across renders: `Intl` formatters are costly to make). */
  private formatter: Formatter | undefined;
  /** Which dialog view is showing ("create", "rotate2"…), to move focus when it changes. */
  private dialogView = "";

  // Element references

  private get dialogElement(): HTMLDialogElement | null {
    return this.renderRoot.querySelector("dialog");
  }

  // Private reactive state

  /** The open create, reveal or revoke dialog (the rotation wizard's state is `rotation.state`). */
  private declare dialog: DialogState | null;
  /** The polite live region's text. */
  private declare announcement: string;

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
  /** Preselected expiry of a new key in days: 30, 60, 90, 180 or 365; any other value means 90. */
  declare defaultExpiryDays: number;
  /** Milliseconds between the rotation wizard's checks, in step 3, of whether the new key has been used. Anything but a positive number means 3000. */
  declare verifyInterval: number;

  // Lifecycle

  constructor() {
    super();
    this.dialog = null;
    this.announcement = "";
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
    const view = shown ? shown.kind + ("step" in shown ? shown.step : "") : "";
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
    return this.dialog ?? this.rotation.state;
  }

  private open(dialog: DialogState, opener: HTMLElement | null): void {
    this.opener = opener;
    this.dialog = dialog;
  }

  /** Closes the open dialog and gives the focus back to the control that opened it. */
  private closeDialog(): void {
    this.rotation.close();
    this.dialog = null;
    const opener = this.opener;
    this.opener = null;
    void this.updateComplete.then(() => (opener?.isConnected ? opener : this.renderRoot.querySelector<HTMLElement>("[part~=create-button]"))?.focus());
  }

  /** Escape closes only dialogs that hold no secret; a dialog the browser closed anyway reopens. */
  private onCancel(event: Event): void {
    event.preventDefault();
    if (!this.holdsSecret()) this.closeDialog();
  }

  private onClose(): void {
    if (this.shownDialog()) this.dialogElement?.showModal();
  }

  private holdsSecret(): boolean {
    return this.dialog?.kind === "reveal" || this.rotation.state?.secret != null;
  }

  private async submitCreate(): Promise<void> {
    const state = this.dialog as CreateState;
    const name = state.name.trim();
    const errors = this.nameErrors(name);
    const expiresAt = this.expiryOf(state);
    if (expiresAt === undefined) errors.expiresAt = this.t("customDateInvalid");
    const { scopes, region } = state;
    if (scopes?.length === 0) errors.scopes = this.t("scopesRequired");
    await this.submitForm(errors, async () => {
      // Full access sends no scopes: the key inherits its creator's permissions. Automatic
      // placement sends no region: the chain is placed where the key is first used.
      const { key, secret } = await this.api().create({
        name,
        expiresAt: expiresAt ?? null,
        scopes: scopes ?? undefined,
        region: region === "auto" ? undefined : region,
      });
      this.keys.prepend(key);
      this.dispatchEvent(new ApiKeyCreatedEvent(key));
      this.announceKey("createdAnnounce", key.name);
      this.dialog = { kind: "reveal", name: key.name, secret };
    });
  }

  /** Renames the key and/or moves its expiry earlier (never later: the server refuses that too); closes at once when nothing changed. */
  private async submitEdit(): Promise<void> {
    const state = this.dialog as EditState;
    const { key, customDate } = state;
    const name = state.name.trim();
    const errors = this.nameErrors(name);
    const current = key.expiresAt && localDate(key.expiresAt);
    // The date as it was (or cleared: an expiry is never removed) keeps the expiry.
    let expiresAt: string | undefined;
    if (customDate && customDate !== current) {
      if (current && customDate > current) errors.expiresAt = this.t("expiryNotLater");
      else if (!(expiresAt = this.customExpiry(customDate))) errors.expiresAt = this.t("customDateInvalid");
    }
    const body = { name: name === key.name ? undefined : name, expiresAt };
    await this.submitForm(errors, async () => {
      if (body.name ?? expiresAt) {
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

  /** The name field's error in the element's language, if any. */
  private nameErrors(name: string): Record<string, string> {
    if (!name) return { name: this.t("nameRequired") };
    return [...name].length > 64 ? { name: this.t("nameTooLong", { n: 64 }) } : {};
  }

  /** The ISO expiry of the form: null for none, undefined when the custom date is unusable. */
  private expiryOf(state: CreateState): string | null | undefined {
    if (state.expiry === "none") return null;
    if (state.expiry !== "custom") return new Date(Date.now() + Number(state.expiry) * DAY).toISOString();
    return this.customExpiry(state.customDate);
  }

  /** The end (23:59:59 local) of a `yyyy-mm-dd` date as ISO; undefined unless that is a minute ahead or more. */
  private customExpiry(date: string): string | undefined {
    const at = Date.parse(`${date}T23:59:59`);
    return at > Date.now() + 60_000 ? new Date(at).toISOString() : undefined;
  }

  /**
   * Opens the details of `key` on a window (or shows another window): its usage, and its audit
   * events (kept from before while another window loads). A late answer for another window or a
   * closed dialog is dropped; a failure is announced.
   */
  private async showDetails(key: ApiKey, window: UsageWindow): Promise<void> {
    this.dialog = { ...(this.dialog as DetailsState), kind: "details", key, window, usage: undefined };
    try {
      const api = this.api();
      const [usage, { events }] = await Promise.all([api.usage(key.id, window), api.events(key.id)]);
      const shown = this.dialog as DetailsState | null;
      if (shown?.key === key && shown.window === window) this.patchDialog({ usage, events });
    } catch (error) {
      this.fail(error);
    }
  }

  private async confirmRevoke(): Promise<void> {
    const state = this.dialog as RevokeState;
    this.patchDialog({ busy: true });
    try {
      const { key } = await this.api().revoke(state.key.id);
      this.keys.replace(key);
      this.dispatchEvent(new ApiKeyRevokedEvent(key));
      this.announceKey("revokedAnnounce", key.name);
      this.closeDialog();
    } catch (error) {
      this.patchDialog({ busy: false });
      this.fail(error);
    }
  }

  /** Merges a change into the open create, edit or revoke dialog's state. */
  private patchDialog(patch: Partial<DialogState>): void {
    if (this.dialog) this.dialog = { ...this.dialog, ...patch } as DialogState;
  }

  /** `default-expiry-days` when it is one of the presets, else the recommended 90. */
  private presetExpiry(): number {
    return (EXPIRY_PRESETS as readonly number[]).includes(this.defaultExpiryDays) ? this.defaultExpiryDays : 90;
  }

  private api(): ApiClient {
    return new ApiClient(this.apiBase || location.origin, { token: this.token, getToken: this.getToken });
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
    switch (d?.kind) {
      case "create":
        return renderCreate(ctx, d, this.formActions(() => this.submitCreate()));
      case "edit":
        return renderEdit(ctx, d, this.formActions(() => this.submitEdit()));
      case "details":
        return renderDetails(ctx, d, (window) => void this.showDetails(d.key, window), () => this.closeDialog());
      case "reveal":
        return renderReveal(ctx, d, (m) => this.say(m), () => this.closeDialog());
      case "revoke":
        return renderRevoke(ctx, d, () => void this.confirmRevoke(), () => this.closeDialog());
      case "rotate":
        return renderRotate(ctx, d, base, {
          onGrace: (grace) => this.rotation.setGrace(grace),
          onCreate: () => void this.rotation.create(),
          onStep: (step) => this.rotation.step(step),
          onCheck: () => void this.rotation.check(),
          onRevokeOld: () => void this.rotation.revokeOld(),
          onClose: () => this.closeDialog(),
          announce: (m) => this.say(m),
        });
      default:
        return nothing;
    }
  }

  // Property watchers

  /** The first token, or a new one (another user signed in): show that user's keys. */
  private handleTokenChange(): void {
    // Before this render: the list is emptied at once, so no row of the last user's keys renders
    // (and asks for its usage) with the new user's token.
    if (this.token || this.getToken) void this.load();
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
    // The content says its language, so a screen reader reads German as German on an English page.
    return html`<div lang=${ctx.lang}>
      ${renderList(ctx, this.keys.state, {
        onCreate: (opener) => {
          const expiry = String(this.presetExpiry());
          this.open({ kind: "create", name: "", expiry, customDate: "", scopes: null, permissions: null, region: "auto", errors: {}, busy: false }, opener);
          // The scopes to choose from: the user's permissions as they are now.
          this.api()
            .me()
            .then(
              ({ permissions }) => this.patchDialog({ permissions }),
              (error) => this.patchDialog({ errors: { scopes: this.fail(error, false) } }),
            );
        },
        onEdit: (key, opener) =>
          this.open({ kind: "edit", key, name: key.name, customDate: key.expiresAt ? localDate(key.expiresAt) : "", errors: {}, busy: false }, opener),
        onDetails: (key, opener) => {
          this.opener = opener;
          void this.showDetails(key, "24h");
        },
        usage: (id) => this.usage.get(id),
        onRevoke: (key, opener) => this.open({ kind: "revoke", key, busy: false }, opener),
        onRotate: (key, opener) => {
          this.opener = opener;
          this.rotation.open(key);
        },
        onFilter: (filter) => this.keys.setFilter(filter),
        onRetry: () => void this.keys.load(),
        onMore: () => void this.keys.loadMore(),
      }, this.rows)}
      <dialog part="dialog" aria-labelledby="dialog-title" closedby=${this.holdsSecret() ? "none" : "closerequest"}
        @cancel=${this.onCancel} @close=${this.onClose}>
        ${this.renderDialog(ctx, base)}
      </dialog>
      <div class="sr-only" role="status" aria-live="polite">${this.announcement}</div>
    </div>`;
  }
}
