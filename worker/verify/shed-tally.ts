import { authorityFor } from "../authority/key-authority-client";
import type { ShedBatch } from "../authority/usage-store";
import { randomBase62 } from "../crypto/base62";
import { floorTo, MINUTE_MS } from "../keys/usage-window";

/**
 * How long an isolate gathers a key's shed 429s before it delivers them to the key's object in
 * one call: under a flood, one call per key per isolate per interval instead of one per request.
 */
export const SHED_DELIVERY_INTERVAL_MS = 1000;
/** Delivery attempts of one batch, an interval apart, before it is given up (and logged). */
const DELIVERY_ATTEMPTS = 3;
/** Most keys with undelivered 429s per isolate; beyond it a limited key's requests go to its object. */
const MAX_KEYS = 10_000;

/** Hands work that may outlast the response to the runtime (`ExecutionContext.waitUntil`). */
export type WaitUntil = (work: Promise<unknown>) => void;

interface Tally {
  keyId: string;
  digest: string;
  /** Minute start → 429s not yet handed to a delivery. */
  minutes: Map<number, number>;
}

/** Keys with 429s waiting for their delivery, by digest: an entry exists while one is scheduled. */
const pending = new Map<string, Tally>();

/**
 * Counts a 429 that this isolate answered from its memory of a limited key (verify/limited-keys.ts)
 * without calling the key's object, and makes sure the object hears of it: the first such 429
 * of a key schedules a delivery `SHED_DELIVERY_INTERVAL_MS` later through `waitUntil`, and the
 * 429s until then join it, so a flood costs one object call per key, isolate and second.
 *
 * Exactness, precisely: each batch carries an id and the object applies it once, so a retry
 * never double-counts. A shed 429 reaches the usage counters at most ~1 s (plus the call) after
 * it was answered, or up to 2 s more when the object needed a retry. It is lost only if this
 * isolate dies within that delay (the runtime keeps `waitUntil` work alive for 30 s after the
 * response, so that takes a crash or an eviction), or if the object refuses all
 * {@link DELIVERY_ATTEMPTS} attempts (logged with the count). Returns false, counting nothing,
 * when the isolate already holds undelivered 429s for {@link MAX_KEYS} keys: the caller then
 * asks the object, which counts the request itself.
 *
 * @example
 * if (limitedUntil(digest, at, clientAddress) && tallyShed(env, keyId, digest, at, ctx.waitUntil.bind(ctx))) return rateLimited;
 */
export function tallyShed(env: Env, keyId: string, digest: string, at: number, waitUntil: WaitUntil): boolean {
  let tally = pending.get(digest);
  if (!tally) {
    if (pending.size >= MAX_KEYS) return false;
    tally = { keyId, digest, minutes: new Map() };
    try {
      waitUntil(deliverLater(env, tally));
    } catch {
      // No way to keep the delivery alive (no ExecutionContext): don't shed; the object counts.
      return false;
    }
    pending.set(digest, tally);
  }
  const minute = floorTo(at, MINUTE_MS);
  tally.minutes.set(minute, (tally.minutes.get(minute) ?? 0) + 1);
  return true;
}

/** After the interval, hands the key's gathered 429s to its object as one batch, retrying a failed call. */
async function deliverLater(env: Env, tally: Tally): Promise<void> {
  await scheduler.wait(SHED_DELIVERY_INTERVAL_MS);
  // From here on, new 429s of this key gather in a new tally with its own delivery.
  if (pending.get(tally.digest) === tally) pending.delete(tally.digest);
  if (tally.minutes.size === 0) return;
  const batch: ShedBatch = { id: randomBase62(16), minutes: [...tally.minutes] };
  for (let attempt = 1; ; attempt++) {
    try {
      await authorityFor(env, tally.keyId).countShed(tally.keyId, tally.digest, batch);
      return;
    } catch (error) {
      if (attempt >= DELIVERY_ATTEMPTS) {
        const lost = batch.minutes.reduce((sum, [, n]) => sum + n, 0);
        console.error(`usage: ${lost} shed 429s of key ${tally.keyId} not delivered: ${(error as Error).message}`);
        return;
      }
      await scheduler.wait(SHED_DELIVERY_INTERVAL_MS);
    }
  }
}
