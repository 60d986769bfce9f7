import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../../worker/dev";
import { admin, call, createKey, unique, user, useKey } from "../helpers/api";
import { DAY, usageOf, usageRows } from "./usage-helpers";

afterEach(() => vi.restoreAllMocks());

function simulate(token: string, keyId: string, json: unknown, env?: Partial<Env>): Promise<Response> {
  return call("POST", `/dev/keys/${keyId}/simulated-usage`, { token, json, env });
}

/** The same request addressed to a host that is not loopback. */
async function simulateAt(origin: string, token: string, keyId: string): Promise<Response> {
  const request = new Request(`${origin}/dev/keys/${keyId}/simulated-usage`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ days: 1 }),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

describe("POST /dev/keys/{id}/simulated-usage (local development)", () => {
  it("replays a month of traffic through the counters: the usage report shows every count, in bounded rows", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    const res = await simulate(alice.token, key.id, { days: 30 });
    expect(res.status).toBe(200);
    const { minutes, added } = (await res.json()) as { minutes: number; added: { admitted: number; rateLimited: number; refused: number } };
    expect(minutes).toBeGreaterThanOrEqual(30 * 1440);
    const month = await usageOf(alice, key.id, "window=30d");
    // The replay starts at the minute 30 days ago, inside the report's first day.
    expect(month.totals).toEqual({ admitted: added.admitted + 1, rateLimited: added.rateLimited, refused: added.refused });
    expect(month.buckets.slice(1).every((b) => b.admitted > 0 && b.refused === 1)).toBe(true);
    const rows = await usageRows(key.id);
    expect(rows.minutes.length).toBeLessThanOrEqual(25 * 60);
    expect(rows.hours.length).toBeLessThanOrEqual(31 * 24);
    expect(rows.hours[0]).toBeGreaterThanOrEqual(Math.floor((Date.now() - 31 * DAY) / DAY) * DAY);
    expect((await usageOf(alice, key.id, "window=24h&resolution=minute")).buckets.every((b) => b.admitted > 0)).toBe(true);
    expect((await usageOf(alice, key.id, "window=7d")).buckets.length).toBe(7 * 24 + 1);
  });

  it("replays for a key the caller may see, and answers 404 for anyone else's", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    expect((await simulate((await admin(alice.orgId)).token, key.id, { days: 1 })).status).toBe(200);
    expect((await simulate((await user({ orgId: alice.orgId })).token, key.id, { days: 1 })).status).toBe(404);
    expect((await simulate((await admin(unique("org_other"))).token, key.id, { days: 1 })).status).toBe(404);
  });

  it("refuses days outside 1–30 with 422 and replays nothing", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    for (const days of [0, 31, 1.5, "30"]) {
      const res = await simulate(alice.token, key.id, { days });
      expect(res.status).toBe(422);
    }
    expect(await usageRows(key.id)).toEqual({ minutes: [], hours: [] });
  });

  it("does not exist without DEV_LOGIN or away from a loopback host", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const res of [
      await simulate(alice.token, key.id, { days: 1 }, { DEV_LOGIN: "false" }),
      await simulate(alice.token, key.id, { days: 1 }, { DEV_LOGIN: undefined }),
      await simulateAt(`https://${unique("api")}.example.com`, alice.token, key.id),
    ]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: "not_found" });
    }
    expect(await usageRows(key.id)).toEqual({ minutes: [], hours: [] });
  });
});
