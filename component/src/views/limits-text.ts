import type { KeyCredits, KeyLimit } from "../types";
import type { ViewContext } from "../view-context";

/** Window sizes a limit is said in, the largest that divides its window first. */
const UNITS = [
  [86_400, "limitDay"],
  [3_600, "limitHour"],
  [60, "limitMinute"],
  [1, "limitSecond"],
] as const;

/**
 * A rate limit in words: "50 per second", "20,000 per day", "300 per 5 minutes".
 *
 * @example
 * limitText(ctx, { limit: 20_000, windowSeconds: 86_400 }); // "20,000 per day"
 */
export function limitText(ctx: ViewContext, { limit, windowSeconds }: Pick<KeyLimit, "limit" | "windowSeconds">): string {
  const [size, key] = UNITS.find(([seconds]) => windowSeconds % seconds === 0) ?? UNITS[3];
  return ctx.t(key, { limit, n: windowSeconds / size });
}

/**
 * Several rate limits, shortest window first: "50 per second, 20,000 per day".
 *
 * @example
 * limitsText(ctx, key.limits);
 */
export function limitsText(ctx: ViewContext, limits: Pick<KeyLimit, "limit" | "windowSeconds">[]): string {
  return [...limits].sort((a, b) => a.windowSeconds - b.windowSeconds).map((limit) => limitText(ctx, limit)).join(", ");
}

/**
 * A key's credits in words: "1,234 credits left · refills 5,000 monthly on Jul 1, 2027, 2:00 AM"
 * (the next refill's local date and time: refills are at midnight UTC), or
 * "… · refills 100 daily, next in 5 hours", or what is left alone when they never refill.
 *
 * @example
 * creditsText(ctx, key.credits);
 */
export function creditsText(ctx: ViewContext, credits: KeyCredits): string {
  const { t, fmt, now } = ctx;
  const left = t("creditsLeft", { n: credits.remaining });
  const { refill, nextRefillAt } = credits;
  if (!refill || !nextRefillAt) return left;
  const refills =
    refill.interval === "month"
      ? // With its time: the refill is at midnight UTC, which is the day before west of Greenwich.
        t("refillsMonthly", { n: refill.amount, date: fmt.dateTime(nextRefillAt) })
      : t("refillsDaily", { n: refill.amount, when: fmt.relative(nextRefillAt, now) });
  return `${left} · ${refills}`;
}
