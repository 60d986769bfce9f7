import { html, nothing, type TemplateResult } from "lit";
import type { Drain } from "../types";
import type { ViewContext } from "../view-context";

/**
 * A duration in its largest whole unit: "5 minutes", "1 hour", "2 days".
 *
 * @example
 * durationText(ctx, 3600); // "1 hour"
 */
export function durationText(ctx: ViewContext, seconds: number): string {
  if (seconds % 86_400 === 0) return ctx.t("days", { n: seconds / 86_400 });
  if (seconds % 3_600 === 0) return ctx.t("durationHours", { n: seconds / 3_600 });
  return ctx.t("durationMinutes", { n: Math.round(seconds / 60) });
}

/**
 * How a rotated key drains during its grace period, exactly as its Durable Object counts it: how
 * often and when it was last used since the rotation, and, with `graceUntilIdle`, when it stops
 * by itself (or that it waits for the new key's first use, or that it has stopped).
 *
 * @example
 * html`${drain ? drainSummary(ctx, drain) : nothing}`
 */
export function drainSummary(ctx: ViewContext, drain: Drain): TemplateResult {
  const { t, fmt, now } = ctx;
  const { usesSinceRotation: n, lastUsedAt, idleSeconds } = drain;
  return html`
    <div class="drain" part="drain">
      <p>${n && lastUsedAt ? t("drainUsed", { n, when: fmt.relative(lastUsedAt, now) }) : t("drainUnused")}</p>
      ${drain.endedWhenIdleAt
        ? html`<p class="ok">${t("drainEnded", { when: fmt.relative(drain.endedWhenIdleAt, now) })}</p>`
        : drain.endsWhenIdleAt
          ? html`<p>${t("drainEndsAt", { when: fmt.relative(drain.endsWhenIdleAt, now) })}</p>`
          : idleSeconds
            ? html`<p>${t("drainWaits", { idle: durationText(ctx, idleSeconds) })}</p>`
            : nothing}
    </div>
  `;
}
