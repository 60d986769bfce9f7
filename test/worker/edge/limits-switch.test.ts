import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, createKey, type KeyJson, user, useKey } from "../helpers/api";
import { chainRows, setCeiling, statuses } from "../helpers/key-terms";

const HOURLY = [
  { name: "burst", limit: 10, windowSeconds: 1 },
  { name: "hourly", limit: 5, windowSeconds: 3600 },
];
const PER_MINUTE = [{ name: "minute", limit: 1, windowSeconds: 60 }];

describe("a PATCH that drops a key's long window, then brings it back", () => {
  it("succeeds both times, applies every field, and keeps no rows of the dropped track", async () => {
    const alice = await user();
    await setCeiling(alice.orgId, [
      { windowSeconds: 1, limit: 10 },
      { windowSeconds: 3600, limit: 60 },
    ]);
    const { key, secret } = await createKey(alice, { limits: HOURLY });
    expect(statuses(await Promise.all(Array.from({ length: 3 }, () => useKey(secret))))).toEqual({ 200: 3 });
    expect(await chainRows(key.id, "limiter_buckets")).toBeGreaterThan(0);
    const off = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { name: "per minute", limits: PER_MINUTE } });
    expect(off.status).toBe(200);
    // No policy counts in buckets any more: none is kept.
    expect(await chainRows(key.id, "limiter_buckets")).toBe(0);
    const on = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { name: "hourly again", limits: HOURLY } });
    expect(on.status, await on.clone().text()).toBe(200);
    expect(((await on.json()) as { key: KeyJson }).key).toMatchObject({ name: "hourly again", limits: HOURLY });
    const res = await useKey(secret);
    expect(res.headers.get("RateLimit-Policy")).toBe('"burst";q=10;w=1, "hourly";q=5;w=3600');
    expect(((await res.json()) as { key: { name: string } }).key.name).toBe("hourly again");
    // The 3 admissions of the last minute count in the hour again (rebuilt from them): 1 more fits.
    await evictDurableObject(authorityFor(env, key.id));
    expect(statuses(await Promise.all(Array.from({ length: 4 }, () => useKey(secret))))).toEqual({ 200: 1, 429: 3 });
    const events = await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE key_id = ? AND action = 'key.updated'").bind(key.id).first("n");
    expect(events).toBe(2);
  });
});
