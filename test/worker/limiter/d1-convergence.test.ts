import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { Outbox } from "../../../worker/authority/outbox";
import { userAuthorityFor } from "../../../worker/authority/user-authority-client";
import { call, createKey, type KeyJson, useKey, user } from "../helpers/api";

/** Makes D1 refuse writes to a table for real, the way an outage or a bad deploy would. */
async function failWrites(table: string, event: "INSERT" | "UPDATE"): Promise<void> {
  await env.DB.exec(`CREATE TRIGGER fail_${table}_${event} BEFORE ${event} ON ${table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
}

/**
 * D1 as the object sees it when a write commits but the answer is lost on the way back (a reset
 * connection, an eviction mid-call): the batch lands, and the caller hears an error.
 */
function answerLost(db: D1Database): D1Database {
  return {
    prepare: (query: string) => db.prepare(query),
    batch: async (statements: D1PreparedStatement[]) => {
      await db.batch(statements);
      throw new Error("connection reset after commit");
    },
  } as unknown as D1Database;
}

/** How many D1 writes a key's object still owes. */
function owed(stub: DurableObjectStub<KeyAuthority>): Promise<number> {
  return runInDurableObject(stub, (_authority: KeyAuthority, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n);
}

afterEach(async () => {
  vi.restoreAllMocks();
  for (const trigger of ["fail_api_keys_INSERT", "fail_api_keys_UPDATE"]) await env.DB.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
});

describe("D1 after a committed Durable Object write", () => {
  it("refuses a create with 503 storage_unavailable when D1 can't take the key's row: no key, nothing placed, its place in the cap freed", async () => {
    // D1 is where a new key lives until its first request places its chain: no row, no key.
    const alice = await user();
    await call("GET", "/v1/keys", { token: alice.token });
    await failWrites("api_keys", "INSERT");
    vi.spyOn(console, "error").mockImplementation(() => {});
    const before = await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE org_id = ?").bind(alice.orgId).first("n");
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "during outage" } });
    expect(res.status).toBe(503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(await res.json()).toMatchObject({ code: "storage_unavailable" });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE org_id = ?").bind(alice.orgId).first("n")).toBe(0);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE org_id = ?").bind(alice.orgId).first("n")).toBe(before);
    await env.DB.exec("DROP TRIGGER fail_api_keys_INSERT");
    const state = await runInDurableObject(userAuthorityFor(env, { orgId: alice.orgId, userId: alice.userId }), (_ua, ctx: DurableObjectState) =>
      ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM owned_keys").one().n,
    );
    expect(state, "the reservation was released").toBe(0);
    expect((await call("POST", "/v1/keys", { token: alice.token, json: { name: "after" } })).status).toBe(201);
  });

  it("revokes at the edge at once even when D1 cannot record it, and D1 converges later", async () => {
    const alice = await user();
    const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "to revoke" } });
    const { key, secret } = (await created.json()) as { key: KeyJson; secret: string };
    expect((await useKey(secret)).status).toBe(200); // placed: the object holds the key
    await failWrites("api_keys", "UPDATE");
    const revoked = await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    expect(revoked.status).toBe(200);
    expect(await (await useKey(secret)).json()).toMatchObject({ code: "api_key_revoked" });
    expect(await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(key.id).first("revoked_at")).toBeNull();

    await env.DB.exec("DROP TRIGGER fail_api_keys_UPDATE");
    await runDurableObjectAlarm(authorityFor(env, key.id));
    const stored = (await (await call("GET", `/v1/keys/${key.id}`, { token: alice.token })).json()) as { key: KeyJson };
    expect(stored.key.status).toBe("revoked");
    expect(stored.key.revokedAt).toBe(((await revoked.json()) as { key: KeyJson }).key.revokedAt);
  });

  it("writes each owed change once, however often the retry runs", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    await failWrites("api_keys", "UPDATE");
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token })).status).toBe(200);
    await env.DB.exec("DROP TRIGGER fail_api_keys_UPDATE");
    const stub = authorityFor(env, key.id);
    const rows = () =>
      env.DB.batch([
        env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE id = ? AND revoked_at IS NOT NULL").bind(key.id),
        env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE key_id = ? AND action = 'key.revoked'").bind(key.id),
      ]).then((counts) => counts.map((c) => (c.results[0] as { n: number }).n));
    expect([await rows(), await owed(stub)]).toEqual([[0, 0], 2]);

    // Twice D1 commits the owed writes and the object never hears of it, so it still owes them.
    for (let i = 0; i < 2; i++) {
      expect(await runInDurableObject(stub, (_authority: KeyAuthority, state) => new Outbox(state.storage.sql, { ...env, DB: answerLost(env.DB) }).flush())).toBe(false);
    }
    expect([await rows(), await owed(stub)]).toEqual([[1, 1], 2]);
    const revokedAt = () => env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(key.id).first("revoked_at");
    const written = await revokedAt();

    // The alarm's retry replays them over the rows that are already there: no duplicate, no error, nothing left owed.
    await runDurableObjectAlarm(stub);
    expect([await rows(), await owed(stub)]).toEqual([[1, 1], 0]);
    expect(await revokedAt()).toBe(written);
    const events = await env.DB.prepare("SELECT action FROM audit_events WHERE key_id = ? ORDER BY at, action").bind(key.id).all();
    expect(events.results).toEqual([{ action: "key.created" }, { action: "key.revoked" }]);
  });
});

describe("last used", () => {
  it("is exact in GET /v1/keys/{id} at once and reaches the list when the alarm flushes it", async () => {
    const alice = await user();
    const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "used" } });
    const { key, secret } = (await created.json()) as { key: KeyJson; secret: string };
    const before = Date.now();
    await useKey(secret);
    const one = (await (await call("GET", `/v1/keys/${key.id}`, { token: alice.token })).json()) as { key: KeyJson };
    expect(Date.parse(one.key.lastUsedAt!)).toBeGreaterThanOrEqual(before - 1000);
    const listedBefore = (await (await call("GET", "/v1/keys", { token: alice.token })).json()) as { keys: KeyJson[] };
    expect(listedBefore.keys[0]!.lastUsedAt).toBeNull();

    expect(await runDurableObjectAlarm(authorityFor(env, key.id))).toBe(true);
    const listedAfter = (await (await call("GET", "/v1/keys", { token: alice.token })).json()) as { keys: KeyJson[] };
    expect(listedAfter.keys[0]!.lastUsedAt).toBe(one.key.lastUsedAt);
  });

  it("schedules one flush for many uses, and none once they are flushed", async () => {
    const alice = await user();
    const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "busy" } });
    const { key, secret } = (await created.json()) as { key: KeyJson; secret: string };
    const stub = authorityFor(env, key.id);
    // Watch every alarm the object sets, and drive its clock: five uses, one second apart.
    const setAlarm = await runInDurableObject(stub, (_authority: KeyAuthority, state) => vi.spyOn(state.storage, "setAlarm"));
    const start = Date.now();
    for (let i = 0; i < 5; i++) {
      await runInDurableObject(stub, (authority: KeyAuthority) => {
        authority.clock = () => start + i * 1000;
      });
      expect((await useKey(secret)).status).toBe(200);
    }
    const alarm = () => runInDurableObject(stub, (_authority: KeyAuthority, state) => state.storage.getAlarm());
    // One alarm, set by the first use and not pushed back by the later ones (the flush lags at most 30 s).
    expect(setAlarm.mock.calls).toEqual([[start + 30_000]]);
    expect(await alarm()).toBe(start + 30_000);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const flushed = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").bind(key.id).first("last_used_at");
    expect(flushed).toBe(start + 4000);
    expect(setAlarm.mock.calls).toHaveLength(1);
    expect(await alarm()).toBeNull();
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("falls back to D1's copy in GET /v1/keys/{id} when the key's object cannot be reached", async () => {
    const alice = await user();
    const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "fallback" } });
    const { key, secret } = (await created.json()) as { key: KeyJson; secret: string };
    await useKey(secret);
    await runDurableObjectAlarm(authorityFor(env, key.id));
    const unreachable = {
      idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
      get: () => ({ lastUsed: () => Promise.reject(new Error("unreachable")) }),
    } as unknown as Env["KEY_AUTHORITY"];
    const res = await call("GET", `/v1/keys/${key.id}`, { token: alice.token, env: { KEY_AUTHORITY: unreachable } });
    expect(res.status).toBe(200);
    const flushed = await env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").bind(key.id).first<number>("last_used_at");
    expect(((await res.json()) as { key: KeyJson }).key.lastUsedAt).toBe(new Date(flushed!).toISOString());
  });
});
