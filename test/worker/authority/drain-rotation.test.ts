import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, createKey, type KeyJson, snapshotTables, type TestUser, user, useKey } from "../helpers/api";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface DrainJson {
  successorId: string;
  rotatedAt: string;
  usesSinceRotation: number;
  lastUsedAt: string | null;
  graceEndsAt: string | null;
  idleSeconds: number | null;
  successorFirstUsedAt: string | null;
  endsWhenIdleAt: string | null;
  endedWhenIdleAt: string | null;
}

const iso = (at: number) => new Date(at).toISOString();

function setClock(keyId: string, at: number): Promise<void> {
  return runInDurableObject(authorityFor(env, keyId), (authority: KeyAuthority) => void (authority.clock = () => at));
}

async function read(owner: TestUser, id: string): Promise<{ key: KeyJson; drain: DrainJson | null }> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  expect(res.status).toBe(200);
  return res.json();
}

/** D1's copy of a key's expiry, once its object's outbox has written `expected` (at most 5 s). */
async function eventuallyD1Expiry(id: string, expected: number): Promise<number | null> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const row = await env.DB.prepare("SELECT expires_at FROM api_keys WHERE id = ?").bind(id).first<{ expires_at: number | null }>();
    if (row?.expires_at === expected || Date.now() > deadline) return row?.expires_at ?? null;
    await scheduler.wait(20);
  }
}

async function graceEndedEvents(id: string): Promise<Array<{ at: number; actor: string; detail: Record<string, unknown> }>> {
  const { results } = await env.DB.prepare(
    "SELECT at, actor_type || ':' || actor_id AS actor, detail FROM audit_events WHERE key_id = ? AND action = 'key.grace_ended'",
  )
    .bind(id)
    .all<{ at: number; actor: string; detail: string }>();
  return results.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
}

/**
 * A key rotated at `t0` on its chain's clock (an hour ahead, so the alarms the object sets lie in
 * the future and run only when a test runs them) with graceUntilIdle, and both secrets. The
 * rotation places the chain; no request has touched it before, so the object's clock alone
 * decides. (The API's own clock is behind the object's here: the views' `status` is computed on
 * it, so the tests read the object's instants instead.)
 */
async function rotated(json: Record<string, unknown>): Promise<{ owner: TestUser; old: string; next: string; oldId: string; nextId: string; t0: number }> {
  const owner = await user();
  const { key, secret } = await createKey(owner);
  const t0 = Date.now() + HOUR;
  await setClock(key.id, t0);
  const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: owner.token, json });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { key: KeyJson; secret: string };
  return { owner, old: secret, next: body.secret, oldId: key.id, nextId: body.key.id, t0 };
}

async function use(secret: string, keyId: string, at: number): Promise<number> {
  await setClock(keyId, at);
  return (await useKey(secret)).status;
}

describe("drain-aware rotation: graceUntilIdle", () => {
  it("does not end the grace early while the successor is unused, however idle the old key is", async () => {
    const { owner, old, oldId, t0 } = await rotated({ graceUntilIdle: { idleSeconds: 3600 } });
    expect(await use(old, oldId, t0 + 5 * MINUTE)).toBe(200);
    await setClock(oldId, t0 + 2 * HOUR + 5 * MINUTE);
    await runDurableObjectAlarm(authorityFor(env, oldId));
    expect(await use(old, oldId, t0 + 2 * HOUR + 6 * MINUTE)).toBe(200);
    const { drain } = await read(owner, oldId);
    expect(drain).toMatchObject({ usesSinceRotation: 2, idleSeconds: 3600, successorFirstUsedAt: null, endsWhenIdleAt: null, endedWhenIdleAt: null, graceEndsAt: null });
  });

  it("continues while the old key is used within idleSeconds, and ends exactly idleSeconds after its last use", async () => {
    const { owner, old, next, oldId, nextId, t0 } = await rotated({ graceUntilIdle: { idleSeconds: 3600 }, graceSeconds: 604_800 });
    expect(await use(next, nextId, t0 + 10 * MINUTE)).toBe(200);
    expect(await use(old, oldId, t0 + 20 * MINUTE)).toBe(200);
    let view = await read(owner, oldId);
    expect(view.drain).toMatchObject({
      successorId: nextId,
      rotatedAt: iso(t0),
      usesSinceRotation: 1,
      lastUsedAt: iso(t0 + 20 * MINUTE),
      successorFirstUsedAt: iso(t0 + 10 * MINUTE),
      endsWhenIdleAt: iso(t0 + 80 * MINUTE),
      endedWhenIdleAt: null,
    });
    // Used again at the last millisecond: the grace goes on, and its end moves.
    expect(await use(old, oldId, t0 + 80 * MINUTE - 1)).toBe(200);
    const end = t0 + 140 * MINUTE - 1;
    expect((await read(owner, oldId)).drain?.endsWhenIdleAt).toBe(iso(end));
    await setClock(oldId, end - 1);
    await runDurableObjectAlarm(authorityFor(env, oldId));
    expect((await read(owner, oldId)).drain?.endedWhenIdleAt).toBeNull();
    const res = await (async () => {
      await setClock(oldId, end);
      return useKey(old);
    })();
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("api_key_expired");
    expect(await use(next, nextId, end)).toBe(200);
    view = await read(owner, oldId);
    expect(view.drain).toMatchObject({ usesSinceRotation: 2, graceEndsAt: iso(end), endedWhenIdleAt: iso(end), endsWhenIdleAt: null });
    expect(view.key.expiresAt).toBe(iso(end));
    expect(await eventuallyD1Expiry(oldId, end)).toBe(end);
    expect(await graceEndedEvents(oldId)).toEqual([
      {
        at: end,
        actor: "system:edge",
        detail: {
          reason: "idle",
          idleSeconds: 3600,
          successorId: nextId,
          successorUsedAt: iso(t0 + 10 * MINUTE),
          lastUsedAt: iso(t0 + 80 * MINUTE - 1),
          usesSinceRotation: 2,
        },
      },
    ]);
  });

  it("ends by the object's alarm with no traffic, at the later of the successor's first use and idleSeconds after the rotation", async () => {
    const { owner, next, old, oldId, nextId, t0 } = await rotated({ graceUntilIdle: { idleSeconds: 600 } });
    // The successor is first used after the old key has been idle long enough: the grace ends at that use.
    expect(await use(next, nextId, t0 + 30 * MINUTE)).toBe(200);
    const res = await useKey(old);
    expect(res.status).toBe(401);
    expect((await read(owner, oldId)).drain?.endedWhenIdleAt).toBe(iso(t0 + 30 * MINUTE));

    const other = await rotated({ graceUntilIdle: { idleSeconds: 3600 } });
    expect(await use(other.next, other.nextId, other.t0 + 10 * MINUTE)).toBe(200);
    const end = other.t0 + HOUR;
    await setClock(other.oldId, end);
    // Nothing is asked of the object: its alarm ends the grace on time.
    expect(await runDurableObjectAlarm(authorityFor(env, other.oldId))).toBe(true);
    expect(await eventuallyD1Expiry(other.oldId, end)).toBe(end);
    expect((await graceEndedEvents(other.oldId)).map((e) => e.at)).toEqual([end]);
    expect((await useKey(other.old)).status).toBe(401);
  });

  it("survives the object's eviction between the successor's use and the end", async () => {
    const { old, oldId, next, nextId, t0 } = await rotated({ graceUntilIdle: { idleSeconds: 3600 } });
    expect(await use(next, nextId, t0 + 10 * MINUTE)).toBe(200);
    expect(await use(old, oldId, t0 + 15 * MINUTE)).toBe(200);
    await evictDurableObject(authorityFor(env, oldId));
    // A restarted object has the platform clock again; set the test's, then let the alarm run.
    await setClock(oldId, t0 + 75 * MINUTE - 1);
    expect(await use(old, oldId, t0 + 75 * MINUTE - 1)).toBe(200);
    await evictDurableObject(authorityFor(env, oldId));
    const end = t0 + 135 * MINUTE - 1;
    await setClock(oldId, end);
    expect(await runDurableObjectAlarm(authorityFor(env, oldId))).toBe(true);
    expect(await eventuallyD1Expiry(oldId, end)).toBe(end);
    expect((await useKey(old)).status).toBe(401);
    expect((await useKey(next)).status).toBe(200);
  });

  it("keeps graceSeconds as the upper bound: the fixed end comes first when the old key stays busy", async () => {
    const { owner, old, oldId, next, nextId, t0 } = await rotated({ graceUntilIdle: { idleSeconds: 3600 }, graceSeconds: 7200 });
    const fixedEnd = Date.parse((await read(owner, oldId)).key.expiresAt!);
    // Fixed end: two hours after the API's now, an hour after the object's rotation.
    expect(fixedEnd - t0).toBeLessThan(HOUR + MINUTE);
    expect(await use(old, oldId, t0 + 30 * MINUTE)).toBe(200);
    expect(await use(next, nextId, t0 + 31 * MINUTE)).toBe(200);
    expect(await use(old, oldId, fixedEnd - 1)).toBe(200);
    expect(await use(old, oldId, fixedEnd)).toBe(401);
    expect((await read(owner, oldId)).drain).toMatchObject({ graceEndsAt: iso(fixedEnd), endedWhenIdleAt: null });
    expect(await graceEndedEvents(oldId)).toEqual([]);
  });
});

describe("drain view of GET /v1/keys/{id}", () => {
  it("counts the old key's uses since the rotation exactly, also concurrent ones, without graceUntilIdle", async () => {
    const owner = await user();
    const { key, secret } = await createKey(owner);
    expect((await useKey(secret)).status).toBe(200);
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: owner.token, json: { graceSeconds: 3600 } });
    const successor = ((await res.json()) as { key: KeyJson }).key;
    const statuses = await Promise.all(Array.from({ length: 6 }, () => useKey(secret)));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const { key: view, drain } = await read(owner, key.id);
    expect(drain).toMatchObject({ successorId: successor.id, usesSinceRotation: 6, idleSeconds: null, endsWhenIdleAt: null, endedWhenIdleAt: null, successorFirstUsedAt: null });
    expect(drain?.lastUsedAt).toBe(view.lastUsedAt);
    expect(drain?.graceEndsAt).toBe(view.expiresAt);
    // The successor itself and a key never rotated have no drain.
    expect((await read(owner, successor.id)).drain).toBeNull();
    const plain = await createKey(owner);
    expect((await read(owner, plain.key.id)).drain).toBeNull();
  });

  it.each([
    ["idleSeconds below a minute", { graceUntilIdle: { idleSeconds: 59 } }, "graceUntilIdle.idleSeconds"],
    ["idleSeconds beyond 7 days", { graceUntilIdle: { idleSeconds: 604_801 } }, "graceUntilIdle.idleSeconds"],
    ["fractional idleSeconds", { graceUntilIdle: { idleSeconds: 90.5 } }, "graceUntilIdle.idleSeconds"],
    ["an unknown member", { graceUntilIdle: { idleSeconds: 600, minUses: 1 } }, "graceUntilIdle"],
    ["a bare number", { graceUntilIdle: 600 }, "graceUntilIdle"],
  ])("refuses %s with 422 and rotates nothing", async (_label, json, field) => {
    const owner = await user();
    const { key } = await createKey(owner);
    const before = await snapshotTables();
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: owner.token, json });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { code: string; errors: Array<{ field: string }> };
    expect(body.errors.map((e) => e.field)).toContain(field);
    expect(await snapshotTables()).toEqual(before);
  });
});
