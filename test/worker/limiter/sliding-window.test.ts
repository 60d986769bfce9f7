import { describe, expect, it } from "vitest";
import { rateLimited } from "../../../worker/http/outcome-problems";
import { rateLimitHeaders } from "../../../worker/limiter/rate-limit-headers";
import { decide, nearestExhaustion, POLICIES, usageOf, type PolicyName } from "../../../worker/limiter/sliding-window";
import { mulberry32 } from "../helpers/seeded-random";

const SECOND = 1_000;
const MINUTE = 60_000;

/** Runs every request through `decide` in order, failing the test if any is refused. */
function admitAll(times: readonly number[], start: readonly number[] = []): number[] {
  let state = [...start];
  for (const t of times) {
    const d = decide(state, t);
    expect(d.admitted, `request at ${t} should be admitted`).toBe(true);
    state = d.admissions;
  }
  return state;
}

/** `count` instants from `start`, `gapMs` apart. */
function paced(start: number, count: number, gapMs: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i * gapMs);
}

function retryAfterSeconds(violated: PolicyName | null, retryAt: number | null, now: number): number | undefined {
  return rateLimited(violated!, retryAt!, now).extra.retryAfterSeconds;
}

describe("sliding-window limiter: burst", () => {
  const t0 = 1_700_000_001_000;
  const tenAtOnce = () => admitAll(paced(t0, 10, 0));

  it("refuses the 11th request in the same millisecond as ten admissions, naming the burst policy", () => {
    const d = decide(tenAtOnce(), t0);
    expect(d.admitted).toBe(false);
    expect(d.violated).toBe("burst");
  });

  it("still refuses 999 ms after ten admissions", () => {
    const d = decide(tenAtOnce(), t0 + 999);
    expect(d.admitted).toBe(false);
    expect(d.violated).toBe("burst");
  });

  it("admits again exactly one second after ten admissions", () => {
    expect(decide(tenAtOnce(), t0 + SECOND).admitted).toBe(true);
  });

  it("sets retryAt to exactly one second after the burst and Retry-After to 1 s", () => {
    const d = decide(tenAtOnce(), t0);
    expect(d.retryAt).toBe(t0 + SECOND);
    expect(retryAfterSeconds(d.violated, d.retryAt, t0)).toBe(1);
  });
});

describe("sliding-window limiter: minute", () => {
  const oldest = 1_700_000_100_000;
  /** 100 admissions one every 200 ms: five per second, never near the burst limit. */
  const hundredPaced = () => admitAll(paced(oldest, 100, 200));

  it("refuses the 101st paced request, naming the minute policy", () => {
    const d = decide(hundredPaced(), oldest + 20_000);
    expect(d.admitted).toBe(false);
    expect(d.violated).toBe("minute");
    expect(d.retryAt).toBe(oldest + MINUTE);
  });

  it("still refuses 59 999 ms after the oldest of 100 admissions", () => {
    const d = decide(hundredPaced(), oldest + 59_999);
    expect(d.admitted).toBe(false);
    expect(d.violated).toBe("minute");
  });

  it("admits again exactly 60 s after the oldest of 100 admissions", () => {
    expect(decide(hundredPaced(), oldest + MINUTE).admitted).toBe(true);
  });

  it("reports Retry-After as the whole seconds left until the oldest admission slides out", () => {
    const state = hundredPaced();
    const retryAfterAt = (offset: number) => {
      const now = oldest + offset;
      const d = decide(state, now);
      return retryAfterSeconds(d.violated, d.retryAt, now);
    };
    expect(retryAfterAt(20_000)).toBe(40);
    expect(retryAfterAt(40_000)).toBe(20);
    expect(retryAfterAt(40_001)).toBe(20);
    expect(retryAfterAt(58_999)).toBe(2);
    expect(retryAfterAt(59_000)).toBe(1);
    expect(retryAfterAt(59_001)).toBe(1);
    expect(retryAfterAt(59_999)).toBe(1);
  });
});

describe("sliding-window limiter: refusals", () => {
  it("leaves the state unchanged after a refusal", () => {
    const t0 = 1_700_000_200_000;
    const state = Object.freeze(admitAll(paced(t0, 10, 7)));
    const d = decide(state, t0 + 100);
    expect(d.admitted).toBe(false);
    expect(d.admissions).toEqual(state);
    expect(state).toEqual(paced(t0, 10, 7));
  });

  it("does not count requests refused by the burst policy against the minute policy", () => {
    const t0 = 1_700_000_300_000;
    let state = admitAll(paced(t0, 10, 0));
    for (let i = 0; i < 200; i++) {
      const d = decide(state, t0 + 500 + i);
      expect(d.violated).toBe("burst");
      state = d.admissions;
    }
    const next = decide(state, t0 + SECOND);
    expect(next.admitted).toBe(true);
    expect(next.usage.find((u) => u.policy.name === "minute")!.remaining).toBe(89);
  });

  it("does not count requests refused by the minute policy against the burst policy", () => {
    const t0 = 1_700_000_400_000;
    let state = admitAll(paced(t0, 100, 200));
    for (let i = 0; i < 50; i++) {
      const d = decide(state, t0 + 59_500 + i * 10);
      expect(d.violated).toBe("minute");
      state = d.admissions;
    }
    const next = decide(state, t0 + MINUTE);
    expect(next.admitted).toBe(true);
    expect(next.usage.find((u) => u.policy.name === "burst")!.remaining).toBe(9);
  });
});

describe("sliding-window limiter: both windows full", () => {
  it("names the minute policy when it frees up after the burst, with a retryAt that satisfies both", () => {
    const t0 = 1_700_000_500_000;
    const burstAt = t0 + 30_000;
    const state = admitAll(paced(burstAt, 10, 0), admitAll(paced(t0, 90, 200)));
    const d = decide(state, burstAt);
    expect(d.violated).toBe("minute");
    expect(d.retryAt).toBe(t0 + MINUTE);
    expect(decide(state, d.retryAt! - 1).admitted).toBe(false);
    expect(decide(state, d.retryAt!).admitted).toBe(true);
  });

  it("names the burst policy when it frees up after the minute, with a retryAt that satisfies both", () => {
    const t0 = 1_700_000_600_000;
    const burstAt = t0 + 59_900;
    const state = admitAll(paced(burstAt, 10, 0), admitAll(paced(t0, 90, 200)));
    const d = decide(state, burstAt);
    expect(usageOf(state, burstAt).map((u) => u.remaining)).toEqual([0, 0]);
    expect(d.violated).toBe("burst");
    expect(d.retryAt).toBe(burstAt + SECOND);
    expect(decide(state, d.retryAt! - 1).admitted).toBe(false);
    expect(decide(state, d.retryAt!).admitted).toBe(true);
  });
});

describe("sliding-window limiter: pruning", () => {
  it("keeps only the admissions of the last 60 s", () => {
    const t0 = 1_700_000_700_000;
    const state = admitAll([t0, t0 + 1, t0 + 30_000, t0 + 59_999]);
    expect(decide(state, t0 + MINUTE).admissions).toEqual([t0 + 1, t0 + 30_000, t0 + 59_999, t0 + MINUTE]);
    expect(decide(state, t0 + 90_000).admissions).toEqual([t0 + 59_999, t0 + 90_000]);
  });
});

describe("sliding-window limiter: usage and rate-limit fields", () => {
  it("reports full quotas and no reset for an empty state", () => {
    const usage = usageOf([], 1_700_000_800_000);
    expect(usage.map(({ policy, remaining, resetMs }) => [policy.name, remaining, resetMs])).toEqual([
      ["burst", 10, 0],
      ["minute", 100, 0],
    ]);
  });

  it("reports remaining quota and the time until the oldest admission in each window slides out", () => {
    const t0 = 1_700_000_900_000;
    const usage = usageOf([t0 - 2_000, t0, t0 + 100, t0 + 300], t0 + 400);
    expect(usage.map(({ policy, remaining, resetMs }) => [policy.name, remaining, resetMs])).toEqual([
      ["burst", 7, 600],
      ["minute", 96, 57_600],
    ]);
  });

  it("picks the longer window as nearest exhaustion when both have the same quota left", () => {
    const t0 = 1_700_001_000_000;
    const state = admitAll(paced(t0, 95, 200));
    const usage = usageOf(state, t0 + 94 * 200);
    expect(usage.map((u) => u.remaining)).toEqual([5, 5]);
    expect(nearestExhaustion(usage).policy.name).toBe("minute");
  });

  it("lists both policies in RateLimit-Policy", () => {
    expect(rateLimitHeaders(usageOf([], 1_700_001_100_000))["RateLimit-Policy"]).toBe('"burst";q=10;w=1, "minute";q=100;w=60');
  });

  it("reports the burst policy in RateLimit early in a minute", () => {
    const t0 = 1_700_001_200_000;
    const d = decide([], t0);
    expect(rateLimitHeaders(d.usage).RateLimit).toBe('"burst";r=9;t=1');
  });

  it("rounds the RateLimit reset up to whole seconds", () => {
    const t0 = 1_700_001_300_000;
    expect(rateLimitHeaders(usageOf(admitAll([t0, t0 + 100, t0 + 300]), t0 + 999)).RateLimit).toBe('"burst";r=7;t=1');
  });

  it("reports the minute policy in RateLimit after 96 paced requests", () => {
    const t0 = 1_700_001_400_000;
    const state = admitAll(paced(t0, 95, 200));
    const d = decide(state, t0 + 95 * 200);
    expect(d.admitted).toBe(true);
    expect(rateLimitHeaders(d.usage).RateLimit).toBe('"minute";r=4;t=41');
  });
});

/**
 * A few hundred non-decreasing request times: bursts in one millisecond, small and medium gaps,
 * and rare gaps longer than a minute. Each schedule draws its own mix, so some stay under the
 * burst limit and run into the minute limit while others hammer the burst limit.
 */
function schedule(seed: number): number[] {
  const rand = mulberry32(seed);
  const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
  const pZero = rand() * 0.5;
  const pSmall = rand() * (1 - pZero);
  const pLarge = rand() * 0.03;
  const mediumMax = int(150, 1_200);
  const times: number[] = [];
  let t = 1_700_100_000_000 + int(0, 1_000_000);
  for (let n = int(200, 400); n > 0; n--) {
    const r = rand();
    if (r < pLarge) t += int(1_000, 70_000);
    else if (r < pLarge + pZero) t += 0;
    else if (r < pLarge + pZero + pSmall) t += int(1, 99);
    else t += int(100, mediumMax);
    times.push(t);
  }
  return times;
}

/** Admissions in the interval (until − windowMs, until], counted from the full history. */
function countIn(history: readonly number[], until: number, windowMs: number): number {
  let count = 0;
  for (const at of history) if (at > until - windowMs && at <= until) count++;
  return count;
}

/** The policies that an independent count over the full history says are full at `now`. */
function fullAt(history: readonly number[], now: number): PolicyName[] {
  return POLICIES.filter((p) => countIn(history, now, p.windowMs) >= p.quota).map((p) => p.name);
}

interface Tally {
  burst: number;
  minute: number;
  admitted: number;
}

/** Replays one schedule; returns the first discrepancy found, or null. */
function checkSchedule(seed: number, tally: Tally): string | null {
  let state: number[] = [];
  const history: number[] = [];
  for (const [i, now] of schedule(seed).entries()) {
    const where = `seed ${seed}, request ${i} at ${now}`;
    const full = fullAt(history, now);
    const d = decide(state, now);
    if (d.admitted !== (full.length === 0)) return `${where}: admitted=${d.admitted} but full windows are [${full}]`;
    if (d.admissions.some((at) => at <= now - MINUTE)) return `${where}: state keeps admissions older than 60 s`;
    if (d.admitted) {
      history.push(now);
      tally.admitted++;
      for (const p of POLICIES) {
        const inWindow = countIn(history, now, p.windowMs);
        if (inWindow > p.quota) return `${where}: ${inWindow} admissions in one ${p.name} window`;
      }
      state = d.admissions;
      continue;
    }
    tally[d.violated as keyof Tally]++;
    const retryAt = d.retryAt!;
    if (JSON.stringify(d.admissions) !== JSON.stringify(state.filter((at) => at > now - MINUTE)))
      return `${where}: a refusal changed the state`;
    if (!(retryAt > now)) return `${where}: retryAt ${retryAt} is not after now`;
    if (decide(state, retryAt - 1).admitted) return `${where}: admitted at retryAt-1 (${retryAt - 1})`;
    if (!decide(state, retryAt).admitted) return `${where}: refused at retryAt (${retryAt})`;
    if (fullAt(history, retryAt).length > 0) return `${where}: history is still full at retryAt ${retryAt}`;
    if (!fullAt(history, retryAt - 1).includes(d.violated!))
      return `${where}: violated ${d.violated} is not the policy still full at retryAt-1`;
  }
  return null;
}

describe("sliding-window limiter: random schedules", () => {
  it("admits exactly when both windows have room and refuses until exactly retryAt, over 600 seeded schedules", { timeout: 60_000 }, () => {
    const tally: Tally = { burst: 0, minute: 0, admitted: 0 };
    for (let seed = 1; seed <= 600; seed++) {
      const failure = checkSchedule(seed, tally);
      expect(failure, `seed ${seed}`).toBeNull();
    }
    // Guards against a generator that never reaches one of the limits, which would make this test vacuous.
    expect(tally.burst).toBeGreaterThan(1_000);
    expect(tally.minute).toBeGreaterThan(1_000);
    expect(tally.admitted).toBeGreaterThan(10_000);
  });
});
