import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { readConfig } from "../../../worker/config";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { verifyApiKey } from "../../../worker/verify/key-verification";
import { call, createKey, putUser, user, useKey } from "../helpers/api";
import { countingAuthority } from "../helpers/instruments";
import { keyFor } from "../helpers/keys";
import { digestOf, setChainClock, statusCounts, usageOf } from "./usage-helpers";

afterEach(() => vi.restoreAllMocks());

const zero = { admitted: 0, rateLimited: 0, refused: 0 };

describe("a key's usage counters", () => {
  it("count exactly 10 admitted and 40 rate-limited of 50 concurrent requests", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const responses = await Promise.all(Array.from({ length: 50 }, () => useKey(secret)));
    expect(statusCounts(responses)).toEqual({ 200: 10, 429: 40 });
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 10, rateLimited: 40, refused: 0 });
  });

  it("count N admitted, M rate-limited and K revoked refusals exactly as the client saw them", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const first = await Promise.all(Array.from({ length: 16 }, () => useKey(secret)));
    expect(statusCounts(first)).toEqual({ 200: 10, 429: 6 });
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token })).status).toBe(200);
    // Past the burst window, where this isolate's memory of the limit ends: every request below
    // reaches the key's object, which answers revoked.
    await scheduler.wait(1100);
    const revoked = await Promise.all(Array.from({ length: 3 }, () => useKey(secret)));
    expect(revoked.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(((await revoked[0]!.json()) as { code: string }).code).toBe("api_key_revoked");
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 10, rateLimited: 6, refused: 3 });
  });

  it("count the right secret of an expired key as refused", async () => {
    const alice = await user();
    const expiresAt = Date.now() + 120_000;
    const { key, secret } = await createKey(alice, { expiresAt: new Date(expiresAt).toISOString() });
    expect((await useKey(secret)).status).toBe(200);
    await setChainClock(key.id, expiresAt + 1000);
    for (let i = 0; i < 4; i++) expect(await (await useKey(secret)).json()).toMatchObject({ code: "api_key_expired" });
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 1, rateLimited: 0, refused: 4 });
  });

  it("count the requests of a deactivated creator's key as refused", async () => {
    const alice = await user();
    const admin = await user({ orgId: alice.orgId, permissions: ["api_keys:admin"] });
    const { key, secret } = await createKey(alice);
    await putUser(alice.orgId, alice.userId, { permissions: alice.permissions, active: false });
    expect((await useKey(secret)).status).toBe(403);
    expect((await useKey(secret)).status).toBe(403);
    expect((await usageOf(admin, key.id)).totals).toEqual({ admitted: 0, rateLimited: 0, refused: 2 });
  });

  it("count a request admitted and then refused for a missing permission as admitted", async () => {
    const alice = await user({ permissions: ["contacts:write"] });
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret, "/api/contacts")).status).toBe(403);
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 1, rateLimited: 0, refused: 0 });
  });

  it("never count a wrong secret against the key, whose holder gets the generic 401", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    for (let i = 0; i < 5; i++) {
      const res = await useKey(await keyFor({ id: key.id }));
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    }
    const usage = await usageOf(alice, key.id);
    expect(usage.totals).toEqual(zero);
    expect(usage.lastUsedAt).toBeNull();
  });

  it("count the 429s an isolate sheds from memory, delivered to the object in one call", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect(statusCounts(await Promise.all(Array.from({ length: 11 }, () => useKey(secret))))).toEqual({ 200: 10, 429: 1 });
    const authority = countingAuthority();
    const shed = await Promise.all(Array.from({ length: 30 }, () => useKey(secret, "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } })));
    expect(statusCounts(shed)).toEqual({ 429: 30 });
    expect(authority.calls()).toBe(1);
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 10, rateLimited: 31, refused: 0 });
  });

  it("are kept by the object itself when a check cannot leave work behind (no waitUntil): it asks the object instead of shedding", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect(statusCounts(await Promise.all(Array.from({ length: 11 }, () => useKey(secret))))).toEqual({ 200: 10, 429: 1 });
    const authority = countingAuthority();
    const bound = { ...env, KEY_AUTHORITY: authority.binding } as Env;
    for (let i = 0; i < 3; i++) {
      expect(await verifyApiKey(bound, readConfig(env), { key: secret, throttleKey: null })).toMatchObject({ outcome: "refused", reason: "rate_limited" });
    }
    expect(authority.calls()).toBe(3);
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 10, rateLimited: 4, refused: 0 });
  });

  it("apply a batch of shed 429s once, however often it is delivered", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const digest = await digestOf(secret);
    // Shed 429s come from an isolate that met the key's limit, so its chain is placed.
    expect((await useKey(secret)).status).toBe(200);
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const batch = { id: "batch-once", minutes: [[minute, 7]] as Array<[number, number]> };
    await runInDurableObject(authorityFor(env, key.id), (authority: KeyAuthority) => {
      authority.countShed(key.id, digest, batch);
      authority.countShed(key.id, digest, batch);
    });
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 1, rateLimited: 7, refused: 0 });
  });

  it("refuse shed counts sent with a wrong secret's digest", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const digest = await digestOf(await keyFor({ id: key.id }));
    await runInDurableObject(authorityFor(env, key.id), (authority: KeyAuthority) =>
      authority.countShed(key.id, digest, { id: "forged", minutes: [[Math.floor(Date.now() / 60_000) * 60_000, 1000]] }),
    );
    expect((await usageOf(alice, key.id)).totals).toEqual(zero);
  });

  it("belong to each key of a rotation: the old key reports its own requests, not its successor's", async () => {
    const alice = await user();
    const { key: old, secret: oldSecret } = await createKey(alice);
    const rotated = await call("POST", `/v1/keys/${old.id}/rotate`, { token: alice.token, json: { graceSeconds: 600 } });
    const { key: next, secret: nextSecret } = (await rotated.json()) as { key: { id: string }; secret: string };
    for (let i = 0; i < 3; i++) expect((await useKey(oldSecret)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await useKey(nextSecret)).status).toBe(200);
    expect((await usageOf(alice, old.id)).totals).toEqual({ admitted: 3, rateLimited: 0, refused: 0 });
    expect((await usageOf(alice, next.id)).totals).toEqual({ admitted: 5, rateLimited: 0, refused: 0 });
  });

  it("keep exact counts when the key's Durable Object is evicted and restarted", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect(statusCounts(await Promise.all(Array.from({ length: 12 }, () => useKey(secret))))).toEqual({ 200: 10, 429: 2 });
    const stub = authorityFor(env, key.id);
    await evictDurableObject(stub);
    expect((await usageOf(alice, key.id)).totals).toEqual({ admitted: 10, rateLimited: 2, refused: 0 });
    // Past the burst window, where this isolate's memory of the limit ends too.
    await scheduler.wait(1100);
    expect((await useKey(secret)).status).toBe(200);
    await evictDurableObject(stub);
    const after = await usageOf(alice, key.id);
    expect(after.totals).toEqual({ admitted: 11, rateLimited: 2, refused: 0 });
    expect(after.lastUsedAt).not.toBeNull();
  });
});
