import { describe, expect, it } from "vitest";
import { boundOver, ceilingBreaches, defaultPoliciesUnder } from "../../../worker/limiter/ceiling";
import { nextRefillAt, refilled } from "../../../worker/limiter/credits";
import { type Bucket, bucketWidthOf, decide, POLICIES, type Policy, tracksFor } from "../../../worker/limiter/sliding-window";
import { mulberry32 } from "../helpers/seeded-random";

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

type State = { admissions: number[]; buckets: Map<number, Bucket[]> };

/** Runs one request through `decide`, keeping the state when admitted. */
function step(state: State, now: number, policies: readonly Policy[]): { admitted: boolean; state: State; retryAt: number | null } {
  const d = decide(state.admissions, now, policies, state.buckets);
  return { admitted: d.admitted, retryAt: d.retryAt, state: d.admitted ? { admissions: d.admissions, buckets: d.buckets } : state };
}

/** Admissions in (now − windowMs, now] of an ascending list. */
function inWindow(times: readonly number[], now: number, windowMs: number): number {
  return times.filter((t) => t > now - windowMs && t <= now).length;
}

describe("bucketed windows: widths", () => {
  it("counts windows up to a minute exactly, up to an hour in 1 s buckets, up to 24 h in 1 min buckets", () => {
    expect(bucketWidthOf(SECOND)).toBeNull();
    expect(bucketWidthOf(MINUTE)).toBeNull();
    expect(bucketWidthOf(MINUTE + SECOND)).toBe(SECOND);
    expect(bucketWidthOf(HOUR)).toBe(SECOND);
    expect(bucketWidthOf(HOUR + SECOND)).toBe(MINUTE);
    expect(bucketWidthOf(DAY)).toBe(MINUTE);
  });
});

describe("bucketed windows: never over-admit, refuse at most one bucket early", () => {
  // Random arrival patterns (bursts, pauses, steady trickles) against an exact reference: after
  // every admission no window of the policy's length holds more than its limit (never
  // over-admitting), and every refusal is one an exact limiter with a window one bucket longer
  // would also make (the error bound).
  const cases: Array<{ name: string; policy: Policy; span: number }> = [
    { name: "5 min / 1 s buckets", policy: { name: "five", quota: 40, windowMs: 5 * MINUTE }, span: 20 * MINUTE },
    { name: "24 h / 1 min buckets", policy: { name: "day", quota: 25, windowMs: DAY }, span: 4 * DAY },
  ];
  for (const { name, policy, span } of cases) {
    it(`${name}: 60 seeded random schedules`, () => {
      const width = bucketWidthOf(policy.windowMs)!;
      let refusals = 0;
      for (let seed = 1; seed <= 60; seed++) {
        const random = mulberry32(seed);
        let state: State = { admissions: [], buckets: new Map() };
        const admitted: number[] = [];
        let now = 1_700_000_000_000 + Math.floor(random() * DAY);
        const end = now + span;
        while (now < end) {
          // Bursts of requests at one instant, short gaps, or long pauses.
          const r = random();
          now += r < 0.5 ? 0 : r < 0.9 ? Math.floor(random() * (policy.windowMs / 50)) : Math.floor(random() * policy.windowMs);
          const result = step(state, now, [policy]);
          state = result.state;
          if (result.admitted) {
            admitted.push(now);
            const count = inWindow(admitted, now, policy.windowMs);
            expect(count, `seed ${seed}: ${count} admissions in one window at ${now}`).toBeLessThanOrEqual(policy.quota);
          } else {
            refusals++;
            // An exact limiter over a window one bucket longer refuses this one too.
            expect(inWindow(admitted, now, policy.windowMs + width), `seed ${seed}: refused at ${now} more than one bucket early`).toBeGreaterThanOrEqual(
              policy.quota,
            );
            expect(result.retryAt!).toBeGreaterThan(now);
            expect(step(state, result.retryAt! - 1, [policy]).admitted, `seed ${seed}: admitted before retryAt`).toBe(false);
            expect(step(state, result.retryAt!, [policy]).admitted, `seed ${seed}: refused at retryAt`).toBe(true);
          }
        }
      }
      expect(refusals).toBeGreaterThan(0);
    });
  }

  it("keeps at most 1,441 one-minute buckets for a 24 h window however long the load lasts", () => {
    const day: Policy = { name: "day", quota: 1_000_000, windowMs: DAY };
    let state: State = { admissions: [], buckets: new Map() };
    const start = 1_700_000_000_000;
    // 26 hours of one request every 1.5 s: every minute has admissions, as under any steady load.
    for (let t = start; t < start + 26 * HOUR; t += 1_500) state = step(state, t, [day]).state;
    expect(state.buckets.get(MINUTE)!.length).toBe(1_441);
    expect(state.buckets.get(MINUTE)!.reduce((n, b) => n + b.count, 0)).toBeLessThanOrEqual(1_441 * 40);
    expect(state.admissions.length).toBe(40); // the last minute's, kept for windows up to 60 s
  });
});

describe("bucketed windows: changed policies", () => {
  it("builds a new 1 min track from the 1 s one, and a new 1 s track from the last minute's admissions", () => {
    const hour: Policy = { name: "hour", quota: 1000, windowMs: HOUR };
    const t0 = 1_700_000_040_000;
    let state: State = { admissions: [], buckets: new Map() };
    for (let i = 0; i < 30; i++) state = step(state, t0 + i * 10 * SECOND, [hour, ...POLICIES]).state;
    const day: Policy = { name: "day", quota: 5000, windowMs: DAY };
    const tracks = tracksFor(state.admissions, state.buckets, [day]);
    expect([...tracks.keys()]).toEqual([MINUTE]);
    expect(tracks.get(MINUTE)!.reduce((n, b) => n + b.count, 0)).toBe(30);
    const fromAdmissions = tracksFor(state.admissions, new Map(), [hour]);
    expect(fromAdmissions.get(SECOND)!.reduce((n, b) => n + b.count, 0)).toBe(state.admissions.length);
  });
});

describe("the org ceiling", () => {
  const perSecond = (quota: number): Policy => ({ name: "s", quota, windowMs: SECOND });
  it("bounds a shorter policy over a longer window by ⌈W/w⌉ of its limit, and a longer one by its limit", () => {
    expect(boundOver(perSecond(10), MINUTE)).toBe(600);
    expect(boundOver({ name: "m", quota: 100, windowMs: 90 * SECOND }, MINUTE)).toBe(100);
    expect(boundOver({ name: "m", quota: 100, windowMs: 40 * SECOND }, MINUTE)).toBe(200);
  });

  it("accepts limits when some policy keeps every ceiling window, and names the closest policy otherwise", () => {
    const ceiling = [
      { windowSeconds: 1, limit: 10 },
      { windowSeconds: 60, limit: 100 },
    ];
    expect(ceilingBreaches(POLICIES, ceiling)).toEqual([]);
    expect(ceilingBreaches([perSecond(1)], ceiling)).toEqual([]); // 60 in any minute
    expect(ceilingBreaches([perSecond(2)], ceiling)).toEqual([{ ceiling: ceiling[1], closest: 0, bound: 120 }]);
    const day = { name: "day", quota: 5000, windowMs: DAY };
    expect(ceilingBreaches([perSecond(5), day], ceiling)).toEqual([{ ceiling: ceiling[1], closest: 0, bound: 300 }]);
    expect(ceilingBreaches([perSecond(5), { name: "m", quota: 100, windowMs: MINUTE }, day], ceiling)).toEqual([]);
    expect(ceilingBreaches([perSecond(1000)], null)).toEqual([]);
  });

  it("gives a key that names no limits the defaults, or the ceiling's entries when the defaults are above it", () => {
    expect(defaultPoliciesUnder([{ windowSeconds: 60, limit: 1000 }], POLICIES)).toBe(POLICIES);
    expect(defaultPoliciesUnder([{ windowSeconds: 60, limit: 50 }], POLICIES)).toEqual([{ name: "w60s", quota: 50, windowMs: MINUTE }]);
  });
});

describe("credits: UTC refills", () => {
  it("finds the next 00:00 UTC and the next 1st of the month, across a year's end", () => {
    expect(nextRefillAt("day", Date.UTC(2025, 0, 31, 23, 59, 59, 999))).toBe(Date.UTC(2025, 1, 1));
    expect(nextRefillAt("day", Date.UTC(2025, 1, 1))).toBe(Date.UTC(2025, 1, 2));
    expect(nextRefillAt("month", Date.UTC(2025, 11, 15))).toBe(Date.UTC(2026, 0, 1));
  });

  it("sets the balance to the amount once, however many boundaries a sleeping chain missed", () => {
    const credits = { remaining: 3, refill: { amount: 100, interval: "day" as const }, refilledAt: Date.UTC(2025, 0, 1, 12) };
    expect(refilled(credits, Date.UTC(2025, 0, 1, 23, 59))).toBe(credits);
    expect(refilled(credits, Date.UTC(2025, 0, 5, 8))).toEqual({ ...credits, remaining: 100, refilledAt: Date.UTC(2025, 0, 5) });
  });
});
