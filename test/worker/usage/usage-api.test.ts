import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { randomBase62 } from "../../../worker/crypto/base62";
import { KEY_ID_LENGTH } from "../../../worker/keys/key-format";
import { admin, call, createKey, type KeyJson, snapshotTables, unique, user, useKey } from "../helpers/api";
import { getUsage, usageOf, usageRows } from "./usage-helpers";

afterEach(() => vi.restoreAllMocks());

/** A problem response without its per-request id. */
async function problemOf(res: Response) {
  const { requestId, ...problem } = (await res.json()) as { requestId: string; code: string; errors?: Array<{ field: string; message: string }> };
  expect(requestId).toMatch(/^req_/);
  return { status: res.status, type: res.headers.get("Content-Type"), problem };
}

describe("GET /v1/keys/{id}/usage", () => {
  it("answers a key that was never used with zero buckets and no last use", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const usage = await usageOf(alice, key.id);
    expect(usage).toMatchObject({ keyId: key.id, window: "24h", resolution: "hour", bucketSeconds: 3600, lastUsedAt: null });
    expect(usage.totals).toEqual({ admitted: 0, rateLimited: 0, refused: 0 });
    expect(usage.buckets.every((b) => b.admitted + b.rateLimited + b.refused === 0)).toBe(true);
  });

  it("gives the exact last use, as GET /v1/keys/{id} does, and no-store", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    const res = await getUsage(alice, key.id, "window=7d");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const { lastUsedAt } = (await res.json()) as { lastUsedAt: string };
    const viaGet = (await (await call("GET", `/v1/keys/${key.id}`, { token: alice.token })).json()) as { key: KeyJson };
    expect(lastUsedAt).toBe(viaGet.key.lastUsedAt);
    expect(lastUsedAt).not.toBeNull();
  });

  it("shows a member their own key and an admin every key of the org", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    expect((await usageOf(alice, key.id)).totals.admitted).toBe(1);
    expect((await usageOf(await admin(alice.orgId), key.id)).totals.admitted).toBe(1);
  });

  it("answers another member's key, another org's key and a forged id with the same 404 as a key that does not exist", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const colleague = await user({ orgId: alice.orgId });
    const stranger = await admin(unique("org_other"));
    const missing = await problemOf(await getUsage(stranger, randomBase62(KEY_ID_LENGTH)));
    expect(missing).toMatchObject({ status: 404, type: "application/problem+json", problem: { code: "not_found" } });
    expect(await problemOf(await getUsage(colleague, key.id))).toEqual(missing);
    expect(await problemOf(await getUsage(stranger, key.id))).toEqual(missing);
    expect(await problemOf(await getUsage(alice, "not-a-key-id"))).toEqual(missing);
    expect(await problemOf(await getUsage(alice, `${key.id.slice(0, -1)}${key.id.at(-1) === "a" ? "b" : "a"}`))).toEqual(missing);
  });

  it("refuses an invalid window, an unknown resolution, minutes beyond 24 hours and unknown parameters with 422, changing nothing", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    const before = { tables: await snapshotTables(), rows: await usageRows(key.id) };
    for (const [query, field] of [
      ["window=1h", "window"],
      ["window=", "window"],
      ["window=24H", "window"],
      ["resolution=second", "resolution"],
      ["window=7d&resolution=minute", "resolution"],
      ["window=30d&resolution=minute", "resolution"],
      ["from=2026-01-01T00:00:00Z", "query"],
      ["window=24h&__proto__=x", "query"],
    ] as const) {
      const { status, type, problem } = await problemOf(await getUsage(alice, key.id, query));
      expect({ status, type, code: problem.code }, query).toEqual({ status: 422, type: "application/problem+json", code: "validation_failed" });
      expect(problem.errors?.map((e) => e.field), query).toContain(field);
    }
    expect({ tables: await snapshotTables(), rows: await usageRows(key.id) }).toEqual(before);
  });

  it("explains why minutes go with 24h only", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const { problem } = await problemOf(await getUsage(alice, key.id, "window=7d&resolution=minute"));
    expect(problem.errors).toEqual([{ field: "resolution", message: expect.stringMatching(/only available with window 24h/) }]);
  });

  it("answers 503 limiter_unavailable with Retry-After when the key's object cannot be reached (D1 holds no counts)", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200); // placed: its counts are in its object now
    vi.spyOn(console, "error").mockImplementation(() => {});
    const unreachable = {
      idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
      get: () => ({ usage: () => Promise.reject(new Error("unreachable")) }),
    } as unknown as Env["KEY_AUTHORITY"];
    const res = await call("GET", `/v1/keys/${key.id}/usage`, { token: alice.token, env: { KEY_AUTHORITY: unreachable } });
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(await problemOf(res)).toMatchObject({ status: 503, type: "application/problem+json", problem: { code: "limiter_unavailable" } });
  });

  it("requires a signed-in user", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const res = await call("GET", `/v1/keys/${key.id}/usage`);
    expect(res.status).toBe(401);
  });
});
