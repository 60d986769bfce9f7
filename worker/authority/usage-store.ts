import {
  denseBuckets,
  floorTo,
  HOUR_MS,
  hourRowsFrom,
  MINUTE_MS,
  minuteRowsFrom,
  type UsageBucket,
  type UsageCounts,
  type UsageSpan,
} from "../keys/usage-window";

/**
 * 429s an isolate answered from its memory of a limited key (verify/shed-tally.ts), delivered to
 * the key's object in one call.
 */
export interface ShedBatch {
  /** Random: the object applies a batch once, however often it is delivered. */
  id: string;
  /** `[minute start (epoch ms), 429s in that minute]`. */
  minutes: Array<[minute: number, count: number]>;
}

/** How long an applied batch's id is remembered: far longer than any redelivery (seconds). */
const BATCH_MEMORY_MS = HOUR_MS;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS usage_minutes (
    key_id TEXT NOT NULL, minute INTEGER NOT NULL,
    admitted INTEGER NOT NULL DEFAULT 0, rate_limited INTEGER NOT NULL DEFAULT 0, refused INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, minute)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS usage_hours (
    key_id TEXT NOT NULL, hour INTEGER NOT NULL,
    admitted INTEGER NOT NULL DEFAULT 0, rate_limited INTEGER NOT NULL DEFAULT 0, refused INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, hour)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS usage_batches (id TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID;
`;

const COUNT = `INSERT INTO usage_minutes (key_id, minute, admitted, rate_limited, refused) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (key_id, minute) DO UPDATE SET admitted = admitted + excluded.admitted,
    rate_limited = rate_limited + excluded.rate_limited, refused = refused + excluded.refused`;

const ROLL_UP = `INSERT INTO usage_hours (key_id, hour, admitted, rate_limited, refused)
  SELECT key_id, minute - minute % CAST(? AS INTEGER) AS hour, sum(admitted), sum(rate_limited), sum(refused)
  FROM usage_minutes WHERE minute < ? GROUP BY key_id, hour
  ON CONFLICT (key_id, hour) DO UPDATE SET admitted = admitted + excluded.admitted,
    rate_limited = rate_limited + excluded.rate_limited, refused = refused + excluded.refused`;

const SUMS = (table: "usage_minutes" | "usage_hours", column: "minute" | "hour") => `
  SELECT ${column} - ${column} % CAST(? AS INTEGER) AS start,
    sum(admitted) AS admitted, sum(rate_limited) AS rateLimited, sum(refused) AS refused
  FROM ${table} WHERE key_id = ? AND ${column} >= ? GROUP BY start`;

/**
 * The usage counters of one key chain's Durable Object, per key id, in its own SQLite: a row per
 * key and minute for the last 24 hours, a row per key and hour for the 30 days before, so a
 * chain holds at most ~1,500 minute rows and 744 hour rows per key, however busy it is. Every
 * method is synchronous: the authority counts a request in the same synchronous block (and so
 * the same implicit transaction) that decides it, so a count is durable exactly when the
 * decision is, and an evicted object loses none.
 *
 * Rolling minutes up into hours and pruning happen on the first count of each hour (and of each
 * object instance), inside that count's block: no alarm, no extra write otherwise. Reports add up
 * both tables, so a rollup that has not run yet changes nothing they say.
 *
 * @example
 * const usage = new UsageStore(ctx.storage.sql);
 * usage.count(keyId, now, { admitted: 1 });
 * usage.report(keyId, usageSpan("24h", "hour", now));
 */
export class UsageStore {
  /** The hour of the last rollup: the next is due at the first count of another hour, and at once after a restart. */
  private rolledUpIn: number | null = null;

  /** Creates the tables (if missing): an object registered before counters existed gets them here. */
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  /** Adds counts to `keyId`'s minute that holds `at`; `now` (default `at`) decides whether a rollup is due first. */
  count(keyId: string, at: number, counts: Partial<UsageCounts>, now: number = at): void {
    this.rollUpIfDue(now);
    const { admitted = 0, rateLimited = 0, refused = 0 } = counts;
    this.sql.exec(COUNT, keyId, floorTo(at, MINUTE_MS), admitted, rateLimited, refused);
  }

  /**
   * Adds a batch of shed 429s to `keyId`, once: false when a batch with this id was applied
   * already (a redelivery after an answer was lost), and nothing is counted again.
   */
  applyBatch(keyId: string, batch: ShedBatch, now: number): boolean {
    if (this.sql.exec("SELECT 1 FROM usage_batches WHERE id = ?", batch.id).toArray().length > 0) return false;
    this.sql.exec("INSERT INTO usage_batches (id, at) VALUES (?, ?)", batch.id, now);
    for (const [minute, n] of batch.minutes) this.count(keyId, minute, { rateLimited: n }, now);
    return true;
  }

  /** `keyId`'s counts in the span's buckets, oldest first, zeros included. */
  report(keyId: string, span: UsageSpan): UsageBucket[] {
    const rows = this.sql.exec<UsageRow>(SUMS("usage_minutes", "minute"), span.bucketMs, keyId, span.from).toArray();
    // Minute reports start after every rolled-up hour (minuteRowsFrom); coarser ones read both.
    if (span.bucketMs >= HOUR_MS) rows.push(...this.sql.exec<UsageRow>(SUMS("usage_hours", "hour"), span.bucketMs, keyId, span.from).toArray());
    return denseBuckets(span, rows);
  }

  private rollUpIfDue(now: number): void {
    const hour = floorTo(now, HOUR_MS);
    if (hour === this.rolledUpIn) return;
    const minutesFrom = minuteRowsFrom(now);
    this.sql.exec(ROLL_UP, HOUR_MS, minutesFrom);
    this.sql.exec("DELETE FROM usage_minutes WHERE minute < ?", minutesFrom);
    this.sql.exec("DELETE FROM usage_hours WHERE hour < ?", hourRowsFrom(now));
    this.sql.exec("DELETE FROM usage_batches WHERE at < ?", now - BATCH_MEMORY_MS);
    this.rolledUpIn = hour;
  }
}

interface UsageRow extends UsageBucket, Record<string, SqlStorageValue> {}
