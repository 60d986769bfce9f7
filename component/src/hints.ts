import type { TermKey } from "./terms";
import type { ApiKey, Usage } from "./types";

const DAY = 86_400_000;

/**
 * 429s in the last 24 hours from which a key is flagged "Hitting its limit": ten is one second's
 * burst quota refused in full, more than a client retrying once now and then.
 */
export const LIMIT_HINT_THRESHOLD = 10;

/** A hint's term and the count its sentence names. */
export type Hint = [key: TermKey, days: number];

/**
 * The help article's best-practice hints for a key at `now`: rotate keys older than 90 days,
 * consider revoking keys never used (for 30 days since creation) or unused for 30 days, and
 * notice keys expiring within 7 days; and, once its last 24 hours of `usage` are known, keys
 * refused with 429 at least {@link LIMIT_HINT_THRESHOLD} times. Only active keys get hints, and
 * never a canary key (never used is what a decoy is for).
 *
 * @example
 * hintsFor(key, Date.now(), usage); // [["hintRotate", 90], ["hintExpiresSoon", 7]]
 */
export function hintsFor(key: ApiKey, now: number, usage?: Usage | null): Hint[] {
  if (key.status !== "active" || key.canary) return [];
  const hints: Hint[] = [];
  if (now - Date.parse(key.createdAt) > 90 * DAY) hints.push(["hintRotate", 90]);
  if (key.lastUsedAt === null) {
    if (now - Date.parse(key.createdAt) > 30 * DAY) hints.push(["hintNeverUsed", 30]);
  } else if (now - Date.parse(key.lastUsedAt) > 30 * DAY) {
    hints.push(["hintUnused", 30]);
  }
  if (key.expiresAt !== null && Date.parse(key.expiresAt) - now <= 7 * DAY) hints.push(["hintExpiresSoon", 7]);
  if (usage && usage.totals.rateLimited >= LIMIT_HINT_THRESHOLD) hints.push(["hintLimited", LIMIT_HINT_THRESHOLD]);
  return hints;
}
