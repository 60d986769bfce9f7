import type { Policy, PolicyName } from "../limiter/sliding-window";

/** Most keys remembered per isolate; beyond it the memory starts over (it can only deny). */
const MAX_ENTRIES = 10_000;
/**
 * Longest an isolate remembers one refusal: a key's limits can be raised (PATCH) while it is
 * limited, and a 24 h window's refusal may name an instant hours away. After this the next
 * request asks the key's object again, so a new limit reaches every isolate within a second,
 * while a flood still costs its object at most one call per second per isolate.
 */
export const LIMITED_MEMORY_MS = 1_000;
const limited = new Map<string, { until: number; forgetAt: number; policy: PolicyName; policies: readonly Policy[]; onlyFor: string | null }>();

/**
 * An isolate-local memory of "this exact key is rate-limited until T", so a flood is shed
 * without calling its Durable Object. It is keyed by the key's digest (HMAC of the whole key
 * string), so only the holder of the right secret ever hears about the limit: a wrong secret for
 * the same id misses here, goes to the object and gets the generic 401. It can only ever deny,
 * only until the instant the object itself named, and for at most a second (LIMITED_MEMORY_MS),
 * so a PATCH that raises the key's limits is heard everywhere within a second. The 429s it answers still count in the
 * key's usage: verifyApiKey tallies them (shed-tally.ts) and delivers them to the object a second
 * later, in one call per key.
 *
 * A key with an IP allowlist is remembered for the one client address the object answered the
 * limit to (an address inside the list): a request from any other address goes to the object,
 * which alone knows the list, so one from outside gets its 403, not this memory's 429.
 *
 * @example
 * const known = limitedUntil(digest, Date.now(), clientAddress);
 * if (known) throw rateLimited(known.policy, known.until, Date.now());
 */
export function limitedUntil(
  digest: string,
  now: number,
  clientAddress: string | null,
): { until: number; policy: PolicyName; policies: readonly Policy[] } | null {
  const entry = limited.get(digest);
  if (!entry) return null;
  if (entry.until <= now || entry.forgetAt <= now) {
    limited.delete(digest);
    return null;
  }
  return entry.onlyFor === null || entry.onlyFor === clientAddress ? entry : null;
}

/**
 * Remembers, from `now` for at most {@link LIMITED_MEMORY_MS}, that the object refused the key with
 * this digest until `until`, under `policy` of the key's `policies` (for the rate-limit fields of
 * the answers it sheds): for every address, or, for a key with an IP allowlist, only for `onlyFor`.
 */
export function rememberLimited(
  digest: string,
  now: number,
  until: number,
  policy: PolicyName,
  policies: readonly Policy[],
  onlyFor: string | null = null,
): void {
  if (limited.size >= MAX_ENTRIES) limited.clear();
  limited.set(digest, { until, forgetAt: Math.min(until, now + LIMITED_MEMORY_MS), policy, policies, onlyFor });
}
