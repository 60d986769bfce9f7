import { DAY_MS, floorTo, MINUTE_MS, noUsage, type UsageCounts } from "../keys/usage-window";
import { KeyAuthority } from "./key-authority";

/** The longest history {@link DevKeyAuthority.simulateUsage} replays: what the counters keep. */
export const MAX_SIMULATED_DAYS = 30;
/** The longest load {@link DevKeyAuthority.simulateLoad} drives, in hours, and its highest rate. */
export const MAX_SIMULATED_LOAD = { hours: 48, perSecond: 100 };

/** What {@link DevKeyAuthority.simulateLoad} answers: the decisions made, and the limiter's storage after them. */
export interface SimulatedLoad {
  decisions: number;
  admitted: number;
  /** Rows of the limiter's tables: admission times (windows up to 60 s) and buckets (longer windows). */
  rows: { admissions: number; buckets: number };
  /** The object's whole SQLite database, in bytes (usage counters and keys included). */
  databaseBytes: number;
}

/**
 * `KeyAuthority` as local development runs it: worker/dev.ts exports this class under the name
 * `KeyAuthority` (so `wrangler dev`, the tests and the bench use it), worker/index.ts exports the
 * plain one, so a deploy has none of what is added here. It adds one thing: replaying a key's
 * past traffic into its usage counters, so the usage report of a month-old key can be seen (and
 * measured, by the bench) without waiting a month.
 *
 * @example
 * // worker/dev.ts
 * export { DevKeyAuthority as KeyAuthority } from "./authority/dev-key-authority";
 */
export class DevKeyAuthority extends KeyAuthority {
  /**
   * Replays `days` (1–{@link MAX_SIMULATED_DAYS}) of simulated traffic for `keyId`, ending at
   * this object's now: one count per minute, through the same counters requests use, with each
   * count at its own minute as "now", so minutes roll up into hours and old hours are pruned as
   * they would have been (a chain not placed yet is placed first). The pattern is fixed (a daily curve of admitted requests, a few 429s
   * every couple of hours, one refusal a day) and adds to what the key already counted. Answers
   * how many minutes were replayed and what they added; nothing for a key this chain lacks.
   */
  async simulateUsage(keyId: string, days: number): Promise<{ minutes: number; added: UsageCounts }> {
    const added = noUsage();
    if (!Number.isInteger(days) || days < 1 || days > MAX_SIMULATED_DAYS) return { minutes: 0, added };
    // A key no request has used yet is loaded (and its chain placed) as a first use would.
    await this.ensure(keyId, { digest: null, cause: "simulation" });
    const chain = this.open(false);
    if (!chain?.store.findKey(keyId) || !Number.isInteger(days) || days < 1 || days > MAX_SIMULATED_DAYS) return { minutes: 0, added };
    const now = this.clock();
    let minutes = 0;
    for (let at = floorTo(now - days * DAY_MS, MINUTE_MS); at <= now; at += MINUTE_MS) {
      const counts = simulatedMinute(at);
      chain.usage.count(keyId, at, counts);
      added.admitted += counts.admitted;
      added.rateLimited += counts.rateLimited;
      added.refused += counts.refused;
      minutes++;
    }
    return { minutes, added };
  }

  /**
   * Drives `hours` of simulated load at `perSecond` requests a second through {@link KeyAuthority.verify}
   * for `keyId` (its right secret, no client address), on a simulated clock that starts at the
   * object's now (or just after the chain's last admission, so a load driven in several calls
   * continues) and moves 1/perSecond s per request, so every decision, limiter write and usage
   * count is the one a real request makes. The clock is put back afterwards; admissions were
   * recorded at simulated times, so the key's windows hold that future until the real clock
   * passes it (a development key for this measure only). Answers the decisions and the storage
   * they leave; nothing for a key this chain lacks.
   */
  async simulateLoad(keyId: string, hours: number, perSecond: number): Promise<SimulatedLoad | null> {
    const valid = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
    if (!valid(hours, MAX_SIMULATED_LOAD.hours) || !valid(perSecond, MAX_SIMULATED_LOAD.perSecond)) return null;
    await this.ensure(keyId, { digest: null, cause: "simulation" });
    const key = this.open(false)?.store.findKey(keyId);
    if (!key) return null;
    const realClock = this.clock;
    const step = 1000 / perSecond;
    // A load driven in several calls continues where the previous one stopped.
    const last = this.open(false)?.admissions.at(-1);
    const start = Math.max(realClock(), last === undefined ? 0 : last + step);
    let decisions = 0;
    let admitted = 0;
    try {
      for (let i = 0; i < hours * 3600 * perSecond; i++) {
        const at = Math.floor(start + i * step);
        this.clock = () => at;
        if ((await this.verify(keyId, key.secretDigest)).outcome === "admitted") admitted++;
        decisions++;
      }
    } finally {
      this.clock = realClock;
    }
    const sql = this.ctx.storage.sql;
    const count = (table: string) => Number(sql.exec(`SELECT count(*) AS n FROM ${table}`).one().n);
    return { decisions, admitted, rows: { admissions: count("admissions"), buckets: count("limiter_buckets") }, databaseBytes: sql.databaseSize };
  }
}

/** A busy integration's minute: more requests by day (UTC) than by night, a burst over the limit now and then. */
function simulatedMinute(at: number): UsageCounts {
  const minute = Math.floor(at / MINUTE_MS);
  const hourOfDay = (minute / 60) % 24;
  const admitted = Math.round(30 + 25 * Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI)) + (minute % 7);
  return { admitted, rateLimited: minute % 131 === 0 ? 12 : 0, refused: minute % 1440 === 0 ? 1 : 0 };
}
