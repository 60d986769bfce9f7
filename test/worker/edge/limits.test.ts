import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { readConfig } from "../../../worker/config";
import { verifyApiKey } from "../../../worker/verify/key-verification";
import { call, createKey, user, useKey } from "../helpers/api";

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const statuses = (responses: Response[]) => {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
};

describe("exact rate limits at the edge", () => {
  it("admits exactly 10 of 200 concurrent requests on one fresh key and refuses 190 with 429", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    // One instant for the key's object: however long a loaded machine takes to deliver the 200,
    // they fall in one burst window, so "exactly 10" tests the limiter, not the machine's speed.
    const at = Date.now();
    await runInDurableObject(authorityFor(env, key.id), (authority: KeyAuthority) => void (authority.clock = () => at));
    const responses = await Promise.all(Array.from({ length: 200 }, () => useKey(secret)));
    expect(statuses(responses)).toEqual({ 200: 10, 429: 190 });
  });

  it("answers 429 with Retry-After, rate-limit fields and a problem body naming the policy", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    await Promise.all(Array.from({ length: 10 }, () => useKey(secret)));
    const res = await useKey(secret);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("Retry-After"))).toBe(1);
    expect(res.headers.get("RateLimit-Policy")).toBe('"burst";q=10;w=1, "minute";q=100;w=60');
    expect(res.headers.get("RateLimit")).toBe('"burst";r=0;t=1');
    expect(await res.json()).toMatchObject({ status: 429, code: "rate_limited", policy: "burst" });
  });

  it("shares one quota between a rotated key and its successor", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 600 } });
    const { secret: next } = (await rotated.json()) as { secret: string };
    const at = Date.now();
    await runInDurableObject(authorityFor(env, key.id), (authority: KeyAuthority) => void (authority.clock = () => at));
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => useKey(i % 2 ? secret : next)));
    expect(statuses(responses)).toEqual({ 200: 10, 429: 10 });
  });

  it("keeps the limiter state when the Durable Object is evicted and restarted", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    await Promise.all(Array.from({ length: 10 }, () => useKey(secret)));
    const stub = authorityFor(env, key.id);
    await evictDurableObject(stub);
    const admissions = await runInDurableObject(stub, (_instance: KeyAuthority, state) =>
      state.storage.sql.exec("SELECT count(*) AS n FROM admissions").one().n,
    );
    expect(admissions).toBe(10);
    expect((await useKey(secret)).status).toBe(429);
  });

  it("admits nothing once revoke has returned, with a burst in flight while it runs", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const inFlight = Array.from({ length: 30 }, () => useKey(secret));
    const revoke = call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    await Promise.all([...inFlight, revoke]);
    expect((await revoke).status).toBe(200);
    const after = await Promise.all(Array.from({ length: 50 }, () => useKey(secret)));
    expect(after.filter((r) => r.status === 200)).toHaveLength(0);
    // Refused as revoked, or shed as rate-limited while the burst window that the in-flight
    // requests filled is still full; never admitted.
    for (const r of after) expect([401, 429]).toContain(r.status);
    // 1.1 s later, past the burst window (moving the clocks of the check and of the key's object
    // instead of sleeping), the check /api/* runs refuses the key as revoked.
    const later = Date.now() + 1100;
    await runInDurableObject(authorityFor(env, key.id), (authority: KeyAuthority) => {
      authority.clock = () => later;
    });
    const check = await verifyApiKey(env, readConfig(env), { key: secret, throttleKey: null }, { now: () => later });
    expect(check).toEqual({ outcome: "refused", reason: "api_key_revoked" });
  });

  it("fails closed with 503 and Retry-After when the limiter cannot be reached", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const unreachable = {
      idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
      get: () => ({ verify: () => Promise.reject(new Error("Durable Object is overloaded")) }),
    } as unknown as Env["KEY_AUTHORITY"];
    const res = await useKey(secret, "/api/whoami", { env: { KEY_AUTHORITY: unreachable } });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(await res.json()).toMatchObject({ code: "limiter_unavailable" });
  });

  it("fails closed with 503 when the limiter does not answer within its 5 s deadline", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const hanging = {
      idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
      get: () => ({ verify: () => new Promise(() => {}) }),
    } as unknown as Env["KEY_AUTHORITY"];
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let answered = false;
    const pending = useKey(secret, "/api/whoami", { env: { KEY_AUTHORITY: hanging } }).finally(() => (answered = true));
    // The README promises 5 s: drive the check's timer there instead of sleeping.
    await deadlineArmed();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(answered).toBe(true);
    const res = await pending;
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(await res.json()).toMatchObject({ code: "limiter_unavailable" });
  });
});

/** Waits (on the real clock, a few ms) until the check has armed its one fake timer: its deadline. */
async function deadlineArmed(): Promise<void> {
  for (let i = 0; i < 1000 && vi.getTimerCount() === 0; i++) await scheduler.wait(1);
  expect(vi.getTimerCount()).toBe(1);
}
