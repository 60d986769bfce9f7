import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { admin, call, createKey, type KeyJson, snapshotTables, type TestUser, unique, useKey, user } from "../helpers/api";
import { keyFor } from "../helpers/keys";
import { viaBinding, viaHttp } from "../verify/verify-helpers";

function patch(owner: TestUser, id: string, json: unknown): Promise<Response> {
  return call("PATCH", `/v1/keys/${id}`, { token: owner.token, json });
}

async function patched(owner: TestUser, id: string, json: unknown): Promise<KeyJson> {
  const res = await patch(owner, id, json);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

/** The key's pause and resume events in D1, oldest first, as action:actor. */
async function toggleEvents(keyId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    "SELECT action, actor_type || ':' || actor_id AS actor FROM audit_events WHERE key_id = ? AND action IN ('key.paused', 'key.resumed', 'key.updated') ORDER BY at, rowid",
  )
    .bind(keyId)
    .all<{ action: string; actor: string }>();
  return results.map((r) => `${r.action}:${r.actor}`);
}

async function code(res: Response): Promise<string> {
  return ((await res.json()) as { code: string }).code;
}

describe("pausing a key (PATCH enabled)", () => {
  it("refuses the right secret with 401 api_key_disabled until resumed; a wrong secret keeps the generic 401", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);

    const paused = await patched(alice, key.id, { enabled: false });
    expect(paused).toMatchObject({ id: key.id, enabled: false, status: "active" });
    const refused = await useKey(secret);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await code(refused)).toBe("api_key_disabled");

    const wrong = await useKey(await keyFor({ id: key.id }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe(GENERIC_UNAUTHORIZED_BODY);

    const resumed = await patched(alice, key.id, { enabled: true });
    expect(resumed.enabled).toBe(true);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("shows enabled on get and list, records key.paused and key.resumed once each, and nothing for a repeat", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    expect(key.enabled).toBe(true);
    await patched(alice, key.id, { enabled: false });
    await patched(alice, key.id, { enabled: false });
    const got = await call("GET", `/v1/keys/${key.id}`, { token: alice.token });
    expect(((await got.json()) as { key: KeyJson }).key).toMatchObject({ enabled: false, status: "active" });
    const listed = await call("GET", "/v1/keys?status=active", { token: alice.token });
    expect(((await listed.json()) as { keys: KeyJson[] }).keys.find((k) => k.id === key.id)?.enabled).toBe(false);
    await patched(alice, key.id, { enabled: true });
    await patched(alice, key.id, { enabled: true });
    expect(await toggleEvents(key.id)).toEqual([`key.paused:user:${alice.userId}`, `key.resumed:user:${alice.userId}`]);
  });

  it("records key.updated apart from key.paused when a rename comes with the pause", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const edited = await patched(alice, key.id, { enabled: false, name: "Paused CRM" });
    expect(edited).toMatchObject({ name: "Paused CRM", enabled: false });
    expect((await toggleEvents(key.id)).sort()).toEqual([`key.paused:user:${alice.userId}`, `key.updated:user:${alice.userId}`]);
  });

  it("creates a key paused with enabled: false", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { enabled: false });
    expect(key.enabled).toBe(false);
    expect(await code(await useKey(secret))).toBe("api_key_disabled");
    await patched(alice, key.id, { enabled: true });
    expect((await useKey(secret)).status).toBe(200);
  });

  it("admits nothing between the pause's answer and the resume's call, under concurrent load, and admits again after", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    const seen: Array<{ sent: number; status: number }> = [];
    let phase: "before" | "paused" | "resumed" | "done" = "before";
    const loop = async () => {
      while (phase !== "done") {
        const sent = performance.now();
        const res = await useKey(secret);
        seen.push({ sent, status: res.status });
        await res.arrayBuffer();
        await scheduler.wait(15);
      }
    };
    const loops = Array.from({ length: 4 }, loop);
    await scheduler.wait(150);
    await patched(alice, key.id, { enabled: false });
    const pausedAt = performance.now();
    phase = "paused";
    await scheduler.wait(300);
    const resumeCalledAt = performance.now();
    await patched(alice, key.id, { enabled: true });
    const resumedAt = performance.now();
    phase = "resumed";
    await scheduler.wait(150);
    phase = "done";
    await Promise.all(loops);

    const during = seen.filter((s) => s.sent >= pausedAt && s.sent < resumeCalledAt);
    expect(during.length).toBeGreaterThan(0);
    expect(during.filter((s) => s.status === 200)).toEqual([]);
    // 401 api_key_disabled, or a 429 an isolate still remembers from before the pause: never an admission.
    expect(during.every((s) => s.status === 401 || s.status === 429)).toBe(true);
    const after = seen.filter((s) => s.sent >= resumedAt);
    expect(after.every((s) => s.status === 200 || s.status === 429)).toBe(true);
    // Once the burst window has passed, the key is admitted as its limits allow.
    await scheduler.wait(1_100);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("counts a paused key's refusals as refused in its usage", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    await patched(alice, key.id, { enabled: false });
    for (let i = 0; i < 3; i++) expect((await useKey(secret)).status).toBe(401);
    expect((await useKey(await keyFor({ id: key.id }))).status).toBe(401);
    const res = await call("GET", `/v1/keys/${key.id}/usage?window=24h`, { token: alice.token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { totals: unknown }).totals).toEqual({ admitted: 1, rateLimited: 0, refused: 3 });
  });

  it("answers api_key_disabled through /v1/verify and the KeyVerifier binding", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    await patched(alice, key.id, { enabled: false });
    const http = await viaHttp({ key: secret });
    expect(await http.json()).toEqual({ valid: false, code: "api_key_disabled", detail: "This API key is paused." });
    expect(await viaBinding(secret)).toEqual({ valid: false, code: "api_key_disabled", detail: "This API key is paused." });
    expect(await viaBinding(await keyFor({ id: key.id }))).toMatchObject({ valid: false, code: "invalid_api_key" });
  });

  it("lets an admin pause a member's key, and no other member", async () => {
    const alice = await user();
    const bob = await user({ orgId: alice.orgId });
    const boss = await admin(alice.orgId);
    const { key, secret } = await createKey(alice);
    expect((await call("GET", "/v1/keys", { token: bob.token })).status).toBe(200); // bob is known before the snapshot
    const before = await snapshotTables();
    const refused = await patch(bob, key.id, { enabled: false });
    expect(refused.status).toBe(404);
    expect(await snapshotTables()).toBe(before);
    expect((await useKey(secret)).status).toBe(200);
    await patched(boss, key.id, { enabled: false });
    expect(await code(await useKey(secret))).toBe("api_key_disabled");
    expect(await toggleEvents(key.id)).toEqual([`key.paused:user:${boss.userId}`]);
    const foreign = await admin(unique("org"));
    expect((await patch(foreign, key.id, { enabled: true })).status).toBe(404);
  });

  it("refuses a non-boolean enabled with 422 and changes nothing", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const before = await snapshotTables();
    for (const enabled of ["false", 0, null, "no"]) {
      const res = await patch(alice, key.id, { enabled });
      expect(res.status).toBe(422);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      const body = (await res.json()) as { code: string; errors: Array<{ field: string }> };
      expect(body.code).toBe("validation_failed");
      expect(body.errors.map((e) => e.field)).toEqual(["enabled"]);
    }
    const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "x", enabled: "yes" } });
    expect(created.status).toBe(422);
    expect(await snapshotTables()).toBe(before);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("keeps a paused key active for the cap, and its rotation's successor paused", async () => {
    const alice = await user();
    const capped = { MAX_ACTIVE_KEYS_PER_USER: "1" };
    const first = await call("POST", "/v1/keys", { token: alice.token, json: { name: "one" }, env: capped });
    const { key } = (await first.json()) as { key: KeyJson };
    await patched(alice, key.id, { enabled: false });
    const second = await call("POST", "/v1/keys", { token: alice.token, json: { name: "two" }, env: capped });
    expect(second.status).toBe(409);
    expect(await code(second)).toBe("active_key_limit");

    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 0 } });
    expect(rotated.status).toBe(201);
    const { key: successor, secret } = (await rotated.json()) as { key: KeyJson; secret: string };
    expect(successor.enabled).toBe(false);
    expect(await code(await useKey(secret))).toBe("api_key_disabled");
    await patched(alice, successor.id, { enabled: true });
    expect((await useKey(secret)).status).toBe(200);
  });

  it("cannot pause a revoked key (409 key_not_active); revoking a paused key answers api_key_revoked", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    await patched(alice, key.id, { enabled: false });
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token })).status).toBe(200);
    expect(await code(await useKey(secret))).toBe("api_key_revoked");
    const res = await patch(alice, key.id, { enabled: true });
    expect(res.status).toBe(409);
    expect(await code(res)).toBe("key_not_active");
  });
});
