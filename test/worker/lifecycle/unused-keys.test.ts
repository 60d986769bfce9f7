import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { SCHEDULED_JOBS } from "../../../worker/lifecycle/scheduled";
import { revokeUnusedKeys } from "../../../worker/lifecycle/unused-keys";
import { call, createKey, type TestUser, user, useKey } from "../helpers/api";
import { setPolicy } from "../orgs/policy-helpers";

const MINUTE = 60_000;
const DAY = 86_400_000;

interface SystemEvent {
  id: string;
  action: string;
  at: number;
  actor: string;
  detail: Record<string, unknown> | null;
}

/** The events the scheduled run wrote about a key (actor system/cron), oldest first. */
async function cronEvents(keyId: string): Promise<SystemEvent[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, action, at, actor_type || ':' || actor_id AS actor, detail FROM audit_events WHERE key_id = ? AND actor_type = 'system' ORDER BY at, id",
  )
    .bind(keyId)
    .all<{ id: string; action: string; at: number; actor: string; detail: string | null }>();
  return results.map((r) => ({ ...r, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>) }));
}

async function row(keyId: string): Promise<{ revoked_at: number | null; last_used_at: number | null; created_at: number }> {
  return (await env.DB.prepare("SELECT revoked_at, last_used_at, created_at FROM api_keys WHERE id = ?").bind(keyId).first())!;
}

/** Sets the clock of the key's Durable Object (creating the instance, without tables, if need be). */
function setClock(keyId: string, at: number): Promise<void> {
  return runInDurableObject(authorityFor(env, keyId), (authority: KeyAuthority) => void (authority.clock = () => at));
}

/** A user in a fresh org that revokes keys unused for `days`, and one key of theirs with its creation time. */
async function idleOrg(days: number): Promise<{ owner: TestUser; keyId: string; secret: string; createdAt: number }> {
  const owner = await user();
  await setPolicy(owner.orgId, { revokeUnusedAfterDays: days });
  const { key, secret } = await createKey(owner);
  return { owner, keyId: key.id, secret, createdAt: (await row(key.id)).created_at };
}

describe("revoking unused keys (revokeUnusedAfterDays)", () => {
  it("is one of the scheduled run's jobs", () => {
    expect(SCHEDULED_JOBS.map((job) => job.name)).toContain("unused-keys");
  });

  it("announces a never-used key 7 days ahead and revokes it after N days, each exactly once under concurrent runs", async () => {
    const { keyId, secret, createdAt } = await idleOrg(30);
    await revokeUnusedKeys(env, createdAt + 23 * DAY - MINUTE);
    expect(await cronEvents(keyId)).toEqual([]);

    const noticeAt = createdAt + 23 * DAY;
    await Promise.all(Array.from({ length: 4 }, () => revokeUnusedKeys(env, noticeAt)));
    await revokeUnusedKeys(env, noticeAt + DAY);
    const revokeAt = new Date(createdAt + 30 * DAY).toISOString();
    expect(await cronEvents(keyId)).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        action: "key.expiring",
        at: noticeAt,
        actor: "system:cron",
        detail: { window: "7d", reason: "unused", revokeAt, idleSince: new Date(createdAt).toISOString() },
      },
    ]);

    await revokeUnusedKeys(env, createdAt + 30 * DAY - MINUTE);
    expect((await row(keyId)).revoked_at).toBeNull();
    const at = createdAt + 30 * DAY;
    await setClock(keyId, at);
    const runs = await Promise.all(Array.from({ length: 4 }, () => revokeUnusedKeys(env, at)));
    expect(runs.reduce((n, run) => n + run.revoked, 0)).toBe(1);
    expect((await row(keyId)).revoked_at).toBe(at);
    const revoked = (await cronEvents(keyId)).filter((e) => e.action === "key.revoked");
    expect(revoked).toEqual([
      { id: expect.stringMatching(/^evt_/), action: "key.revoked", at, actor: "system:cron", detail: { reason: "unused", idleSince: new Date(createdAt).toISOString(), days: 30 } },
    ]);
    // Through the key's object: the edge refuses it at once, as a revoked key.
    const res = await useKey(secret);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("api_key_revoked");
    await revokeUnusedKeys(env, at + DAY);
    expect((await cronEvents(keyId)).length).toBe(2);
  });

  it("keeps a key used after the announcement that D1 does not know of yet (its object decides), and announces it again once idle again", async () => {
    const { keyId, secret, createdAt } = await idleOrg(30);
    await revokeUnusedKeys(env, createdAt + 23 * DAY);
    // Used on day 25: the object knows at once, D1 only when the object flushes (up to 30 s later).
    const usedAt = createdAt + 25 * DAY;
    await setClock(keyId, usedAt);
    expect((await useKey(secret)).status).toBe(200);
    expect((await row(keyId)).last_used_at).toBeNull();

    const at = createdAt + 30 * DAY;
    const summary = await revokeUnusedKeys(env, at);
    expect(summary.kept).toBeGreaterThanOrEqual(1);
    expect((await row(keyId)).revoked_at).toBeNull();
    await setClock(keyId, at);
    expect((await useKey(secret)).status).toBe(200);

    // The object's flush brings D1 the use (the last one, at day 30); the key is no longer due.
    await runDurableObjectAlarm(authorityFor(env, keyId));
    expect((await row(keyId)).last_used_at).toBe(at);
    await revokeUnusedKeys(env, at + MINUTE);
    expect((await cronEvents(keyId)).map((e) => e.action)).toEqual(["key.expiring"]);
    await revokeUnusedKeys(env, at + 23 * DAY);
    const notices = (await cronEvents(keyId)).filter((e) => e.action === "key.expiring");
    expect(notices.map((e) => e.detail?.idleSince)).toEqual([new Date(createdAt).toISOString(), new Date(at).toISOString()]);
  });

  it("gives keys that were idle long before the policy was set their full 7 days of notice", async () => {
    const owner = await user();
    const { key } = await createKey(owner);
    const { created_at: createdAt } = await row(key.id);
    await setPolicy(owner.orgId, { revokeUnusedAfterDays: 30 });
    const noticeAt = createdAt + 100 * DAY;
    await revokeUnusedKeys(env, noticeAt);
    expect((await cronEvents(key.id))[0]?.detail?.revokeAt).toBe(new Date(noticeAt + 7 * DAY).toISOString());
    await revokeUnusedKeys(env, noticeAt + 7 * DAY - MINUTE);
    expect((await row(key.id)).revoked_at).toBeNull();
    await revokeUnusedKeys(env, noticeAt + 7 * DAY);
    expect((await row(key.id)).revoked_at).toBe(noticeAt + 7 * DAY);
  });

  it("leaves alone orgs without the policy, keys that expire first, rotated-away keys, and keys whose org dropped the policy", async () => {
    const without = await user();
    const plain = await createKey(without);
    const { created_at: t0 } = await row(plain.key.id);

    const expiring = await idleOrg(30);
    const soon = await createKey(expiring.owner, { expiresAt: new Date(t0 + 25 * DAY).toISOString() });

    const rotating = await idleOrg(30);
    const rotated = await call("POST", `/v1/keys/${rotating.keyId}/rotate`, { token: rotating.owner.token, json: { graceSeconds: 604_800 } });
    expect(rotated.status).toBe(201);

    const dropping = await idleOrg(30);
    await revokeUnusedKeys(env, t0 + 24 * DAY);
    expect(await cronEvents(plain.key.id)).toEqual([]);
    expect(await cronEvents(soon.key.id)).toEqual([]);
    expect(await cronEvents(rotating.keyId)).toEqual([]);
    expect((await cronEvents(dropping.keyId)).map((e) => e.action)).toEqual(["key.expiring"]);

    await setPolicy(dropping.owner.orgId, {});
    await revokeUnusedKeys(env, t0 + 40 * DAY);
    expect((await row(dropping.keyId)).revoked_at).toBeNull();
    expect((await row(plain.key.id)).revoked_at).toBeNull();
  });

  it("waits for a longer setting made after the announcement", async () => {
    const { owner, keyId, createdAt } = await idleOrg(30);
    await revokeUnusedKeys(env, createdAt + 23 * DAY);
    await setPolicy(owner.orgId, { revokeUnusedAfterDays: 60 });
    await revokeUnusedKeys(env, createdAt + 30 * DAY);
    expect((await row(keyId)).revoked_at).toBeNull();
    await revokeUnusedKeys(env, createdAt + 60 * DAY);
    expect((await row(keyId)).revoked_at).toBe(createdAt + 60 * DAY);
  });
});
