import type { PolicyName } from "../limiter/sliding-window";

/** Most chains remembered per isolate; beyond it the memory starts over (it can only deny). */
const MAX_ENTRIES = 10_000;
const limited = new Map<string, { until: number; policy: PolicyName }>();

/**
 * An isolate-local memory of "this key chain is rate-limited until T", so a flood is shed
 * without calling its Durable Object. It can only ever deny, never admit, and only until the
 * instant the object itself named, so it cannot change a decision the object would make.
 *
 * @example
 * const known = limitedUntil(limiterId, Date.now());
 * if (known) return tooManyRequests(known);
 */
export function limitedUntil(limiterId: string, now: number): { until: number; policy: PolicyName } | null {
  const entry = limited.get(limiterId);
  if (!entry) return null;
  if (entry.until <= now) {
    limited.delete(limiterId);
    return null;
  }
  return entry;
}

/** Remembers that a chain's object refused until `until`. */
export function rememberLimited(limiterId: string, until: number, policy: PolicyName): void {
  if (limited.size >= MAX_ENTRIES) limited.clear();
  limited.set(limiterId, { until, policy });
}
