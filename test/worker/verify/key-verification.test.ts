import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../../../worker/config";
import { verifyApiKey } from "../../../worker/verify/key-verification";
import { createKey, randomAddress, user } from "../helpers/api";
import { keyFor } from "../helpers/keys";

/** The check itself, called as a function: what /api/*, /v1/verify and the binding share. */
const check = (key: string, options: { permission?: string; throttleKey?: string | null } = {}) =>
  verifyApiKey(env, readConfig(env), { key, permission: options.permission, throttleKey: options.throttleKey ?? null });

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("verifyApiKey: the outcome as a value", () => {
  it("admits with the identity and the usage after this admission", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const { key, secret } = await createKey(alice, { name: "Sync" });
    const result = await check(secret);
    expect(result).toMatchObject({
      outcome: "admitted",
      identity: { keyId: key.id, keyName: "Sync", orgId: alice.orgId, userId: alice.userId, permissions: ["contacts:read"] },
    });
    if (result.outcome !== "admitted") throw new Error("not admitted");
    expect(result.usage.map((u) => [u.policy.name, u.remaining])).toEqual([["burst", 9], ["minute", 99]]);
  });

  it("refuses a missing permission after counting the admission, like requirePermission at /api/*", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const { secret } = await createKey(alice);
    expect(await check(secret, { permission: "contacts:write" })).toMatchObject({ outcome: "refused", reason: "forbidden", permission: "contacts:write" });
    expect(await check(secret)).toMatchObject({ outcome: "admitted", usage: [{ remaining: 8 }, { remaining: 98 }] });
  });

  it("names the policy and the instant a request would be admitted again", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    for (let i = 0; i < 10; i++) await check(secret);
    const result = await check(secret);
    expect(result).toMatchObject({ outcome: "refused", reason: "rate_limited", policy: "burst" });
    if (result.outcome === "refused" && result.reason === "rate_limited") expect(result.retryAt - result.now).toBeLessThanOrEqual(1000);
  });

  it("counts invalid keys against throttleKey only when there is one", async () => {
    const bucket = `test:${randomAddress()}`;
    const reasons: string[] = [];
    for (let i = 0; i < 51; i++) {
      const result = await check(await keyFor({ tag: "forged" }), { throttleKey: bucket });
      reasons.push(result.outcome === "refused" ? result.reason : result.outcome);
    }
    expect(reasons).toEqual([...Array(50).fill("invalid_api_key"), "too_many_failed_attempts"]);
    expect(await check(await keyFor(), { throttleKey: bucket })).toEqual({ outcome: "refused", reason: "too_many_failed_attempts", retryAfterSeconds: 60 });
    expect(await check(await keyFor({ tag: "forged" }))).toEqual({ outcome: "refused", reason: "invalid_api_key" });
  });

  it("fails closed as limiter_unavailable when the object throws", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = {
      ...env,
      KEY_AUTHORITY: {
        idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
        get: () => ({
          verify: () => {
            throw new Error("synchronous failure");
          },
        }),
      },
    } as unknown as Env;
    expect(await verifyApiKey(broken, readConfig(env), { key: secret, throttleKey: null })).toEqual({
      outcome: "refused",
      reason: "limiter_unavailable",
      retryAfterSeconds: 1,
    });
    vi.restoreAllMocks();
  });

  it("fails closed as limiter_unavailable after the deadline it is given, not before", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const silent = {
      ...env,
      KEY_AUTHORITY: {
        idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
        get: () => ({ verify: () => new Promise(() => {}) }),
      },
    } as unknown as Env;
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let settled = false;
    const pending = verifyApiKey(silent, readConfig(env), { key: secret, throttleKey: null }, { deadlineMs: 250 }).finally(() => (settled = true));
    // Wait (a few real ms) until the check has armed its one timer, then drive it.
    for (let i = 0; i < 1000 && vi.getTimerCount() === 0; i++) await scheduler.wait(1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(249);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect(await pending).toEqual({ outcome: "refused", reason: "limiter_unavailable", retryAfterSeconds: 1 });
  });
});
