const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * A reminder of a key's expiry, named by the days left when it is due: `7` (the key expires
 * within 7 days, `key.expiring` with window "7d"), `1` (within a day, window "1d") and `0` (it
 * has expired, `key.expired`). A key receives each at most once per expiry, and only the one it
 * is in when the scheduled run meets it: a key created 20 hours before its expiry gets "1d" and
 * never a late "7d".
 */
export type ExpiryNotice = 7 | 1 | 0;

/** A key owed an expiry reminder, as the scheduled run reads it (times in epoch milliseconds). */
export interface DueExpiryNotice {
  id: string;
  orgId: string;
  ownerId: string;
  expiresAt: number;
}

/**
 * The reminder a key expiring at `expiresAt` is in at `now`, or null when its expiry is more than
 * 7 days away. The boundaries are those of migration 0009's `expiry_notice_due_at`: due 7 days
 * before, 1 day before, and at the instant of expiry (when `keyStatus` turns "expired").
 *
 * @example
 * expiryNoticeAt(Date.now() + 20 * 3_600_000, Date.now()); // 1
 */
export function expiryNoticeAt(expiresAt: number, now: number): ExpiryNotice | null {
  const left = expiresAt - now;
  if (left <= 0) return 0;
  if (left <= DAY_MS) return 1;
  if (left <= 7 * DAY_MS) return 7;
  return null;
}
