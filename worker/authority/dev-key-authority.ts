import { DAY_MS, floorTo, MINUTE_MS, noUsage, type UsageCounts } from "../keys/usage-window";
import { KeyAuthority } from "./key-authority";

/** The longest history {@link DevKeyAuthority.simulateUsage} replays: what the counters keep. */
export const MAX_SIMULATED_DAYS = 30;

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
}

/** A busy integration's minute: more requests by day (UTC) than by night, a burst over the limit now and then. */
function simulatedMinute(at: number): UsageCounts {
  const minute = Math.floor(at / MINUTE_MS);
  const hourOfDay = (minute / 60) % 24;
  const admitted = Math.round(30 + 25 * Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI)) + (minute % 7);
  return { admitted, rateLimited: minute % 131 === 0 ? 12 : 0, refused: minute % 1440 === 0 ? 1 : 0 };
}
