// limiter/: the sliding-window limiter as pure functions of admission times, bucket counts and
// `now` (the default burst and minute policies, or a key's own), the rule that keeps a key's
// limits under its org's ceiling, the credits balance with its UTC refills, and the IETF
// RateLimit header fields. It keeps no state; the key chain's Durable Object (authority/) holds
// the admissions, buckets and balance. Floor: imports only config and below.

/** A rate-limit policy: at most `quota` admitted requests in any `windowMs` interval. */
export interface Policy {
  name: PolicyName;
  quota: number;
  windowMs: number;
}

/** A policy's name: `burst` and `minute` for the defaults, or the name a key's own limit was given. */
export type PolicyName = string;

/** SPEC §6: 10 in any second and 100 in any minute, per key (shared across a rotation). */
export const POLICIES: readonly Policy[] = [
  { name: "burst", quota: 10, windowMs: 1_000 },
  { name: "minute", quota: 100, windowMs: 60_000 },
];

/**
 * Windows up to this long are decided exactly, from the admission times of the last minute
 * (which the chain always keeps). Longer ones are counted in buckets ({@link bucketWidthOf}).
 */
export const EXACT_WINDOW_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Longest window a policy may have: 24 hours. */
export const MAX_WINDOW_MS = 86_400_000;

/**
 * The bucket width a window is counted in: none (exact) up to a minute, 1 s buckets for windows
 * up to an hour, 1 min buckets up to 24 h. Always at most 1/60 of the window.
 *
 * @example
 * bucketWidthOf(60_000); // null: exact
 * bucketWidthOf(86_400_000); // 60_000
 */
export function bucketWidthOf(windowMs: number): number | null {
  if (windowMs <= EXACT_WINDOW_MS) return null;
  return windowMs <= HOUR_MS ? 1_000 : 60_000;
}

/** How long a track of buckets of `width` is kept: the longest window counted in it, plus one bucket. */
export function retentionOf(width: number): number {
  return (width === 1_000 ? HOUR_MS : MAX_WINDOW_MS) + width;
}

/** Admissions counted together: every admission at an instant in [start, start + width of its track). */
export interface Bucket {
  start: number;
  count: number;
}

/** Bucket tracks by width, each ascending by start. */
export type BucketTracks = ReadonlyMap<number, readonly Bucket[]>;

const NO_BUCKETS: BucketTracks = new Map();

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
  /** The admissions to keep: those of the last {@link EXACT_WINDOW_MS}, plus `now` when admitted. */
  admissions: number[];
  /** The bucket tracks the policies need, pruned, with `now` counted when admitted. */
  buckets: Map<number, Bucket[]>;
  /** When refused: the name of the policy that binds (the one whose quota frees up last). */
  violated: PolicyName | null;
  /** When refused: the earliest instant at which a request would be admitted. */
  retryAt: number | null;
  usage: PolicyUsage[];
}

/**
 * Decides one request: admitted only if every policy has fewer than `quota` admissions in the
 * interval (now − window, now]. Windows up to a minute count the admission times exactly.
 * Longer windows count buckets ({@link bucketWidthOf}), and a bucket that overlaps the window's
 * start counts whole: the count can only be too high, never too low, so a bucketed policy never
 * admits more than `quota` in any window. It may refuse early, but never earlier than an exact
 * limiter with a window one bucket longer would. All policies are decided together, so a
 * request refused by one consumes nothing in the others, and refused requests are not recorded
 * at all. Pure: the caller supplies the state (ascending admission times, bucket tracks) and the
 * clock.
 *
 * @example
 * const d = decide(admissions, Date.now(), policies, buckets);
 * if (d.admitted) ({ admissions, buckets } = d);
 */
export function decide(
  admissions: readonly number[],
  now: number,
  policies: readonly Policy[] = POLICIES,
  buckets: BucketTracks = NO_BUCKETS,
): Decision {
  const kept = admissions.filter((at) => at > now - EXACT_WINDOW_MS);
  const tracks = prunedTracks(buckets, policies, now);
  let retryAt: number | null = null;
  let violated: PolicyName | null = null;
  for (const policy of policies) {
    const freesAt = exhaustedUntil(kept, tracks, policy, now);
    if (freesAt !== null && (retryAt === null || freesAt >= retryAt)) {
      retryAt = freesAt;
      violated = policy.name;
    }
  }
  const admitted = retryAt === null;
  const next = admitted ? [...kept, now] : kept;
  if (admitted) for (const [width, track] of tracks) countIn(track, width, now);
  return { admitted, admissions: next, buckets: tracks, violated, retryAt, usage: usageOf(next, now, policies, tracks) };
}

/**
 * Remaining quota and reset of each policy for a state, without deciding anything (for
 * `/api/whoami` and the rate-limit headers).
 */
export function usageOf(
  admissions: readonly number[],
  now: number,
  policies: readonly Policy[] = POLICIES,
  buckets: BucketTracks = NO_BUCKETS,
): PolicyUsage[] {
  return policies.map((policy) => {
    const width = bucketWidthOf(policy.windowMs);
    if (width === null) {
      const since = now - policy.windowMs;
      const oldest = admissions.find((at) => at > since);
      return {
        policy,
        remaining: Math.max(0, policy.quota - countSince(admissions, since)),
        resetMs: oldest === undefined ? 0 : oldest + policy.windowMs - now,
      };
    }
    const counted = countedBuckets(buckets.get(width) ?? [], width, policy.windowMs, now);
    const total = counted.reduce((sum, b) => sum + b.count, 0);
    return {
      policy,
      remaining: Math.max(0, policy.quota - total),
      resetMs: counted.length === 0 ? 0 : counted[0]!.start + width + policy.windowMs - now,
    };
  });
}

/** The usage nearest exhaustion: fewest remaining, the longer window on a tie. */
export function nearestExhaustion(usage: readonly PolicyUsage[]): PolicyUsage {
  return usage.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.policy.windowMs > a.policy.windowMs) ? b : a,
  );
}

/**
 * The bucket tracks a set of policies needs, given the tracks kept so far: a track kept already
 * stays; a new one is built from the finest history there is (the 1 s track for a new 1 min
 * track, else the admission times of the last minute); one no policy needs any more is dropped.
 * What a new track cannot know (admissions older than its source's history) it does not count.
 *
 * @example
 * const buckets = tracksFor(admissions, oldBuckets, newPolicies);
 */
export function tracksFor(admissions: readonly number[], buckets: BucketTracks, policies: readonly Policy[]): Map<number, Bucket[]> {
  const tracks = new Map<number, Bucket[]>();
  for (const width of widthsOf(policies)) {
    const kept = buckets.get(width);
    if (kept) {
      tracks.set(width, [...kept]);
      continue;
    }
    const finer = [...buckets.keys()].filter((w) => w < width && width % w === 0).sort((a, b) => a - b)[0];
    const track: Bucket[] = [];
    if (finer !== undefined) for (const b of buckets.get(finer)!) countIn(track, width, b.start, b.count);
    else for (const at of admissions) countIn(track, width, at);
    tracks.set(width, track);
  }
  return tracks;
}

/** The distinct bucket widths of a set of policies, ascending. */
export function widthsOf(policies: readonly Policy[]): number[] {
  const widths = new Set<number>();
  for (const p of policies) {
    const width = bucketWidthOf(p.windowMs);
    if (width !== null) widths.add(width);
  }
  return [...widths].sort((a, b) => a - b);
}

/** The instant from which `policy` would admit again, or null when it admits now. */
function exhaustedUntil(admissions: readonly number[], tracks: BucketTracks, policy: Policy, now: number): number | null {
  const width = bucketWidthOf(policy.windowMs);
  if (width === null) {
    if (countSince(admissions, now - policy.windowMs) < policy.quota) return null;
    // The window admits again once its quota-th newest admission has slid out of it.
    return admissions[admissions.length - policy.quota]! + policy.windowMs;
  }
  const counted = countedBuckets(tracks.get(width) ?? [], width, policy.windowMs, now);
  let total = counted.reduce((sum, b) => sum + b.count, 0);
  if (total < policy.quota) return null;
  // Oldest buckets leave the count first; it admits again once enough of them have left.
  for (const bucket of counted) {
    total -= bucket.count;
    if (total < policy.quota) return bucket.start + width + policy.windowMs;
  }
  return null; // unreachable: with every bucket gone the count is 0
}

/** The buckets a window (now − windowMs, now] counts: every one that may hold an instant inside it. */
function countedBuckets(track: readonly Bucket[], width: number, windowMs: number, now: number): readonly Bucket[] {
  const after = now - windowMs - width;
  let i = track.length;
  while (i > 0 && track[i - 1]!.start > after) i--;
  return track.slice(i);
}

/** The tracks `policies` need, each pruned to its retention at `now` (new arrays: the input is not changed). */
function prunedTracks(buckets: BucketTracks, policies: readonly Policy[], now: number): Map<number, Bucket[]> {
  const tracks = new Map<number, Bucket[]>();
  for (const width of widthsOf(policies)) {
    const track = buckets.get(width) ?? [];
    const after = now - retentionOf(width);
    let first = 0;
    while (first < track.length && track[first]!.start <= after) first++;
    tracks.set(width, track.slice(first));
  }
  return tracks;
}

/**
 * Adds `count` admissions at `at` to an ascending track: the array is changed, the bucket objects
 * are not (a counted bucket is replaced), so tracks sliced from another never change it.
 */
function countIn(track: Bucket[], width: number, at: number, count = 1): void {
  const start = at - (((at % width) + width) % width);
  const last = track.at(-1);
  if (last && last.start === start) track[track.length - 1] = { start, count: last.count + count };
  else track.push({ start, count });
}

function countSince(ascending: readonly number[], since: number): number {
  let count = 0;
  for (let i = ascending.length - 1; i >= 0 && ascending[i]! > since; i--) count++;
  return count;
}
