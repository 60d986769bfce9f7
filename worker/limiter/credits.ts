/** How often a balance is refilled: at 00:00 UTC every day, or on the 1st of every month at 00:00 UTC. */
export type RefillInterval = "day" | "month";

/** A refill: the balance is set to `amount` at every `interval` boundary (not added to). */
export interface Refill {
  amount: number;
  interval: RefillInterval;
}

/** A credits balance as the key chain's Durable Object holds it. */
export interface Credits {
  remaining: number;
  refill: Refill | null;
  /** The boundary of the last refill applied, or when the balance was last set (epoch ms). */
  refilledAt: number;
}

/** The most a balance (or a refill) may hold: far beyond any plan, and exact in a double. */
export const MAX_CREDITS = 1_000_000_000_000_000;

/**
 * The first refill boundary strictly after `at`: the next 00:00 UTC, or the next 1st of a month
 * at 00:00 UTC.
 *
 * @example
 * nextRefillAt("day", Date.UTC(2025, 0, 31, 23, 59)); // Date.UTC(2025, 1, 1)
 * nextRefillAt("month", Date.UTC(2025, 0, 31, 12)); // Date.UTC(2025, 1, 1)
 */
export function nextRefillAt(interval: RefillInterval, at: number): number {
  const d = new Date(at);
  return interval === "day"
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The last refill boundary at or before `at`. */
function boundaryAtOrBefore(interval: RefillInterval, at: number): number {
  const d = new Date(at);
  return interval === "day" ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) : Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * The balance at `now`, with the refills it was owed applied: when a boundary has passed since
 * `refilledAt` (however many: a chain asleep for weeks gets one), `remaining` becomes the refill's
 * amount and `refilledAt` the last boundary passed. Unchanged (the same object) when none is owed.
 *
 * @example
 * const current = refilled(credits, now);
 * if (current !== credits) store(current);
 */
export function refilled(credits: Credits, now: number): Credits {
  const { refill } = credits;
  if (!refill || nextRefillAt(refill.interval, credits.refilledAt) > now) return credits;
  return { ...credits, remaining: refill.amount, refilledAt: boundaryAtOrBefore(refill.interval, now) };
}

/** When the balance is next refilled, or null: never. */
export function nextRefillOf(credits: Credits): number | null {
  return credits.refill ? nextRefillAt(credits.refill.interval, credits.refilledAt) : null;
}
