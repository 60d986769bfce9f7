// limiter/: the exact sliding-window limiter as pure functions of admission times and `now`
// (the burst and minute policies), and the IETF RateLimit header fields it produces. It keeps no
// state; the key chain's Durable Object (authority/) holds the admissions. Floor: imports only
// config and below.

/** A rate-limit policy: at most `quota` admitted requests in any `windowMs` interval. */
export interface Policy {
  name: PolicyName;
  quota: number;
  windowMs: number;
}

export type PolicyName = "burst" | "minute";

/** SPEC §6: 10 in any second and 100 in any minute, per key (shared across a rotation). */
export const POLICIES: readonly Policy[] = [
  { name: "burst", quota: 10, windowMs: 1_000 },
  { name: "minute", quota: 100, windowMs: 60_000 },
];

/** How much of a policy is left after a decision. */
export interface PolicyUsage {
  policy: Policy;
  remaining: number;
  /** Milliseconds until `remaining` next grows (0 when the window is empty). */
  resetMs: number;
}

/** The outcome of one request against the limiter. */
export interface Decision {
  admitted: boolean;
  /** The admissions to keep: pruned to the longest window, plus `now` when admitted. */
  admissions: number[];
  /** When refused: the policy that binds (the one whose quota frees up last). */
  violated: PolicyName | null;
  /** When refused: the earliest instant at which a request would be admitted. */
  retryAt: number | null;
  usage: PolicyUsage[];
}

/**
 * Decides one request, exactly: a request at `now` is admitted only if every policy has fewer
 * than `quota` admissions in the interval (now − window, now]. Both windows are decided together,
 * so a request refused by one consumes nothing in the other, and refused requests are not
 * recorded at all. Pure: the caller supplies the state (ascending admission times) and the clock.
 *
 * @example
 * const d = decide(admissions, Date.now());
 * if (d.admitted) admissions = d.admissions;
 */
export function decide(admissions: readonly number[], now: number, policies: readonly Policy[] = POLICIES): Decision {
  const longest = Math.max(...policies.map((p) => p.windowMs));
  const kept = admissions.filter((at) => at > now - longest);
  let retryAt: number | null = null;
  let violated: PolicyName | null = null;
  for (const policy of policies) {
    const inWindow = countSince(kept, now - policy.windowMs);
    if (inWindow >= policy.quota) {
      // The window admits again once its quota-th newest admission has slid out of it.
      const freesAt = kept[kept.length - policy.quota]! + policy.windowMs;
      if (retryAt === null || freesAt >= retryAt) {
        retryAt = freesAt;
        violated = policy.name;
      }
    }
  }
  const admitted = retryAt === null;
  const next = admitted ? [...kept, now] : kept;
  return { admitted, admissions: next, violated, retryAt, usage: usageOf(next, now, policies) };
}

/**
 * Remaining quota and reset of each policy for a state, without deciding anything (for
 * `/api/whoami` and the rate-limit headers).
 */
export function usageOf(admissions: readonly number[], now: number, policies: readonly Policy[] = POLICIES): PolicyUsage[] {
  return policies.map((policy) => {
    const since = now - policy.windowMs;
    const inWindow = countSince(admissions, since);
    const oldest = admissions.find((at) => at > since);
    return {
      policy,
      remaining: Math.max(0, policy.quota - inWindow),
      resetMs: oldest === undefined ? 0 : oldest + policy.windowMs - now,
    };
  });
}

/** The usage nearest exhaustion: fewest remaining, the longer window on a tie. */
export function nearestExhaustion(usage: readonly PolicyUsage[]): PolicyUsage {
  return usage.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.policy.windowMs > a.policy.windowMs) ? b : a,
  );
}

function countSince(ascending: readonly number[], since: number): number {
  let count = 0;
  for (let i = ascending.length - 1; i >= 0 && ascending[i]! > since; i--) count++;
  return count;
}
