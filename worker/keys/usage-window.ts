// The time arithmetic of a key's usage counters, as pure functions of `now`: which windows and
// resolutions a report may ask for, where its UTC-aligned buckets start, and how long each
// resolution of the counters is kept. The key chain's Durable Object stores the counters
// (authority/usage-store.ts); nothing here touches storage.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The windows a usage report covers, newest instant `now`. */
export const USAGE_WINDOWS = ["24h", "7d", "30d"] as const;
export type UsageWindow = (typeof USAGE_WINDOWS)[number];

/** The bucket sizes a usage report may be cut into. */
export const USAGE_RESOLUTIONS = ["minute", "hour", "day"] as const;
export type UsageResolution = (typeof USAGE_RESOLUTIONS)[number];

const WINDOW_MS: Record<UsageWindow, number> = { "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS };
const BUCKET_MS: Record<UsageResolution, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** The resolution of a window when none is asked for. */
export const DEFAULT_RESOLUTION: Record<UsageWindow, UsageResolution> = { "24h": "hour", "7d": "hour", "30d": "day" };

/**
 * Whether a window may be cut at a resolution: minutes are kept for 24 hours only
 * ({@link minuteRowsFrom}), so `minute` goes with `24h` alone; hours and days go with every window.
 */
export function resolutionAllowed(window: UsageWindow, resolution: UsageResolution): boolean {
  return resolution !== "minute" || window === "24h";
}

/** What a key's object counts per bucket. */
export interface UsageCounts {
  /** Requests the limiter admitted (a key then refused `forbidden` for a permission included). */
  admitted: number;
  /** 429s: refused by the limiter, or shed by an isolate that remembered the key as limited. */
  rateLimited: number;
  /** Refusals of the right secret: the key was revoked or expired, its creator deactivated, or the address outside its IP allowlist. */
  refused: number;
}

/** One bucket of a report: its UTC-aligned start (epoch ms) and its counts. */
export interface UsageBucket extends UsageCounts {
  start: number;
}

/** Where a report's buckets lie: `count` buckets of `bucketMs` from `from`, the last one holding `to`. */
export interface UsageSpan {
  from: number;
  to: number;
  bucketMs: number;
  count: number;
}

/**
 * The buckets of a report at `now`: from the start of the bucket that holds `now − window`
 * through the one that holds `now`, aligned to UTC boundaries. Every instant of the window is
 * in it, so there is one bucket more than the window holds (25 hours for `24h`, 31 days for
 * `30d`), the first one starting up to a bucket before `now − window`.
 *
 * @example
 * usageSpan("24h", "hour", Date.parse("2026-05-01T10:30:00Z"));
 * // { from: 2026-04-30T10:00Z, to: 2026-05-01T10:30Z, bucketMs: 3600000, count: 25 }
 */
export function usageSpan(window: UsageWindow, resolution: UsageResolution, now: number): UsageSpan {
  const bucketMs = BUCKET_MS[resolution];
  const from = floorTo(now - WINDOW_MS[window], bucketMs);
  return { from, to: now, bucketMs, count: (floorTo(now, bucketMs) - from) / bucketMs + 1 };
}

/**
 * The dense buckets of a span, oldest first, zeros included, with `rows` (any starts inside the
 * span, in any order, possibly several per bucket) summed into the bucket that holds them. Rows
 * outside the span are left out.
 *
 * @example
 * denseBuckets(span, [{ start: span.from + 5, admitted: 2, rateLimited: 0, refused: 0 }]);
 */
export function denseBuckets(span: UsageSpan, rows: readonly UsageBucket[]): UsageBucket[] {
  const buckets = Array.from({ length: span.count }, (_, i) => ({ start: span.from + i * span.bucketMs, ...noUsage() }));
  for (const row of rows) {
    const bucket = buckets[Math.floor((row.start - span.from) / span.bucketMs)];
    if (!bucket) continue;
    bucket.admitted += row.admitted;
    bucket.rateLimited += row.rateLimited;
    bucket.refused += row.refused;
  }
  return buckets;
}

/** The sum of some buckets' counts. */
export function totalsOf(buckets: readonly UsageCounts[]): UsageCounts {
  const totals = noUsage();
  for (const b of buckets) {
    totals.admitted += b.admitted;
    totals.rateLimited += b.rateLimited;
    totals.refused += b.refused;
  }
  return totals;
}

/** Zero of every count. */
export function noUsage(): UsageCounts {
  return { admitted: 0, rateLimited: 0, refused: 0 };
}

/**
 * The oldest minute kept at minute resolution at `now`: the start of the hour 24 hours ago.
 * Older minutes are rolled up into their hour. Every `24h` report by minute starts at or after it.
 */
export function minuteRowsFrom(now: number): number {
  return floorTo(now - DAY_MS, HOUR_MS);
}

/**
 * The oldest hour kept at `now`: the start of the UTC day 30 days ago. Older hours are deleted.
 * Every `30d` report by day starts exactly there, so it is complete.
 */
export function hourRowsFrom(now: number): number {
  return floorTo(now - WINDOW_MS["30d"], DAY_MS);
}

/**
 * The start of the UTC-aligned period of `size` ms that holds `at` (epoch time is UTC-aligned).
 *
 * @example
 * floorTo(Date.parse("2026-05-01T10:30:00Z"), HOUR_MS); // 2026-05-01T10:00Z
 */
export function floorTo(at: number, size: number): number {
  return Math.floor(at / size) * size;
}
