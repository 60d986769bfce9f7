import type { Policy } from "./sliding-window";

/** One entry of an org's ceiling for per-key limits: at most `limit` requests in any `windowSeconds`. */
export interface CeilingEntry {
  windowSeconds: number;
  limit: number;
}

/** A ceiling entry a key's limits do not stay under, with the key policy that comes closest (its index). */
export interface CeilingBreach {
  ceiling: CeilingEntry;
  /** Index of the key's policy with the lowest bound on the ceiling's window. */
  closest: number;
  /** The most that policy lets through in any window of the ceiling's length. */
  bound: number;
}

/**
 * The most one policy lets through in any window of `windowMs`: its quota when the window fits
 * in the policy's, else its quota once for each piece of the policy's length the window can be
 * cut into (⌈window / policy window⌉), as every such piece lies inside one window of the policy.
 *
 * @example
 * boundOver({ name: "burst", quota: 10, windowMs: 1_000 }, 60_000); // 600
 */
export function boundOver(policy: Policy, windowMs: number): number {
  return windowMs <= policy.windowMs ? policy.quota : Math.ceil(windowMs / policy.windowMs) * policy.quota;
}

/**
 * Where a key's limits let more through than the org's ceiling: limits fit when, for every
 * ceiling entry (W, L), at least one of the key's policies alone guarantees at most L
 * admissions in any window of W ({@link boundOver}), so together they can never admit more
 * than the ceiling in any ceiling window. Empty: they fit (a null ceiling fits everything).
 *
 * @example
 * ceilingBreaches([{ name: "day", quota: 5000, windowMs: 86_400_000 }], [{ windowSeconds: 60, limit: 100 }]);
 * // [{ ceiling: { windowSeconds: 60, limit: 100 }, closest: 0, bound: 5000 }]
 */
export function ceilingBreaches(policies: readonly Policy[], ceiling: readonly CeilingEntry[] | null): CeilingBreach[] {
  const breaches: CeilingBreach[] = [];
  for (const entry of ceiling ?? []) {
    const bounds = policies.map((p) => boundOver(p, entry.windowSeconds * 1000));
    const bound = Math.min(...bounds);
    if (bound > entry.limit) breaches.push({ ceiling: entry, closest: bounds.indexOf(bound), bound });
  }
  return breaches;
}

/**
 * The policies a key gets when it names none: the defaults when they fit the ceiling, else the
 * ceiling's own entries (named `w<seconds>s`), which fit it by definition.
 *
 * @example
 * defaultPoliciesUnder([{ windowSeconds: 60, limit: 50 }], POLICIES); // [{ name: "w60s", quota: 50, windowMs: 60_000 }]
 */
export function defaultPoliciesUnder(ceiling: readonly CeilingEntry[] | null, defaults: readonly Policy[]): readonly Policy[] {
  if (ceilingBreaches(defaults, ceiling).length === 0) return defaults;
  return ceiling!.map((e) => ({ name: `w${e.windowSeconds}s`, quota: e.limit, windowMs: e.windowSeconds * 1000 }));
}
