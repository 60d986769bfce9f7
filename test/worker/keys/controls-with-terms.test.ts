// The key controls (pause, description and meta, drain-aware rotation, canaries) together with
// the chain's terms (per-key limits and credits): one edit decides them all in the chain's
// object, and a rotation's successor takes both what the old key carries and the chain's terms.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createKey, type KeyJson, snapshotTables, type TestUser, user, useKey } from "../helpers/api";
import { statuses, WIDE, wideOwner } from "../helpers/key-terms";

async function read(owner: TestUser, id: string): Promise<{ key: KeyJson; drain: { usesSinceRotation: number } | null }> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  expect(res.status).toBe(200);
  return res.json();
}

function patch(owner: TestUser, id: string, json: unknown): Promise<Response> {
  return call("PATCH", `/v1/keys/${id}`, { token: owner.token, json });
}

async function actions(keyId: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT action FROM audit_events WHERE key_id = ? AND action IN ('key.paused', 'key.resumed', 'key.updated') ORDER BY at, rowid")
    .bind(keyId)
    .all<{ action: string }>();
  return results.map((r) => r.action);
}

describe("key controls with per-key limits and credits", () => {
  it("spends no credit and takes no limit while paused: 40 concurrent requests, 40 × api_key_disabled", async () => {
    const alice = await wideOwner();
    const { key, secret } = await createKey(alice, { limits: WIDE, credits: { remaining: 50 } });
    expect((await useKey(secret)).status).toBe(200);
    expect((await patch(alice, key.id, { enabled: false })).status).toBe(200);
    const paused = await Promise.all(Array.from({ length: 40 }, () => useKey(secret)));
    expect(statuses(paused)).toEqual({ 401: 40 });
    expect(await paused[0]!.json()).toMatchObject({ code: "api_key_disabled" });
    expect((await read(alice, key.id)).key.credits).toMatchObject({ remaining: 49 });
    expect((await patch(alice, key.id, { enabled: true })).status).toBe(200);
    // 49 left: of 60 concurrent requests, exactly 49 are admitted (the wide limit never refuses).
    expect(statuses(await Promise.all(Array.from({ length: 60 }, () => useKey(secret))))).toEqual({ 200: 49, 429: 11 });
  });

  it("applies a pause, a top-up, new limits and a description in one PATCH, audited as key.paused and key.updated", async () => {
    const alice = await wideOwner();
    const { key, secret } = await createKey(alice, { credits: { remaining: 5 } });
    const res = await patch(alice, key.id, { enabled: false, credits: { add: 10 }, limits: WIDE, description: "billing export" });
    expect(res.status).toBe(200);
    const edited = ((await res.json()) as { key: KeyJson }).key;
    expect(edited).toMatchObject({ enabled: false, description: "billing export", limits: WIDE, credits: { remaining: 15 } });
    expect((await useKey(secret)).status).toBe(401);
    expect(await read(alice, key.id)).toMatchObject({ key: { enabled: false, description: "billing export", limits: WIDE, credits: { remaining: 15 } } });
    expect((await actions(key.id)).sort()).toEqual(["key.paused", "key.updated"]);
  });

  it("refuses an edit whose limits break the ceiling whole: the pause in the same body is not applied either", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const before = await snapshotTables();
    const res = await patch(alice, key.id, { enabled: false, limits: [{ name: "daily", limit: 5000, windowSeconds: 86_400 }] });
    expect(res.status).toBe(422);
    expect(await snapshotTables()).toEqual(before);
    expect((await useKey(secret)).status).toBe(200);
    expect((await read(alice, key.id)).key.enabled).toBe(true);
  });

  it("gives a rotation's successor the old key's pause, description and meta, and the chain's limits and one balance", async () => {
    const alice = await wideOwner();
    const { key, secret } = await createKey(alice, { limits: WIDE, credits: { remaining: 30 }, description: "sync job", meta: { plan: "pro" } });
    expect(statuses(await Promise.all(Array.from({ length: 10 }, () => useKey(secret))))).toEqual({ 200: 10 });
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceUntilIdle: { idleSeconds: 3600 } } });
    expect(rotated.status).toBe(201);
    const body = (await rotated.json()) as { key: KeyJson; previous: KeyJson; secret: string };
    expect(body.key).toMatchObject({ description: "sync job", meta: { plan: "pro" }, enabled: true, limits: WIDE, credits: { remaining: 20 } });
    // Old and new draw on one balance of 20: 15 + 15 concurrent, exactly 20 admitted in all.
    const both = await Promise.all([...Array.from({ length: 15 }, () => useKey(secret)), ...Array.from({ length: 15 }, () => useKey(body.secret))]);
    expect(statuses(both)).toEqual({ 200: 20, 429: 10 });
    // The old key's view during its grace: the drain and the exact balance, from the same object.
    const old = await read(alice, key.id);
    expect(old.key.credits).toMatchObject({ remaining: 0 });
    expect(old.drain).not.toBeNull();
    expect(old.drain!.usesSinceRotation).toBe(both.slice(0, 15).filter((r) => r.status === 200).length);
    expect((await read(alice, body.key.id)).key.credits).toMatchObject({ remaining: 0 });
  });

  it("answers a canary with credits like an unknown key and spends nothing", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { canary: true, credits: { remaining: 3 } });
    const responses = await Promise.all(Array.from({ length: 5 }, () => useKey(secret)));
    expect(statuses(responses)).toEqual({ 401: 5 });
    expect(await responses[0]!.json()).toMatchObject({ code: "invalid_api_key" });
    expect((await read(alice, key.id)).key.credits).toMatchObject({ remaining: 3 });
  });
});
