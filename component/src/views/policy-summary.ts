import { html, nothing, type TemplateResult } from "lit";
import type { TermKey } from "../terms";
import type { OrgPolicy } from "../types";
import type { ViewContext } from "../view-context";
import { limitsText } from "./limits-text";

/**
 * The create form's account of the org's policy: the user's active keys against its cap (a
 * warning once they have reached it), and "Your organization's key policy", read-only and
 * collapsed: whether keys must expire, the longest lifetime, the default expiry, the cap, the
 * ceiling for a key's own rate limits, whether members may create keys, and when unused keys are
 * revoked. Members cannot change it; the host's backend sets it.
 *
 * @example
 * html`${policySummary(ctx, state.policy, state.activeKeys)}`
 */
export function policySummary(ctx: ViewContext, policy: OrgPolicy, activeKeys: number | null): TemplateResult {
  const { t, lang } = ctx;
  const days = (n: number | null, none: TermKey) => (n ? t("days", { n }) : t(none));
  const yes = (on: boolean) => t(on ? "yes" : "no");
  const max = policy.maxActiveKeysPerUser;
  return html`
    ${activeKeys === null
      ? nothing
      : html`<p class=${activeKeys >= max ? "warning" : "muted"} part="active-count">
          ${t("activeCount", { n: activeKeys, max })}${activeKeys >= max ? html` ${t("errorKeyLimit")}` : nothing}
        </p>`}
    <details class="field" part="policy">
      <summary>${t("policyTitle")}</summary>
      <dl class="summary">
        <dt>${t("policyRequireExpiry")}</dt><dd>${yes(policy.requireExpiry)}</dd>
        <dt>${t("policyMaxLifetime")}</dt><dd>${t("days", { n: policy.maxKeyLifetimeDays })}</dd>
        <dt>${t("policyDefaultExpiry")}</dt><dd>${days(policy.defaultExpiryDays, "noExpiry")}</dd>
        <dt>${t("policyMaxActive")}</dt><dd>${max.toLocaleString(lang)}</dd>
        <dt>${t("policyCeiling")}</dt><dd>${limitsText(ctx, policy.keyLimitCeiling)}</dd>
        <dt>${t("policyMembersCreate")}</dt><dd>${yes(policy.membersMayCreateKeys)}</dd>
        <dt>${t("policyRevokeUnused")}</dt><dd>${days(policy.revokeUnusedAfterDays, "never")}</dd>
      </dl>
      <p class="muted">${t("policyHelp")}</p>
    </details>
  `;
}
