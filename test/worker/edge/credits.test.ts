import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { nextRefillAt } from "../../../worker/limiter/credits";
import { call, createKey, type KeyJson, snapshotTables, type TestUser, user, useKey } from "../helpers/api";
import { setChainClock, statuses, WIDE, wideOwner } from "../helpers/key-terms";
import { consumers, viaBinding, viaHttp } from "../verify/verify-helpers";

async function getKey(owner: TestUser, id: string): Promise<KeyJson> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  return ((await res.json()) as { key: KeyJson }).key;
}

function patch(owner: TestUser, id: string, json: unknown): Promise<Response> {
  return call("PATCH", `/v1/keys/${id}`, { token: owner.token, json });
}

describe("credits at the edge", () => {
  it("admits exactly 37 of 200 concurrent requests with 37 credits left, and refuses 163 with credits_exhausted", async () => {
    const alice = await wideOwner();
    const { key, secret } = await createKey(alice, { limits: WIDE, credits: { remaining: 37 } });
    expect(key.credits).toMatchObject({ remaining: 37, refill: null, nextRefillAt: null });
    const responses = await Promise.all(Array.from({ length: 200 }, () => useKey(secret)));
    expect(statuses(responses)).toEqual({ 200: 37, 429: 163 });
    const refused = responses.find((r) => r.status === 429)!;
    expect(refused.headers.get("Retry-After")).toBeNull();
    expect(await refused.json()).toMatchObject({ code: "credits_exhausted", status: 429, title: "Credits exhausted" });
    const remaining = await Promise.all(responses.filter((r) => r.status === 200).map(async (r) => ((await r.json()) as { credits: { remaining: number } }).credits.remaining));
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect((await getKey(alice, key.id)).credits).toMatchObject({ remaining: 0 });
  });

  it("takes nothing from the rate limits for a refusal by credits, and no credit for a refusal by the rate limits", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 3 } });
    // 3 admitted, 7 refused by credits: the burst window holds 3 admissions, not 10.
    expect(statuses(await Promise.all(Array.from({ length: 10 }, () => useKey(secret))))).toEqual({ 200: 3, 429: 7 });
    expect((await patch(alice, key.id, { credits: { add: 100 } })).status).toBe(200);
    // The burst window admits 7 more (10 − 3), and those 7 are all that is spent.
    const burst = await Promise.all(Array.from({ length: 30 }, () => useKey(secret)));
    expect(statuses(burst)).toEqual({ 200: 7, 429: 23 });
    expect(await burst.find((r) => r.status === 429)!.json()).toMatchObject({ code: "rate_limited" });
    expect((await getKey(alice, key.id)).credits).toMatchObject({ remaining: 93 });
  });

  it("spends the cost a check declares, and lets a free check (cost 0) through at 0", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 12 } });
    const costs = [5, 5, 5, 2, 1, 0];
    const outcomes = [];
    for (const cost of costs) outcomes.push((await (await viaHttp({ key: secret, cost })).json()) as { code: string; credits?: { remaining: number } });
    expect(outcomes.map((o) => o.code)).toEqual(["valid", "valid", "credits_exhausted", "valid", "credits_exhausted", "valid"]);
    expect(outcomes.map((o) => o.credits?.remaining)).toEqual([7, 2, undefined, 0, undefined, 0]);
    expect((await getKey(alice, key.id)).credits).toMatchObject({ remaining: 0 });
    expect(await viaBinding(secret, { cost: 1 })).toMatchObject({ valid: false, code: "credits_exhausted" });
    expect(await viaBinding(secret, { cost: 0 })).toMatchObject({ valid: true, credits: { remaining: 0, nextRefillAt: null } });
    for (const cost of [-1, 1.5, 1001, "2"]) {
      const res = await viaHttp({ key: secret, cost });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0]!.field).toBe("cost");
    }
  });

  it("spends the cost a route declares with apiKeyAuth({ cost }) in another Worker's Hono app", async () => {
    const alice = await user();
    const { secret } = await createKey(alice, { credits: { remaining: 25 } });
    const report = () => consumers.HONO_CONSUMER.fetch("http://hono-consumer/priced/report", { headers: { "X-API-Key": secret, "CF-Connecting-IP": "2001:db8::25" } });
    expect(await (await report()).json()).toEqual({ credits: { remaining: 15, nextRefillAt: null } });
    expect(await (await report()).json()).toEqual({ credits: { remaining: 5, nextRefillAt: null } });
    const refused = await report();
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: "credits_exhausted" });
    // A request of the default cost still fits in what is left.
    expect(((await (await useKey(secret)).json()) as { credits: unknown }).credits).toEqual({ remaining: 4, nextRefillAt: null });
  });

  it("keeps the balance across eviction and restart, and whoami reports what is left", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 10 } });
    for (let i = 0; i < 3; i++) expect((await useKey(secret)).status).toBe(200);
    await evictDurableObject(authorityFor(env, key.id));
    const res = await useKey(secret);
    expect(((await res.json()) as { credits: unknown }).credits).toEqual({ remaining: 6, nextRefillAt: null });
  });

  it("refills at 00:00 UTC for a chain asleep at that moment, and Retry-After points at the refill", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 1, refill: { amount: 5, interval: "day" } } });
    const midnight = nextRefillAt("day", Date.now());
    expect(key.credits).toMatchObject({ refill: { amount: 5, interval: "day" }, nextRefillAt: new Date(midnight).toISOString() });
    expect((await useKey(secret)).status).toBe(200);
    const dry = Date.now();
    const refused = await useKey(secret);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(Math.ceil((midnight - Date.now()) / 1000));
    expect(retryAfter).toBeLessThanOrEqual(Math.ceil((midnight - dry) / 1000) + 1);
    // The chain sleeps through midnight (evicted), and wakes an hour after it.
    await evictDurableObject(authorityFor(env, key.id));
    await setChainClock(key.id, midnight + 3_600_000);
    const woken = await useKey(secret);
    expect(woken.status).toBe(200);
    const nextMidnight = new Date(midnight + 86_400_000).toISOString();
    expect(((await woken.json()) as { credits: unknown }).credits).toEqual({ remaining: 4, nextRefillAt: nextMidnight });
    expect((await getKey(alice, key.id)).credits).toEqual({
      remaining: 4,
      refill: { amount: 5, interval: "day" },
      refilledAt: new Date(midnight).toISOString(),
      nextRefillAt: nextMidnight,
    });
    // Restarted again after the refill: it stands, and is not applied twice.
    await evictDurableObject(authorityFor(env, key.id));
    await setChainClock(key.id, midnight + 7_200_000);
    expect(((await (await useKey(secret)).json()) as { credits: unknown }).credits).toEqual({ remaining: 3, nextRefillAt: nextMidnight });
  });

  it("refills monthly on the 1st at 00:00 UTC", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 0, refill: { amount: 2, interval: "month" } } });
    expect((await useKey(secret)).status).toBe(429);
    const first = nextRefillAt("month", Date.now());
    await setChainClock(key.id, first - 1);
    expect((await useKey(secret)).status).toBe(429);
    await setChainClock(key.id, first);
    expect((await useKey(secret)).status).toBe(200);
    expect(((await (await useKey(secret)).json()) as { credits: unknown }).credits).toEqual({
      remaining: 0,
      nextRefillAt: new Date(nextRefillAt("month", first)).toISOString(),
    });
  });

  it("shows the refill a sleeping chain is owed in the list too, before its object wakes", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { credits: { remaining: 2, refill: { amount: 500, interval: "day" } } });
    // D1's copy as a chain asleep since two days ago leaves it: the list computes the owed refill.
    const twoDaysAgo = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 2 * 86_400_000;
    const stale = { remaining: 2, refill: { amount: 500, interval: "day" }, refilledAt: twoDaysAgo };
    await env.DB.prepare("UPDATE api_keys SET credits = ? WHERE id = ?").bind(JSON.stringify(stale), key.id).run();
    const res = await call("GET", "/v1/keys", { token: alice.token });
    const listed = ((await res.json()) as { keys: KeyJson[] }).keys.find((k) => k.id === key.id)!;
    expect(listed.credits!.remaining).toBe(500);
    expect(Date.parse(listed.credits!.nextRefillAt!)).toBeGreaterThan(Date.now());
    expect(Date.parse(listed.credits!.refilledAt)).toBe(nextRefillAt("day", Date.now()) - 86_400_000);
  });

  it("shares one balance between a rotated key and its successor", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 5 } });
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 600 } });
    const body = (await rotated.json()) as { key: KeyJson; secret: string };
    expect(body.key.credits).toMatchObject({ remaining: 5 });
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => useKey(i % 2 ? secret : body.secret)));
    expect(statuses(responses)).toEqual({ 200: 5, 429: 3 });
  });
});

describe("credits: PATCH", () => {
  it("adds every top-up of a race exactly once", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { credits: { remaining: 0 } });
    const answers = await Promise.all(Array.from({ length: 12 }, () => patch(alice, key.id, { credits: { add: 3 } })));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(200));
    expect((await getKey(alice, key.id)).credits).toMatchObject({ remaining: 36 });
  });

  it("sets the balance and refill exactly, lifts credits with null, and shows it in the list once flushed", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 50, refill: { amount: 50, interval: "day" } } });
    expect((await useKey(secret)).status).toBe(200);
    const set = await patch(alice, key.id, { credits: { remaining: 2 } });
    expect(((await set.json()) as { key: KeyJson }).key.credits).toMatchObject({ remaining: 2, refill: null, nextRefillAt: null });
    expect(statuses(await Promise.all(Array.from({ length: 5 }, () => useKey(secret))))).toEqual({ 200: 2, 429: 3 });
    const listed = (await (await call("GET", "/v1/keys", { token: alice.token })).json()) as { keys: KeyJson[] };
    // A new refill rule reaches the list at once; spending reaches it with the chain's next flush (≤ 30 s).
    expect(listed.keys[0]!.credits).toMatchObject({ refill: null });
    const lifted = await patch(alice, key.id, { credits: null });
    expect(((await lifted.json()) as { key: KeyJson }).key.credits).toBeNull();
    expect(statuses(await Promise.all(Array.from({ length: 4 }, () => useKey(secret))))).toEqual({ 200: 4 });
    const after = (await (await call("GET", "/v1/keys", { token: alice.token })).json()) as { keys: KeyJson[] };
    expect(after.keys[0]!.credits).toBeNull();
  });

  it("refuses a top-up of a key without credits, and bad credits, with 422, changing nothing", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const before = await snapshotTables();
    const topUp = await patch(alice, key.id, { credits: { add: 5 } });
    expect(topUp.status).toBe(422);
    expect(((await topUp.json()) as { errors: unknown }).errors).toEqual([{ field: "credits.add", message: expect.stringContaining("no credits") }]);
    for (const credits of [{ add: 0 }, { remaining: -1 }, { remaining: 1.5 }, { remaining: 5, refill: { amount: 5, interval: "week" } }, { remaining: 5, add: 1 }]) {
      const res = await patch(alice, key.id, { credits });
      expect(res.status, JSON.stringify(credits)).toBe(422);
    }
    expect(await snapshotTables()).toBe(before);
    expect((await getKey(alice, key.id)).credits).toBeNull();
  });
});
