import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, createKey, type KeyJson, snapshotTables, user, useKey } from "../helpers/api";
import { readConfig } from "../../../worker/config";
import { verifyApiKey } from "../../../worker/verify/key-verification";
import { chainRows, digestOf, setCeiling, setChainClock, statuses } from "../helpers/key-terms";

const DAY_CEILING = [
  { windowSeconds: 1, limit: 1000 },
  { windowSeconds: 86_400, limit: 1_000_000 },
];

describe("per-key limits at the edge", () => {
  it("holds a key to its own policy exactly: 50 concurrent requests on 7 in any 5 s admit exactly 7", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { limits: [{ name: "tight", limit: 7, windowSeconds: 5 }] });
    expect(key.limits).toEqual([{ name: "tight", limit: 7, windowSeconds: 5 }]);
    const responses = await Promise.all(Array.from({ length: 50 }, () => useKey(secret)));
    expect(statuses(responses)).toEqual({ 200: 7, 429: 43 });
    const admitted = responses.find((r) => r.status === 200)!;
    expect(admitted.headers.get("RateLimit-Policy")).toBe('"tight";q=7;w=5');
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get("RateLimit-Policy")).toBe('"tight";q=7;w=5');
    expect(refused.headers.get("RateLimit")).toMatch(/^"tight";r=0;t=[1-5]$/);
    expect(await refused.json()).toMatchObject({ code: "rate_limited", policy: "tight", detail: 'Rate limit "tight" exceeded: at most 7 requests in any 5 s.' });
  });

  it("reports the key's policies by name in whoami, and lists them in RateLimit-Policy", async () => {
    const alice = await user();
    await setCeiling(alice.orgId, DAY_CEILING);
    const limits = [
      { name: "per-second", limit: 50, windowSeconds: 1 },
      { name: "daily", limit: 5000, windowSeconds: 86_400 },
    ];
    const { secret } = await createKey(alice, { limits });
    const res = await useKey(secret);
    expect(res.headers.get("RateLimit-Policy")).toBe('"per-second";q=50;w=1, "daily";q=5000;w=86400');
    const { rateLimit } = (await res.json()) as { rateLimit: Record<string, { resetSeconds: number }> };
    expect(rateLimit).toEqual({
      "per-second": { limit: 50, windowSeconds: 1, remaining: 49, resetSeconds: 1 },
      daily: { limit: 5000, windowSeconds: 86_400, remaining: 4999, resetSeconds: expect.any(Number) },
    });
    // Counted in a 1 min bucket: the admission leaves the window with its bucket, up to a minute late.
    expect(rateLimit.daily!.resetSeconds).toBeGreaterThan(86_400);
    expect(rateLimit.daily!.resetSeconds).toBeLessThanOrEqual(86_460);
  });

  it("admits exactly the limit of a 24 h window under concurrency, and keeps it across eviction and restart", async () => {
    const alice = await user();
    await setCeiling(alice.orgId, DAY_CEILING);
    const { key, secret } = await createKey(alice, { limits: [{ name: "daily", limit: 25, windowSeconds: 86_400 }] });
    const responses = await Promise.all(Array.from({ length: 60 }, () => useKey(secret)));
    expect(statuses(responses)).toEqual({ 200: 25, 429: 35 });
    const refused = responses.find((r) => r.status === 429)!;
    expect(await refused.json()).toMatchObject({ policy: "daily" });
    // One bucket holds the 25 admissions: a 24 h window keeps counts, not timestamps.
    expect(await chainRows(key.id, "limiter_buckets")).toBe(1);
    await evictDurableObject(authorityFor(env, key.id));
    expect(await chainRows(key.id, "limiter_buckets")).toBe(1);
    expect((await useKey(secret)).status).toBe(429);
  });

  it("keeps a 24 h window's storage bounded: 26 simulated hours of use leave at most 1,441 bucket rows", async () => {
    const alice = await user();
    await setCeiling(alice.orgId, DAY_CEILING);
    const limits = [
      { name: "second", limit: 1000, windowSeconds: 1 },
      { name: "daily", limit: 1_000_000, windowSeconds: 86_400 },
    ];
    const { key, secret } = await createKey(alice, { limits });
    expect((await useKey(secret)).status).toBe(200);
    const digest = await digestOf(secret);
    const counted = await runInDurableObject(authorityFor(env, key.id), async (authority: KeyAuthority, state) => {
      const start = Date.now();
      let admitted = 0;
      // One request every 30 s for 26 hours of the object's clock: every minute has admissions.
      for (let t = start; t < start + 26 * 3_600_000; t += 30_000) {
        authority.clock = () => t;
        if ((await authority.verify(key.id, digest)).outcome === "admitted") admitted++;
      }
      const rows = (table: string) => Number(state.storage.sql.exec(`SELECT count(*) AS n FROM ${table}`).one().n);
      return { admitted, buckets: rows("limiter_buckets"), admissions: rows("admissions") };
    });
    expect(counted.admitted).toBe(26 * 120);
    expect(counted.buckets).toBe(1_441);
    expect(counted.admissions).toBe(2);
  });

  it("applies a PATCH of limits from the next request, and a rotation carries them to a successor that shares the window", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect(key.limits).toEqual([
      { name: "burst", limit: 10, windowSeconds: 1 },
      { name: "minute", limit: 100, windowSeconds: 60 },
    ]);
    const patched = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { limits: [{ name: "slow", limit: 4, windowSeconds: 10 }] } });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { key: KeyJson }).key.limits).toEqual([{ name: "slow", limit: 4, windowSeconds: 10 }]);
    expect(statuses(await Promise.all(Array.from({ length: 9 }, () => useKey(secret))))).toEqual({ 200: 4, 429: 5 });
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 600 } });
    const body = (await rotated.json()) as { key: KeyJson; secret: string; previous: KeyJson };
    expect(body.key.limits).toEqual([{ name: "slow", limit: 4, windowSeconds: 10 }]);
    expect((await useKey(body.secret)).status).toBe(429);
    const listed = (await (await call("GET", "/v1/keys", { token: alice.token })).json()) as { keys: KeyJson[] };
    expect(listed.keys.map((k) => k.limits)).toEqual([body.key.limits, body.key.limits]);
    // null: back to the defaults, with the 4 admissions the chain counted still in the minute
    // window. Checked as /api/* checks, without the isolate's memory of the 429 just answered.
    const reset = await call("PATCH", `/v1/keys/${body.key.id}`, { token: alice.token, json: { limits: null } });
    expect(((await reset.json()) as { key: KeyJson }).key.limits).toEqual(key.limits);
    const later = Date.now() + 1_100;
    await setChainClock(key.id, later);
    const checks = await Promise.all(
      Array.from({ length: 110 }, () => verifyApiKey(env, readConfig(env), { key: body.secret, throttleKey: null }, { now: () => later })),
    );
    expect(checks.filter((c) => c.outcome === "admitted")).toHaveLength(10);
    const second = later + 1_000;
    await setChainClock(key.id, second);
    const more = await Promise.all(
      Array.from({ length: 100 }, () => verifyApiKey(env, readConfig(env), { key: body.secret, throttleKey: null }, { now: () => second })),
    );
    expect(more.filter((c) => c.outcome === "admitted")).toHaveLength(10);
  });

  it("gives a key without limits the org's ceiling when the defaults are above it", async () => {
    const alice = await user();
    await setCeiling(alice.orgId, [{ windowSeconds: 60, limit: 3 }]);
    const { key, secret } = await createKey(alice);
    expect(key.limits).toEqual([{ name: "w60s", limit: 3, windowSeconds: 60 }]);
    expect(statuses(await Promise.all(Array.from({ length: 8 }, () => useKey(secret))))).toEqual({ 200: 3, 429: 5 });
  });
});

describe("a chain placed before per-key limits and credits existed", () => {
  it("gets their tables when its object next opens, with the defaults and no credits, and takes new limits", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    await runInDurableObject(authorityFor(env, key.id), (_authority: KeyAuthority, state) => {
      state.storage.sql.exec("DROP TABLE chain_terms; DROP TABLE limiter_buckets;");
    });
    await evictDurableObject(authorityFor(env, key.id));
    const res = await useKey(secret);
    expect(res.status).toBe(200);
    expect(res.headers.get("RateLimit-Policy")).toBe('"burst";q=10;w=1, "minute";q=100;w=60');
    expect(((await res.json()) as { credits: unknown }).credits).toBeNull();
    const patched = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { limits: [{ name: "slow", limit: 2, windowSeconds: 120 }], credits: { remaining: 9 } } });
    expect(patched.status).toBe(200);
    const next = await useKey(secret);
    expect(next.headers.get("RateLimit-Policy")).toBe('"slow";q=2;w=120');
    // The two admissions of the last minute count in the new 2-minute window (built from them).
    expect(next.status).toBe(429);
    expect(await next.json()).toMatchObject({ policy: "slow" });
  });
});

describe("per-key limits: refusals change nothing", () => {
  it("refuses limits above the org's ceiling with 422 at limits.N, on create and on PATCH", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const before = await snapshotTables();
    // The default ceiling: 10 in any 1 s, 100 in any 60 s.
    const create = await call("POST", "/v1/keys", { token: alice.token, json: { name: "greedy", limits: [{ name: "fast", limit: 11, windowSeconds: 1 }] } });
    expect(create.status).toBe(422);
    expect(await create.json()).toMatchObject({
      code: "validation_failed",
      errors: [
        { field: "limits.0", message: expect.stringContaining("ceiling of 10 requests in any 1 s") },
        { field: "limits.0", message: expect.stringContaining("ceiling of 100 requests in any 60 s: these limits let up to 660 through") },
      ],
    });
    const patch = await call("PATCH", `/v1/keys/${key.id}`, {
      token: alice.token,
      json: { limits: [{ name: "burst", limit: 10, windowSeconds: 1 }, { name: "daily", limit: 5000, windowSeconds: 86_400 }] },
    });
    expect(patch.status).toBe(422);
    // The policy with the lowest bound on a minute is named: 10 in any 1 s lets 600 through.
    expect(((await patch.json()) as { errors: unknown }).errors).toEqual([{ field: "limits.0", message: expect.stringContaining("up to 600 through in 60 s") }]);
    expect(await snapshotTables()).toBe(before);
    const whoami = await useKey(secret);
    expect(whoami.headers.get("RateLimit-Policy")).toBe('"burst";q=10;w=1, "minute";q=100;w=60');
  });

  it.each([
    ["no policy", [], "limits"],
    ["six policies", Array.from({ length: 6 }, (_, i) => ({ name: `p${i}`, limit: 1, windowSeconds: i + 1 })), "limits"],
    ["a name used twice", [{ name: "a", limit: 1, windowSeconds: 1 }, { name: "a", limit: 5, windowSeconds: 10 }], "limits.1.name"],
    ["a window used twice", [{ name: "a", limit: 1, windowSeconds: 1 }, { name: "b", limit: 5, windowSeconds: 1 }], "limits.1.windowSeconds"],
    ["an upper-case name", [{ name: "Burst", limit: 1, windowSeconds: 1 }], "limits.0.name"],
    ["a window over 24 h", [{ name: "a", limit: 1, windowSeconds: 86_401 }], "limits.0.windowSeconds"],
    ["a window of 0", [{ name: "a", limit: 1, windowSeconds: 0 }], "limits.0.windowSeconds"],
    ["a limit of 0", [{ name: "a", limit: 0, windowSeconds: 1 }], "limits.0.limit"],
    ["a fractional limit", [{ name: "a", limit: 1.5, windowSeconds: 1 }], "limits.0.limit"],
    ["an unknown member", [{ name: "a", limit: 1, windowSeconds: 1, burst: 3 }], "limits.0"],
  ])("refuses %s with 422 naming the field", async (_label, limits, field) => {
    const alice = await user();
    await call("GET", "/v1/keys", { token: alice.token }); // registers alice
    const before = await snapshotTables();
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "bad", limits } });
    expect(res.status).toBe(422);
    const errors = ((await res.json()) as { errors: Array<{ field: string }> }).errors;
    expect(errors.map((e) => e.field)).toContain(field);
    expect(await snapshotTables()).toBe(before);
  });
});
