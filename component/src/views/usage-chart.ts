import { html, type TemplateResult } from "lit";
import type { Usage, UsageCounts } from "../types";
import type { ViewContext } from "../view-context";

/** The windows the details view offers, each with the term and count that name its length. */
export const WINDOWS = [
  ["24h", "hours", 24],
  ["7d", "days", 7],
  ["30d", "days", 30],
] as const;

/** Every request a count saw: admitted, rate-limited (429) and refused. */
const requests = (c: UsageCounts) => c.admitted + c.rateLimited + c.refused;

/**
 * A usage report as bars, one per bucket, each the bucket's requests (admitted, 429s and
 * refusals) scaled to the busiest: one hand-written SVG path, no chart library. Read out as its
 * total, e.g. "1,234 requests in the last 24 hours". `large` is the details view's chart;
 * otherwise it is a list row's sparkline.
 *
 * @example
 * html`<td>${usageChart(ctx, usage)}</td>`
 */
export function usageChart(ctx: ViewContext, usage: Usage, large = false): TemplateResult {
  const { buckets } = usage;
  const max = Math.max(1, ...buckets.map(requests));
  const width = 100 / buckets.length;
  const bars = buckets.map((b, i) => `M${i * width} 40v${(-requests(b) / max) * 40}h${width * 0.8}V40z`).join("");
  const [, unit, n] = WINDOWS.find(([w]) => w === usage.window)!;
  return html`<svg part="chart" class=${large ? "chart" : "spark"} role="img" viewBox="0 0 100 40" preserveAspectRatio="none"
    aria-label=${ctx.t("requestsIn", { n: requests(usage.totals), period: ctx.t(unit, { n }) })}><path d=${bars} /></svg>`;
}
