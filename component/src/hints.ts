import type { TermKey } from "./terms";
import type { ApiKey } from "./types";

const DAY = 86_400_000;

/** A hint's term and the day count its sentence names. */
export type Hint = [key: TermKey, days: number];

/**
 * The help article's best-practice hints for a key at `now`: rotate keys older than 90 days,
 * consider revoking keys never used (for 30 days since creation) or unused for 30 days, and
 * notice keys expiring within 7 days. Only active keys get hints.
 *
 * @example
 * hintsFor(key, Date.now()); // [["hintRotate", 90], ["hintExpiresSoon", 7]]
 */
export function hintsFor(key: ApiKey, now: number): Hint[] {
  if (key.status !== "active") return [];
  const hints: Hint[] = [];
  if (now - Date.parse(key.createdAt) > 90 * DAY) hints.push(["hintRotate", 90]);
  if (key.lastUsedAt === null) {
    if (now - Date.parse(key.createdAt) > 30 * DAY) hints.push(["hintNeverUsed", 30]);
  } else if (now - Date.parse(key.lastUsedAt) > 30 * DAY) {
    hints.push(["hintUnused", 30]);
  }
  if (key.expiresAt !== null && Date.parse(key.expiresAt) - now <= 7 * DAY) hints.push(["hintExpiresSoon", 7]);
  return hints;
}
