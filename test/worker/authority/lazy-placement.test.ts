// Issue 12: creating a key doesn't place its chain; the first request does, and every guarantee
// (first request works, revocation instant, deactivation and permission changes reach the chain,
// exact limits) holds before, during and after that first load.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { admin, call, createKey, putUser, refreshed, useKey, user } from "../helpers/api";
import { countD1Reads, countingAuthority } from "../helpers/instruments";
import { keyFor } from "../helpers/keys";

afterEach(() => vi.restoreAllMocks());

/** The chain object's tables (none: no key was ever taken on there) and its own record of its placement. */
function inspect(keyId: string) {
  return runInDurableObject(authorityFor(env, keyId), (authority: KeyAuthority, state: DurableObjectState) => ({
    tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray().length,
    placement: authority.placement(),
  }));
}

/** D1's `placed_at` of a key. */
async function placedAt(keyId: string): Promise<number | null> {
  return (await env.DB.prepare("SELECT placed_at FROM api_keys WHERE id = ?").bind(keyId).first<{ placed_at: number | null }>())!.placed_at;
}

describe("creating a key", () => {
  it("makes no call to the chain's object: no object, no tables, placed_at null", async () => {
    const alice = await user();
    const authority = countingAuthority();
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "CRM" }, env: { KEY_AUTHORITY: authority.binding } });
    expect(res.status).toBe(201);
    const { key } = (await res.json()) as { key: { id: string; region: string | null } };
    expect(authority.calls()).toBe(0);
    expect(key.region).toBeNull();
    expect(await placedAt(key.id)).toBeNull();
    expect((await inspect(key.id)).tables).toBe(0);
  });

  it("lets reads of the new key (get, list, usage) leave the object unplaced", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const authority = countingAuthority();
    const options = { token: alice.token, env: { KEY_AUTHORITY: authority.binding } };
    expect((await call("GET", `/v1/keys/${key.id}`, options)).status).toBe(200);
    expect((await call("GET", "/v1/keys", options)).status).toBe(200);
    const usage = await call("GET", `/v1/keys/${key.id}/usage?window=24h`, options);
    expect(usage.status).toBe(200);
    expect(((await usage.json()) as { totals: unknown }).totals).toEqual({ admitted: 0, rateLimited: 0, refused: 0 });
    expect(authority.calls()).toBe(0);
    expect((await inspect(key.id)).tables).toBe(0);
  });
});

describe("the first use", () => {
  it("works on the very first request, with one D1 read; the next requests make none", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const { key, secret } = await createKey(alice);
    const queries = countD1Reads();
    const first = await useKey(secret);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ key: { id: key.id }, permissions: ["contacts:read"] });
    // One statement on D1's primary: the key's row, marked placed.
    expect(queries()).toBe(1);
    vi.restoreAllMocks();
    const later = countD1Reads();
    for (let i = 0; i < 5; i++) expect((await useKey(secret)).status).toBe(200);
    expect(later()).toBe(0);
    const { placement, tables } = await inspect(key.id);
    expect(tables).toBeGreaterThan(0);
    expect(placement).toMatchObject({ cause: "use", hint: null, keyId: key.id });
  });

  it("tells D1 the chain is placed in the same statement, after which reads ask the object", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    expect(await placedAt(key.id)).not.toBeNull();
    const res = await call("GET", `/v1/keys/${key.id}/usage?window=24h`, { token: alice.token });
    expect(((await res.json()) as { totals: { admitted: number } }).totals.admitted).toBe(1);
  });

  it("loads once for 50 concurrent first uses and admits exactly 10", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const queries = countD1Reads();
    const statuses = await Promise.all(Array.from({ length: 50 }, () => useKey(secret).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect(queries()).toBe(1);
  });

  it("with a wrong secret places nothing, answers the generic 401, and costs one D1 read however often (and however) it is tried", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const queries = countD1Reads();
    for (let i = 0; i < 3; i++) {
      const res = await useKey(await keyFor({ id: key.id }));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "invalid_api_key" });
    }
    expect(queries()).toBe(1);
    expect((await inspect(key.id)).tables).toBe(0);
    expect(await placedAt(key.id)).toBeNull();
    expect((await useKey(secret)).status).toBe(200);
  });
});

describe("revocation before and during the first use", () => {
  it("holds when the key is revoked before its first request", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json: {} })).status).toBe(200);
    const res = await useKey(secret);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "api_key_revoked" });
    // The revoke placed the chain (where the admin is: a revoked key needs no speed).
    expect((await inspect(key.id)).placement).toMatchObject({ cause: "revoke" });
  });

  it("holds when the revoke races the first use's load: nothing is admitted after it returns", async () => {
    for (let round = 0; round < 5; round++) {
      const alice = await user();
      const { key, secret } = await createKey(alice);
      const firsts = Array.from({ length: 5 }, () => useKey(secret).then((r) => r.status));
      const revoked = await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json: {} });
      expect(revoked.status).toBe(200);
      const after = await Promise.all(Array.from({ length: 5 }, () => useKey(secret).then((r) => r.status)));
      expect(after).toEqual([401, 401, 401, 401, 401]);
      for (const status of await Promise.all(firsts)) expect([200, 401]).toContain(status);
    }
  });
});

describe("user changes before the first use", () => {
  it("a deactivation made before the first request holds", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    expect((await putUser(alice.orgId, alice.userId, { permissions: alice.permissions, active: false })).status).toBe(200);
    const res = await useKey(secret);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "user_deactivated" });
  });

  it("the coordinator doesn't push to an unplaced chain (no object), and a permission change reaches it when placed", async () => {
    const alice = await user({ permissions: ["contacts:read", "contacts:write"] });
    const { key, secret } = await createKey(alice);
    const demoted = await refreshed(alice, { permissions: ["contacts:read"] });
    expect((await call("GET", "/v1/me", { token: demoted.token })).status).toBe(200);
    expect((await inspect(key.id)).tables).toBe(0);
    const res = await useKey(secret);
    expect(await res.json()).toMatchObject({ permissions: ["contacts:read"] });
    // Placed now: the next change is pushed to it.
    expect((await putUser(alice.orgId, alice.userId, { permissions: [], active: false })).status).toBe(200);
    expect((await useKey(secret)).status).toBe(403);
  });
});

describe("region", () => {
  it("places the chain at creation with the location hint, recorded by the object itself", async () => {
    const alice = await user();
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "EU integration", region: "weur" } });
    expect(res.status).toBe(201);
    const { key, secret } = (await res.json()) as { key: { id: string; region: string }; secret: string };
    expect(key.region).toBe("weur");
    expect((await inspect(key.id)).placement).toMatchObject({ cause: "region", hint: "weur", keyId: key.id });
    const queries = countD1Reads();
    expect((await useKey(secret)).status).toBe(200);
    expect(queries(), "placed already: the first use needs no load").toBe(0);
  });

  it("refuses an unknown region with 422 and creates nothing", async () => {
    const alice = await user();
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "X", region: "mars" } });
    expect(res.status).toBe(422);
    const list = await call("GET", "/v1/keys", { token: alice.token });
    expect(((await list.json()) as { keys: unknown[] }).keys).toHaveLength(0);
  });

  it("`auto` is the default and places nothing", async () => {
    const alice = await user();
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "X", region: "auto" } });
    const { key } = (await res.json()) as { key: { id: string; region: string | null } };
    expect(key.region).toBeNull();
    expect((await inspect(key.id)).tables).toBe(0);
  });
});

describe("rotation and edits of an unused key", () => {
  it("rotating a key never used places the chain and both keys work", async () => {
    const org = await admin(`org_${crypto.randomUUID()}`);
    const { key, secret } = await createKey(org);
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: org.token, json: {} });
    expect(res.status).toBe(201);
    const rotated = (await res.json()) as { secret: string };
    expect((await useKey(rotated.secret)).status).toBe(200);
    expect((await useKey(secret)).status).toBe(200);
    expect((await inspect(key.id)).placement).toMatchObject({ cause: "rotate" });
  });

  it("an edit before the first use holds at the first use", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
    const res = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { name: "Renamed" } });
    expect(res.status).toBe(200);
    expect(await (await useKey(secret)).json()).toMatchObject({ key: { name: "Renamed" } });
  });
});
