import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, type KeyJson, useKey, user } from "../helpers/api";

/** Makes D1 refuse writes to a table for real, the way an outage or a bad deploy would. */
async function failWrites(table: string, event: "INSERT" | "UPDATE"): Promise<void> {
  await env.DB.exec(`CREATE TRIGGER fail_${table}_${event} BEFORE ${event} ON ${table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`);
}

afterEach(async () => {
  for (const trigger of ["fail_api_keys_INSERT", "fail_api_keys_UPDATE"]) await env.DB.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
});

describe("D1 after a committed Durable Object write", () => {
  it("still delivers a created key that works when the D1 write fails, and converges on the alarm's retry", async () => {
    const alice = await user();
    await call("GET", "/v1/keys", { token: alice.token });
    await failWrites("api_keys", "INSERT");
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "during outage" } });
    expect(res.status).toBe(201);
    const { key, secret } = (await res.json()) as { key: KeyJson; secret: string };
    expect((await useKey(secret)).status).toBe(200);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE id = ?").bind(key.id).first("n")).toBe(0);

    await env.DB.exec("DROP TRIGGER fail_api_keys_INSERT");
    expect(await runDurableObjectAlarm(authorityFor(env, key.id))).toBe(true);
    const listed = (await (await call("GET", "/v1/keys", { token: alice.token })).json()) as { keys: KeyJson[] };
    expect(listed.keys.map((k) => k.id)).toEqual([key.id]);
    const events = await env.DB.prepare("SELECT action FROM audit_events WHERE key_id = ?").bind(key.id).all();
    expect(events.results).toEqual([{ action: "key.created" }]);
  });

  it("revokes at the edge at once even when D1 cannot record it, and D1 converges later", async () => {
    const alice = await user();
    const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "to revoke" } });
    const { key, secret } = (await created.json()) as { key: KeyJson; secret: string };
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
    await call("GET", "/v1/keys", { token: alice.token });
    await failWrites("api_keys", "INSERT");
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "idempotent" } });
    const { key } = (await res.json()) as { key: KeyJson };
    await env.DB.exec("DROP TRIGGER fail_api_keys_INSERT");
    const stub = authorityFor(env, key.id);
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    const counts = await env.DB.batch([
      env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE id = ?").bind(key.id),
      env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE key_id = ?").bind(key.id),
    ]);
    expect(counts.map((c) => (c.results[0] as { n: number }).n)).toEqual([1, 1]);
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
    for (let i = 0; i < 5; i++) await useKey(secret);
    const stub = authorityFor(env, key.id);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
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
