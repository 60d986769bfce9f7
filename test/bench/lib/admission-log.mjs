import { readAdmissions } from "./durable-objects.mjs";

/**
 * The full admission history of one key over a run longer than a minute. The key's Durable
 * Object keeps only its last 60 s of admissions, so the log takes a snapshot at least every
 * 15 s and merges them: an instant is counted as many times as the snapshot that saw it most
 * often (several admissions can share a millisecond).
 *
 * @example
 * const log = createAdmissionLog(persistDir, key.id);
 * const timer = setInterval(() => log.snapshot(), 15_000);
 * // … load …
 * await log.snapshot();
 * log.instants(); // ascending epoch ms, or null if the object could not be read
 */
export function createAdmissionLog(persistDir, keyId) {
  const seen = new Map();
  let readable = true;
  let pending = Promise.resolve();

  async function take() {
    const snapshot = await readAdmissions(persistDir, keyId);
    if (!snapshot) {
      readable = false;
      return;
    }
    const counts = new Map();
    for (const at of snapshot) counts.set(at, (counts.get(at) ?? 0) + 1);
    for (const [at, n] of counts) seen.set(at, Math.max(seen.get(at) ?? 0, n));
  }

  return {
    /** Reads the object's current record into the log (snapshots run one at a time). */
    snapshot() {
      pending = pending.then(take);
      return pending;
    },

    /** Every admission seen, ascending; null if any snapshot could not be read. */
    instants() {
      if (!readable) return null;
      return [...seen.entries()].sort(([a], [b]) => a - b).flatMap(([at, n]) => Array(n).fill(at));
    },
  };
}
