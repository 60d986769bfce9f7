import { html, nothing, type TemplateResult } from "lit";
import type { ApiKey, Drain, OrgPolicy } from "../types";
import type { ViewContext } from "../view-context";
import { drainSummary, durationText } from "./drain-summary";
import { secretBox } from "./secret-box";

/** The grace periods offered in step 1: seconds, and the term with its count. */
export const GRACE_CHOICES = [
  ["", "graceNone", 0],
  ["3600", "graceHours", 1],
  ["86400", "graceHours", 24],
  ["604800", "graceDays", 7],
] as const;

/** The idle times offered for `graceUntilIdle`, in seconds; an hour is preselected. */
export const IDLE_CHOICES = [300, 900, 3600, 86_400] as const;

export interface RotateState {
  kind: "rotate";
  step: 1 | 2 | 3 | 4;
  old: ApiKey;
  grace: string;
  /** With `graceUntilIdle` (recommended, the default): the idle seconds that end the grace; "" for none. */
  idle: string;
  busy: boolean;
  error: string | null;
  /** Set by step 1; the secret is dropped when step 4 begins. */
  next: ApiKey | null;
  secret: string | null;
  previous: ApiKey | null;
  /** The old key's use since the rotation (steps 3 and 4); null until known, or without a drain record. */
  drain: Drain | null;
  /** The org's policy when known (read as the wizard opens): the successor's lifetime is within it. */
  policy?: OrgPolicy | null;
}

const DAY = 86_400_000;

/**
 * When the successor of `old` expires if it is issued at `now`, as the server decides it: the old
 * key's lifetime counted from now, but at most the org's maximum lifetime; a key without expiry
 * gets the org's default expiry (else that maximum) when the org requires one.
 *
 * @example
 * successorExpiry(old, Date.now(), policy); // "2027-01-05T…Z", or null: no expiry
 */
export function successorExpiry(old: ApiKey, now: number, policy: OrgPolicy | null | undefined): string | null {
  const max = policy ? policy.maxKeyLifetimeDays * DAY : Infinity;
  const lifetime = old.expiresAt
    ? Date.parse(old.expiresAt) - Date.parse(old.createdAt)
    : policy?.requireExpiry
      ? (policy.defaultExpiryDays ?? policy.maxKeyLifetimeDays) * DAY
      : null;
  return lifetime === null ? null : new Date(now + Math.min(lifetime, max)).toISOString();
}

export interface RotateActions {
  onGrace: (grace: string) => void;
  onIdle: (idle: string) => void;
  onCreate: () => void;
  onStep: (step: RotateState["step"]) => void;
  onCheck: () => void;
  onRevokeOld: () => void;
  onClose: () => void;
  announce: (message: string) => void;
}

/**
 * The guided rotation of the help article: (1) create the new key (its expiry as the org's policy
 * will give it), choosing how the old key stops
 * (recommended: by itself once it is idle after the new key's first use, `graceUntilIdle`; or
 * after a fixed time, or when revoked), (2) copy it and update the integration, (3) verify it is
 * used, with a ready curl line, (4) revoke the old key or let its grace period end. Steps 3 and 4
 * show how the old key drains: how often and when it was last used since the rotation.
 *
 * @example
 * html`${renderRotate(ctx, state, apiBase, actions)}`
 */
export function renderRotate(ctx: ViewContext, state: RotateState, apiBase: string, actions: RotateActions): TemplateResult {
  const { t } = ctx;
  const titles = [t("step1"), t("step2"), t("step3"), t("step4")];
  return html`
    <h3 id="dialog-title">${t("rotateTitle", { name: state.old.name })}</h3>
    <p class="muted" part="wizard-step">${t("stepOf", { n: state.step, total: 4 })}: <strong>${titles[state.step - 1]}</strong></p>
    ${state.error ? html`<p class="error" role="alert">${state.error}</p>` : nothing}
    ${[step1, step2, step3, step4][state.step - 1]!(ctx, state, apiBase, actions)}
  `;
}

function step1(ctx: ViewContext, state: RotateState, _base: string, actions: RotateActions): TemplateResult {
  const { t, fmt, now } = ctx;
  const { old } = state;
  // The successor keeps the old key's lifetime, counted from now, within the org's policy.
  const expires = successorExpiry(old, now, state.policy);
  return html`
    <p>${t("step1Body")}</p>
    <dl class="summary">
      <dt>${t("nameLabel")}</dt><dd>${old.name}</dd>
      <dt>${t("colExpires")}</dt><dd>${expires ? fmt.date(expires) : t("noExpiry")}</dd>
    </dl>
    <fieldset class="field">
      <legend>${t("graceModeLabel")}</legend>
      <label><input type="radio" name="grace-mode" autofocus .checked=${!!state.idle} @change=${() => actions.onIdle("3600")} />
        ${t("graceIdleOption")}</label>
      ${state.idle
        ? html`<div class="scopes">
            <label for="idle">${t("idleLabel")}</label>
            <select id="idle" aria-describedby="idle-help" .value=${state.idle} @change=${(e: Event) => actions.onIdle((e.target as HTMLSelectElement).value)}>
              ${IDLE_CHOICES.map((n) => html`<option value=${String(n)} ?selected=${state.idle === String(n)}>${durationText(ctx, n)}</option>`)}
            </select>
            <p class="muted" id="idle-help">${t("idleHelp")}</p>
          </div>`
        : nothing}
      <label><input type="radio" name="grace-mode" .checked=${!state.idle} @change=${() => actions.onIdle("")} />
        ${t("graceFixedOption")}</label>
    </fieldset>
    <div class="field">
      <label for="grace">${t(state.idle ? "graceLimitLabel" : "graceLabel")}</label>
      <select id="grace" .value=${state.grace} @change=${(e: Event) => actions.onGrace((e.target as HTMLSelectElement).value)}>
        ${GRACE_CHOICES.map(([value, key, n]) => html`<option value=${value} ?selected=${state.grace === value}>${t(key, { n })}</option>`)}
      </select>
    </div>
    <div class="buttons">
      <button @click=${actions.onClose}>${t("cancel")}</button>
      <button class="primary" ?disabled=${state.busy} @click=${actions.onCreate}>${t("createNewKey")}</button>
    </div>
  `;
}

function step2(ctx: ViewContext, state: RotateState, _base: string, actions: RotateActions): TemplateResult {
  const { t } = ctx;
  return html`
    <p>${t("revealBody")}</p>
    <p>${t("step2Body")}</p>
    ${secretBox(ctx, "rotated-secret", state.secret ?? "", t("yourKey"), actions.announce, true)}
    <div class="buttons"><button class="primary" @click=${() => actions.onStep(3)}>${t("next")}</button></div>
  `;
}

function step3(ctx: ViewContext, state: RotateState, apiBase: string, actions: RotateActions): TemplateResult {
  const { t, fmt, now } = ctx;
  const curl = `curl -H "X-API-Key: ${state.secret ?? ""}" ${apiBase}/api/whoami`;
  const used = state.next?.lastUsedAt;
  return html`
    <p>${t("step3Body")}</p>
    ${secretBox(ctx, "curl-line", curl, "curl", actions.announce)}
    <p role="status" part="verify-status" class=${used ? "ok" : ""}>
      ${used ? t("usedAt", { when: fmt.relative(used, now) }) : t("notUsedYet")}
    </p>
    ${state.drain ? drainSummary(ctx, state.drain) : nothing}
    <div class="buttons">
      <button @click=${() => actions.onStep(2)}>${t("back")}</button>
      <button @click=${actions.onCheck}>${t("checkAgain")}</button>
      <button class="primary" autofocus @click=${() => actions.onStep(4)}>${t("next")}</button>
    </div>
  `;
}

function step4(ctx: ViewContext, state: RotateState, _base: string, actions: RotateActions): TemplateResult {
  const { t, fmt, now } = ctx;
  const graceEnd = state.previous?.status === "active" ? state.previous.expiresAt : null;
  return html`
    <p>${t("step4Body")}</p>
    ${graceEnd ? html`<p>${t("step4Grace", { when: fmt.relative(graceEnd, now) })}</p>` : nothing}
    ${state.drain ? drainSummary(ctx, state.drain) : nothing}
    <div class="buttons">
      ${state.previous?.status === "active"
        ? html`<button class="danger" part="revoke-old-button" ?disabled=${state.busy} @click=${actions.onRevokeOld}>${t("revokeOldNow")}</button>`
        : nothing}
      <button class="primary" autofocus @click=${actions.onClose}>${t("finish")}</button>
    </div>
  `;
}
