import { html, LitElement, nothing, type PropertyValues } from "lit";
import { ApiClient, ApiError } from "./api-client";
import { ApiKeyCreatedEvent, ApiKeyRevokedEvent, ApiKeyRotatedEvent, ApiKeysErrorEvent } from "./events";
import { Formatter } from "./format";
import { styles } from "./styles";
import { catalogueFor, term, type TermKey } from "./terms";
import type { ApiKey, KeyStatus } from "./types";
import type { ViewContext } from "./view-context";
import { type CreateState, EXPIRY_PRESETS, renderCreate } from "./views/create-view";
import { type ListState, renderList } from "./views/list-view";
import { type RevealState, renderReveal } from "./views/reveal-view";
import { type RevokeState, renderRevoke } from "./views/revoke-view";
import { type RotateState, renderRotate } from "./views/rotate-view";

type DialogState = CreateState | RevealState | RevokeState | RotateState;

const DAY = 86_400_000;
const VERIFY_POLL_MS = 3000;

/**
 * The "Settings → API Keys" page: list, create (the secret shown once), revoke and a guided
 * rotation, talking to the management API with the host's signed-in user token.
 *
 * @tag api-keys-settings
 *
 * @attr api-base - Origin of the API (default: the page's origin).
 * @attr token - The signed-in user's bearer token (or set the `getToken` property).
 * @attr locale - BCP 47 locale for text, dates and relative times (`en`, `de`; default: the page's `lang`).
 * @attr theme - `light`, `dark` or `auto` (follows `prefers-color-scheme`). Default `auto`.
 * @attr default-expiry-days - Preselected expiry of a new key: 30, 60, 90 (default), 180 or 365.
 *
 * @prop {() => Promise<string>} getToken - Returns a token; called again once after a 401.
 *
 * @fires {ApiKeyCreatedEvent} api-key-created - A key was created (`event.key`, never the secret).
 * @fires {ApiKeyRevokedEvent} api-key-revoked - A key was revoked (`event.key`).
 * @fires {ApiKeyRotatedEvent} api-key-rotated - A key was rotated (`event.key`, `event.previous`).
 * @fires {ApiKeysErrorEvent} api-keys-error - An API call failed (`event.status`, `event.code`, `event.message`).
 *
 * @csspart header - The title bar with the filter and the "New API key" button.
 * @csspart title - The heading.
 * @csspart filter - The status filter.
 * @csspart create-button - The "New API key" button.
 * @csspart table - The key table.
 * @csspart row - One key's row.
 * @csspart name - The name cell.
 * @csspart badge - A status badge.
 * @csspart hint - A best-practice hint (rotate, unused, expires soon).
 * @csspart rotate-button - A row's Rotate button.
 * @csspart revoke-button - A row's Revoke button.
 * @csspart more-button - "Load more".
 * @csspart loading - The loading state.
 * @csspart empty - The empty state.
 * @csspart error - The error state.
 * @csspart dialog - The dialog of every flow.
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
  static override styles = styles;
  static override properties = {
    apiBase: { attribute: "api-base" },
    token: {},
    getToken: { attribute: false },
    locale: {},
    theme: { reflect: true },
    defaultExpiryDays: { attribute: "default-expiry-days", type: Number },
    list: { state: true },
    dialog: { state: true },
    announcement: { state: true },
  };

  declare apiBase: string;
  declare token: string | null;
  declare getToken: (() => Promise<string>) | null;
  declare locale: string;
  declare theme: "light" | "dark" | "auto";
  declare defaultExpiryDays: number;
  declare list: ListState;
  declare dialog: DialogState | null;
  declare announcement: string;

  private opener: HTMLElement | null = null;
  /** Which dialog view is showing ("create", "rotate2"…), to move focus when it changes. */
  private dialogView = "";
  private poll: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.apiBase = "";
    this.token = null;
    this.getToken = null;
    this.locale = document.documentElement.lang || navigator.language || "en";
    this.theme = "auto";
    this.defaultExpiryDays = 90;
    this.list = { keys: [], loading: "loading", filter: "", nextCursor: null, loadingMore: false };
    this.dialog = null;
    this.announcement = "";
  }

  // Lifecycle

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.poll);
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The first token, or a new one (another user signed in): show that user's keys.
    if ((changed.has("token") || changed.has("getToken")) && (this.token || this.getToken)) void this.load();
    const dialog = this.renderRoot.querySelector("dialog");
    if (!dialog) return;
    const view = this.dialog ? this.dialog.kind + ("step" in this.dialog ? this.dialog.step : "") : "";
    if (this.dialog && !dialog.open) dialog.showModal();
    else if (view && view !== this.dialogView) {
      // New content in an open dialog (create → reveal, a wizard step): focus moves into it.
      (dialog.querySelector<HTMLElement>("[autofocus]") ?? dialog.querySelector<HTMLElement>("button"))?.focus();
    }
    if (!this.dialog && dialog.open) dialog.close();
    this.dialogView = view;
  }

  // Handlers: list

  /** Reloads the first page of keys (for instance after the host changed the token). */
  async load(): Promise<void> {
    this.list = { ...this.list, loading: "loading", keys: [], nextCursor: null };
    try {
      const page = await this.api().list({ status: this.list.filter || undefined });
      this.list = { ...this.list, loading: "ready", keys: page.keys, nextCursor: page.nextCursor };
    } catch (error) {
      this.list = { ...this.list, loading: "error" };
      this.fail(error);
    }
  }

  private async loadMore(): Promise<void> {
    this.list = { ...this.list, loadingMore: true };
    try {
      const page = await this.api().list({ status: this.list.filter || undefined, cursor: this.list.nextCursor });
      this.list = { ...this.list, keys: [...this.list.keys, ...page.keys], nextCursor: page.nextCursor, loadingMore: false };
    } catch (error) {
      this.list = { ...this.list, loadingMore: false };
      this.fail(error);
    }
  }

  private setFilter(filter: KeyStatus | ""): void {
    this.list = { ...this.list, filter };
    void this.load();
  }

  private replaceKey(key: ApiKey): void {
    this.list = { ...this.list, keys: this.list.keys.map((k) => (k.id === key.id ? key : k)) };
  }

  // Handlers: dialogs

  private open(dialog: DialogState, opener: HTMLElement | null): void {
    this.opener = opener;
    this.dialog = dialog;
  }

  private closeDialog(): void {
    clearInterval(this.poll);
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
    if (this.dialog) this.renderRoot.querySelector("dialog")?.showModal();
  }

  private holdsSecret(): boolean {
    return this.dialog?.kind === "reveal" || (this.dialog?.kind === "rotate" && this.dialog.secret !== null);
  }

  private async submitCreate(): Promise<void> {
    const state = this.dialog as CreateState;
    const name = state.name.trim();
    const errors: Record<string, string> = {};
    if (!name) errors.name = this.t("nameRequired");
    else if ([...name].length > 64) errors.name = this.t("nameTooLong");
    const expiresAt = this.expiryOf(state);
    if (expiresAt === undefined) errors.expiresAt = this.t("customDateInvalid");
    if (Object.keys(errors).length) return this.patchDialog({ errors });
    this.patchDialog({ busy: true, errors: {} });
    try {
      const { key, secret } = await this.api().create({ name, expiresAt: expiresAt ?? null });
      this.list = { ...this.list, loading: "ready", keys: [key, ...this.list.keys] };
      this.dispatchEvent(new ApiKeyCreatedEvent(key));
      this.say(this.t("createdAnnounce", { name: key.name }));
      this.dialog = { kind: "reveal", name: key.name, secret };
    } catch (error) {
      this.patchDialog({ busy: false, errors: this.fieldErrors(error) });
      this.fail(error, false);
    }
  }

  /** The ISO expiry of the form: null for none, undefined when the custom date is unusable. */
  private expiryOf(state: CreateState): string | null | undefined {
    if (state.expiry === "none") return null;
    if (state.expiry !== "custom") return new Date(Date.now() + Number(state.expiry) * DAY).toISOString();
    const at = Date.parse(`${state.customDate}T23:59:59`);
    return Number.isFinite(at) && at > Date.now() + 60_000 ? new Date(at).toISOString() : undefined;
  }

  private async confirmRevoke(): Promise<void> {
    const state = this.dialog as RevokeState;
    this.patchDialog({ busy: true });
    try {
      const { key } = await this.api().revoke(state.key.id);
      this.replaceKey(key);
      this.dispatchEvent(new ApiKeyRevokedEvent(key));
      this.say(this.t("revokedAnnounce", { name: key.name }));
      this.closeDialog();
    } catch (error) {
      this.patchDialog({ busy: false });
      this.fail(error);
    }
  }

  private async rotateCreate(): Promise<void> {
    const state = this.dialog as RotateState;
    this.patchDialog({ busy: true, error: null });
    try {
      const { key, secret, previous } = await this.api().rotate(state.old.id, state.grace ? Number(state.grace) : null);
      this.replaceKey(previous);
      this.list = { ...this.list, keys: [key, ...this.list.keys] };
      this.dispatchEvent(new ApiKeyRotatedEvent(key, previous));
      this.say(this.t("rotatedAnnounce", { name: key.name }));
      this.patchDialog({ busy: false, step: 2, next: key, secret, previous });
    } catch (error) {
      this.patchDialog({ busy: false, error: this.message(error) });
      this.fail(error, false);
    }
  }

  private rotateStep(step: RotateState["step"]): void {
    clearInterval(this.poll);
    if (step === 3) this.poll = setInterval(() => void this.rotateCheck(), VERIFY_POLL_MS);
    // Step 4 no longer needs the secret: drop it.
    this.patchDialog(step === 4 ? { step, secret: null } : { step });
    if (step === 3) void this.rotateCheck();
  }

  private async rotateCheck(): Promise<void> {
    const state = this.dialog;
    if (state?.kind !== "rotate" || !state.next) return;
    try {
      const { key } = await this.api().get(state.next.id);
      if (this.dialog?.kind === "rotate") {
        this.patchDialog({ next: key });
        this.replaceKey(key);
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private async rotateRevokeOld(): Promise<void> {
    const state = this.dialog as RotateState;
    this.patchDialog({ busy: true });
    try {
      const { key } = await this.api().revoke(state.old.id);
      this.replaceKey(key);
      this.dispatchEvent(new ApiKeyRevokedEvent(key));
      this.say(this.t("revokedAnnounce", { name: key.name }));
      this.closeDialog();
    } catch (error) {
      this.patchDialog({ busy: false, error: this.message(error) });
      this.fail(error, false);
    }
  }

  private patchDialog(patch: Partial<CreateState> | Partial<RevokeState> | Partial<RotateState>): void {
    if (this.dialog) this.dialog = { ...this.dialog, ...patch } as DialogState;
  }

  // Helpers

  /** `default-expiry-days` when it is one of the presets, else the recommended 90. */
  private presetExpiry(): number {
    return (EXPIRY_PRESETS as readonly number[]).includes(this.defaultExpiryDays) ? this.defaultExpiryDays : 90;
  }

  private api(): ApiClient {
    return new ApiClient(this.apiBase || location.origin, { token: this.token, getToken: this.getToken });
  }

  private t(key: TermKey, values?: Record<string, string | number>): string {
    return term(catalogueFor(this.locale), key, values);
  }

  private say(message: string): void {
    // Clearing first makes a repeated message ("Copied.") announce again.
    this.announcement = "";
    void this.updateComplete.then(() => (this.announcement = message));
  }

  private message(error: unknown): string {
    if (!(error instanceof ApiError)) return this.t("errorGeneric");
    if (error.problem.status === 0) return this.t("errorNetwork");
    if (error.problem.status === 401) return this.t("signInAgain");
    return error.problem.detail ?? this.t("errorGeneric");
  }

  private fieldErrors(error: unknown): Record<string, string> {
    const fields = error instanceof ApiError ? (error.problem.errors ?? []) : [];
    const errors: Record<string, string> = {};
    for (const { field, message } of fields) errors[field === "name" || field === "expiresAt" ? field : "form"] = message;
    if (!fields.length) errors.form = this.message(error);
    return errors;
  }

  private fail(error: unknown, announce = true): void {
    const problem = error instanceof ApiError ? error.problem : { status: 0, code: undefined };
    const message = this.message(error);
    if (announce) this.say(message);
    this.dispatchEvent(new ApiKeysErrorEvent(problem.status, problem.code ?? null, message));
  }

  private context(): ViewContext {
    return { t: (k, v) => this.t(k, v), fmt: new Formatter(this.locale), now: Date.now() };
  }

  override render() {
    const ctx = this.context();
    const base = (this.apiBase || location.origin).replace(/\/+$/, "");
    return html`
      ${renderList(ctx, this.list, {
        onCreate: (opener) =>
          this.open({ kind: "create", name: "", expiry: String(this.presetExpiry()), customDate: "", errors: {}, busy: false }, opener),
        onRevoke: (key, opener) => this.open({ kind: "revoke", key, busy: false }, opener),
        onRotate: (key, opener) =>
          this.open({ kind: "rotate", step: 1, old: key, grace: "", busy: false, error: null, next: null, secret: null, previous: null }, opener),
        onFilter: (filter) => this.setFilter(filter),
        onRetry: () => void this.load(),
        onMore: () => void this.loadMore(),
      })}
      <dialog part="dialog" aria-labelledby="dialog-title" closedby="none" @cancel=${this.onCancel} @close=${this.onClose}>
        ${this.renderDialog(ctx, base)}
      </dialog>
      <div class="sr-only" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }

  private renderDialog(ctx: ViewContext, base: string) {
    const d = this.dialog;
    switch (d?.kind) {
      case "create":
        return renderCreate(ctx, d, {
          onInput: (patch) => this.patchDialog(patch),
          onSubmit: () => void this.submitCreate(),
          onCancel: () => this.closeDialog(),
        });
      case "reveal":
        return renderReveal(ctx, d, (m) => this.say(m), () => this.closeDialog());
      case "revoke":
        return renderRevoke(ctx, d, () => void this.confirmRevoke(), () => this.closeDialog());
      case "rotate":
        return renderRotate(ctx, d, base, {
          onGrace: (grace) => this.patchDialog({ grace }),
          onCreate: () => void this.rotateCreate(),
          onStep: (step) => this.rotateStep(step),
          onCheck: () => void this.rotateCheck(),
          onRevokeOld: () => void this.rotateRevokeOld(),
          onClose: () => this.closeDialog(),
          announce: (m) => this.say(m),
        });
      default:
        return nothing;
    }
  }
}
