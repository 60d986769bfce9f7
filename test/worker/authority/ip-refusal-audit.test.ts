import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { admin, call, createKey, type TestUser, user, useKey } from "../helpers/api";

const MINUTE = 60_000;
const from = (address: string) => ({ headers: { "CF-Connecting-IP": address } });

interface RefusalEvent {
  at: number;
  ip: string | null;
  detail: { refused: number };
  actor: string;
  owner: string;
}

/** The key's `key.ip_refused` events in D1, oldest first. */
async function refusalEvents(keyId: string): Promise<RefusalEvent[]> {
  const { results } = await env.DB.prepare(
    `SELECT at, ip, detail, actor_type || ':' || actor_id AS actor, owner_id AS owner FROM audit_events
     WHERE key_id = ? AND action = 'key.ip_refused' ORDER BY at, id`,
  )
    .bind(keyId)
    .all<{ at: number; ip: string | null; detail: string; actor: string; owner: string }>();
  return results.map((r) => ({ ...r, detail: JSON.parse(r.detail) as { refused: number } }));
}

/** Waits (at most 5 s) until D1 holds `count` such events: they reach it after the 403, through the outbox. */
async function eventuallyEvents(keyId: string, count: number): Promise<RefusalEvent[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const events = await refusalEvents(keyId);
    if (events.length >= count || Date.now() > deadline) return events;
    await scheduler.wait(20);
  }
}

/** What the key's object still owes D1, and the refusals it holds back for the next event. */
function heldInObject(keyId: string): Promise<{ owed: number; unreported: number }> {
  return runInDurableObject(authorityFor(env, keyId), (_authority: KeyAuthority, state) => ({
    owed: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n,
    unreported: state.storage.sql.exec<{ n: number }>("SELECT coalesce(sum(unreported), 0) AS n FROM ip_refusals WHERE key_id = ?", keyId).one().n,
  }));
}

/** {@link heldInObject} once the object has finished its D1 write (at most 5 s). */
async function settledInObject(keyId: string): Promise<{ owed: number; unreported: number }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const held = await heldInObject(keyId);
    if (held.owed === 0 || Date.now() > deadline) return held;
    await scheduler.wait(20);
  }
}

function setClock(keyId: string, at: number): Promise<void> {
  return runInDurableObject(authorityFor(env, keyId), (authority: KeyAuthority) => void (authority.clock = () => at));
}

/** A restricted key, already placed by one request from inside, with its object's clock at `t0`. */
async function restrictedKey(owner: TestUser, t0: number) {
  const made = await createKey(owner, { allowedIps: ["203.0.113.0/24"] });
  expect((await useKey(made.secret, "/api/whoami", from("203.0.113.1"))).status).toBe(200);
  await setClock(made.key.id, t0);
  return made;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await env.DB.exec("DROP TRIGGER IF EXISTS fail_audit_events_INSERT");
});

describe("key.ip_refused, sampled", () => {
  it("writes one event for 30 refusals within a minute, and one more for the other 29 once the minute is over", async () => {
    const alice = await user();
    const t0 = Date.now() + 1_000;
    const { key, secret } = await restrictedKey(alice, t0);
    const refused = await Promise.all(Array.from({ length: 30 }, (_, i) => useKey(secret, "/api/whoami", from(`198.51.100.${i}`))));
    expect(refused.every((r) => r.status === 403)).toBe(true);

    const first = await eventuallyEvents(key.id, 1);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ at: t0, detail: { refused: 1 }, actor: "system:edge", owner: alice.userId });
    expect(first[0]!.ip).toMatch(/^198\.51\.100\.\d+$/);
    expect(await settledInObject(key.id)).toEqual({ owed: 0, unreported: 29 });

    // Still within the minute: the object's alarm reports nothing yet.
    await setClock(key.id, t0 + MINUTE - 1);
    await runDurableObjectAlarm(authorityFor(env, key.id));
    expect(await refusalEvents(key.id)).toHaveLength(1);

    await setClock(key.id, t0 + MINUTE);
    expect(await runDurableObjectAlarm(authorityFor(env, key.id))).toBe(true);
    const both = await eventuallyEvents(key.id, 2);
    expect(both.map((e) => e.detail.refused)).toEqual([1, 29]);
    expect(both[1]).toMatchObject({ at: t0 + MINUTE, actor: "system:edge" });
    expect(both[1]!.ip).toMatch(/^198\.51\.100\.\d+$/);
    expect(await settledInObject(key.id)).toEqual({ owed: 0, unreported: 0 });
  });

  it("accounts for every refusal across minutes: the events' counts add up to the refusals", async () => {
    const alice = await user();
    const t0 = Date.now() + 1_000;
    const { key, secret } = await restrictedKey(alice, t0);
    const schedule = [0, 1, 10_000, 59_999, 60_000, 60_001, 150_000, 150_000, 209_999, 210_000];
    for (const offset of schedule) {
      await setClock(key.id, t0 + offset);
      expect((await useKey(secret, "/api/whoami", from("::ffff:198.51.100.9"))).status).toBe(403);
    }
    // Reported as they happen: at 0 (itself), 60 000 (3 held back and itself), 150 000 (1 held
    // back and itself), 210 000 (2 held back and itself).
    const events = await eventuallyEvents(key.id, 4);
    expect(events.map((e) => [e.at - t0, e.detail.refused])).toEqual([
      [0, 1],
      [60_000, 4],
      [150_000, 2],
      [210_000, 3],
    ]);
    expect(events.reduce((sum, e) => sum + e.detail.refused, 0)).toBe(schedule.length);
    expect(new Set(events.map((e) => e.ip))).toEqual(new Set(["198.51.100.9"]));
  });

  it("answers 403 at once while D1 refuses the event, which arrives once D1 takes writes again", async () => {
    const alice = await user();
    const t0 = Date.now() + 1_000;
    const { key, secret } = await restrictedKey(alice, t0);
    await env.DB.exec(
      "CREATE TRIGGER fail_audit_events_INSERT BEFORE INSERT ON audit_events WHEN NEW.action = 'key.ip_refused' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
    );
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await useKey(secret, "/api/whoami", from("198.51.100.1"));
    expect(res.status).toBe(403);
    expect(await refusalEvents(key.id)).toHaveLength(0);
    await env.DB.exec("DROP TRIGGER fail_audit_events_INSERT");
    const deadline = Date.now() + 5_000;
    while ((await heldInObject(key.id)).owed > 0 && Date.now() < deadline) await runDurableObjectAlarm(authorityFor(env, key.id));
    expect(await eventuallyEvents(key.id, 1)).toHaveLength(1);
  });

  it("shows the event to the key's owner, and the refused address to an admin only", async () => {
    const alice = await user();
    const boss = await admin(alice.orgId);
    const { key, secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    expect((await useKey(secret, "/api/whoami", from("2001:DB8::BAD"))).status).toBe(403);
    await eventuallyEvents(key.id, 1);
    const read = async (reader: TestUser) => {
      const res = await call("GET", `/v1/audit-events?keyId=${key.id}`, { token: reader.token });
      const { events } = (await res.json()) as { events: Array<{ action: string; actor: unknown; ip: string | null; detail: unknown }> };
      return events.find((e) => e.action === "key.ip_refused");
    };
    expect(await read(alice)).toMatchObject({ actor: { type: "system", id: "edge" }, ip: null, detail: { refused: 1 } });
    expect(await read(boss)).toMatchObject({ ip: "2001:db8::bad", detail: { refused: 1 } });
  });
});
