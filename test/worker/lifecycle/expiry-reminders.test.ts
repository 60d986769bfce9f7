import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyRecord } from "../../../worker/keys/key-record";
import { KeyStore } from "../../../worker/keys/key-store";
import { EXPIRY_PAGE_SIZE, remindExpiringKeys } from "../../../worker/lifecycle/expiry-reminders";
import { admin, call, createKey, unique, user } from "../helpers/api";
import { countD1Queries } from "../helpers/instruments";
import { DAY, drainAt, HOUR, isoAfter, MINUTE, remindersOf, runAt, summaryOf } from "./reminder-helpers";

afterEach(() => vi.restoreAllMocks());

function patch(token: string, id: string, expiresAt: string): Promise<Response> {
  return call("PATCH", `/v1/keys/${id}`, { token, json: { expiresAt } });
}

describe("expiry reminders (the scheduled run)", () => {
  it("reminds each key of the window it is in: 8 days nothing, 6 days 7d, 20 hours 1d, expired key.expired; revoked and no expiry nothing", async () => {
    const alice = await user();
    const t0 = Date.now();
    const keys = {
      in8d: (await createKey(alice, { expiresAt: isoAfter(t0, 8 * DAY) })).key,
      in6d: (await createKey(alice, { expiresAt: isoAfter(t0, 6 * DAY) })).key,
      in20h: (await createKey(alice, { expiresAt: isoAfter(t0, 20 * HOUR) })).key,
      expired: (await createKey(alice, { expiresAt: isoAfter(t0, 2 * MINUTE) })).key,
      revoked: (await createKey(alice, { expiresAt: isoAfter(t0, 6 * DAY) })).key,
      revokedExpired: (await createKey(alice, { expiresAt: isoAfter(t0, 2 * MINUTE) })).key,
      never: (await createKey(alice)).key,
    };
    for (const id of [keys.revoked.id, keys.revokedExpired.id]) {
      expect((await call("POST", `/v1/keys/${id}/revoke`, { token: alice.token })).status).toBe(200);
    }
    const now = t0 + 5 * MINUTE;
    await runAt(now);

    expect(await summaryOf(keys.in8d.id)).toEqual([]);
    expect(await summaryOf(keys.in6d.id)).toEqual([`key.expiring 7d ${keys.in6d.expiresAt}`]);
    expect(await summaryOf(keys.in20h.id)).toEqual([`key.expiring 1d ${keys.in20h.expiresAt}`]);
    expect(await summaryOf(keys.expired.id)).toEqual([`key.expired ${keys.expired.expiresAt}`]);
    expect(await summaryOf(keys.revoked.id)).toEqual([]);
    expect(await summaryOf(keys.revokedExpired.id)).toEqual([]);
    expect(await summaryOf(keys.never.id)).toEqual([]);
    for (const reminder of await remindersOf(keys.in6d.id)) {
      expect(reminder).toMatchObject({ actor: "system:cron", ownerId: alice.userId, at: now });
      expect(reminder.id).toMatch(/^evt_[0-9A-Za-z]{20}$/);
    }
  });

  it("follows a key through its life: 7d, then 1d, then key.expired, each exactly once however often the cron runs", async () => {
    const alice = await user();
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 10 * DAY) });
    const expiresAt = Date.parse(key.expiresAt!);
    const runs = [
      t0, expiresAt - 7 * DAY - 1, // not yet
      expiresAt - 7 * DAY, expiresAt - 7 * DAY, expiresAt - 3 * DAY, expiresAt - DAY - 1, // 7d from the boundary on
      expiresAt - DAY, expiresAt - HOUR, expiresAt - 1, // 1d
      expiresAt, expiresAt + MINUTE, expiresAt + 30 * DAY, // expired
    ];
    const seen: string[][] = [];
    for (const now of runs) {
      await runAt(now);
      await runAt(now); // a retried or repeated run
      seen.push(await summaryOf(key.id));
    }
    const sevenDays = `key.expiring 7d ${key.expiresAt}`;
    const oneDay = `key.expiring 1d ${key.expiresAt}`;
    const expired = `key.expired ${key.expiresAt}`;
    expect(seen).toEqual([
      [], [],
      [sevenDays], [sevenDays], [sevenDays], [sevenDays],
      [sevenDays, oneDay], [sevenDays, oneDay], [sevenDays, oneDay],
      [sevenDays, oneDay, expired], [sevenDays, oneDay, expired], [sevenDays, oneDay, expired],
    ]);
    const reminders = await remindersOf(key.id);
    expect(reminders.map((r) => r.at)).toEqual([expiresAt - 7 * DAY, expiresAt - DAY, expiresAt]);
  });

  it("skips the reminders a key was never in while the cron was not running: only key.expired after a long pause", async () => {
    const alice = await user();
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 3 * DAY) });
    await runAt(Date.parse(key.expiresAt!) + 2 * DAY);
    expect(await summaryOf(key.id)).toEqual([`key.expired ${key.expiresAt}`]);
  });

  it("writes each reminder once when runs overlap: 6 concurrent runs at one instant, and runs at two instants racing", async () => {
    const alice = await user();
    const t0 = Date.now();
    const a = (await createKey(alice, { expiresAt: isoAfter(t0, 5 * DAY) })).key;
    const b = (await createKey(alice, { expiresAt: isoAfter(t0, 12 * HOUR) })).key;
    await Promise.all(Array.from({ length: 6 }, () => runAt(t0 + MINUTE)));
    expect(await summaryOf(a.id)).toEqual([`key.expiring 7d ${a.expiresAt}`]);
    expect(await summaryOf(b.id)).toEqual([`key.expiring 1d ${b.expiresAt}`]);

    // A slow run that read the key in its 7d window and a later one in its 1d window, in either
    // order: both reminders, each once, and the key ends up told "1d" (never back to "7d").
    const c = (await createKey(alice, { expiresAt: isoAfter(t0, 3 * DAY) })).key;
    const oneDayBefore = Date.parse(c.expiresAt!) - 2 * HOUR;
    await Promise.all([runAt(t0 + MINUTE), runAt(oneDayBefore), runAt(t0 + MINUTE), runAt(oneDayBefore)]);
    expect((await summaryOf(c.id)).sort()).toEqual([`key.expiring 1d ${c.expiresAt}`, `key.expiring 7d ${c.expiresAt}`]);
    const told = await env.DB.prepare("SELECT expiry_notice, expiry_notice_for FROM api_keys WHERE id = ?").bind(c.id).first();
    expect(told).toEqual({ expiry_notice: 1, expiry_notice_for: Date.parse(c.expiresAt!) });
    await runAt(oneDayBefore);
    await runAt(t0 + 2 * MINUTE);
    expect(await summaryOf(c.id)).toHaveLength(2);
    await runAt(Date.parse(c.expiresAt!));
    expect(await summaryOf(c.id)).toHaveLength(3);
  });

  it("reminds again when the expiry moves earlier, of the new date: 30 days → 5 days (7d), → 3 days (7d again), → 10 hours (1d)", async () => {
    const alice = await user();
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 30 * DAY) });
    await runAt(t0);
    expect(await summaryOf(key.id)).toEqual([]);

    const fiveDays = isoAfter(t0, 5 * DAY);
    expect((await patch(alice.token, key.id, fiveDays)).status).toBe(200);
    await runAt(t0 + MINUTE);
    await runAt(t0 + MINUTE);
    expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${fiveDays}`]);

    const threeDays = isoAfter(t0, 3 * DAY);
    expect((await patch(alice.token, key.id, threeDays)).status).toBe(200);
    await runAt(t0 + 2 * MINUTE);
    expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${fiveDays}`, `key.expiring 7d ${threeDays}`]);

    const tenHours = isoAfter(t0, 10 * HOUR);
    expect((await patch(alice.token, key.id, tenHours)).status).toBe(200);
    await runAt(t0 + 3 * MINUTE);
    await runAt(Date.parse(tenHours));
    await runAt(Date.parse(tenHours) + DAY);
    expect(await summaryOf(key.id)).toEqual([
      `key.expiring 7d ${fiveDays}`,
      `key.expiring 7d ${threeDays}`,
      `key.expiring 1d ${tenHours}`,
      `key.expired ${tenHours}`,
    ]);
  });

  it("a renamed key is not reminded twice (its expiry did not change)", async () => {
    const alice = await user();
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 4 * DAY) });
    await runAt(t0);
    expect((await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { name: "Renamed" } })).status).toBe(200);
    await runAt(t0 + MINUTE);
    expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${key.expiresAt}`]);
  });

  it("stops reminding a key once it is revoked", async () => {
    const alice = await user();
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 4 * DAY) });
    await runAt(t0);
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token })).status).toBe(200);
    const expiresAt = Date.parse(key.expiresAt!);
    await runAt(expiresAt - HOUR);
    await runAt(expiresAt + HOUR);
    expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${key.expiresAt}`]);
  });

  it("a rotated-away key gets no expiring reminders, only key.expired when its grace ends; its successor is reminded of its own expiry", async () => {
    const alice = await user();
    const t0 = Date.now();
    const graced = (await createKey(alice, { expiresAt: isoAfter(t0, 6 * DAY) })).key;
    const rotated = await call("POST", `/v1/keys/${graced.id}/rotate`, { token: alice.token, json: { graceSeconds: 3600 } });
    expect(rotated.status).toBe(201);
    const { key: successor, previous } = (await rotated.json()) as { key: { id: string; expiresAt: string }; previous: { expiresAt: string } };
    // Without grace the old key keeps its expiry (6 days) and works until revoked: still no reminder.
    const kept = (await createKey(alice, { expiresAt: isoAfter(t0, 6 * DAY) })).key;
    expect((await call("POST", `/v1/keys/${kept.id}/rotate`, { token: alice.token })).status).toBe(201);

    await runAt(t0 + MINUTE); // the graced key ends within the hour: no "1d" about it
    expect(await summaryOf(graced.id)).toEqual([]);
    expect(await summaryOf(kept.id)).toEqual([]);
    expect(await summaryOf(successor.id)).toEqual([`key.expiring 7d ${successor.expiresAt}`]);

    await runAt(Date.parse(previous.expiresAt));
    expect(await summaryOf(graced.id)).toEqual([`key.expired ${previous.expiresAt}`]);
    await runAt(Date.parse(kept.expiresAt!) + MINUTE);
    expect(await summaryOf(kept.id)).toEqual([`key.expired ${kept.expiresAt}`]);
  });

  it("shows the reminders in GET /v1/audit-events with their detail to the owner and the org's admin, not to another member", async () => {
    const alice = await user();
    const boss = await admin(alice.orgId);
    const bob = await user({ orgId: alice.orgId });
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 2 * DAY) });
    await runAt(t0);
    await runAt(Date.parse(key.expiresAt!));
    const expected = [
      { action: "key.expired", actor: { type: "system", id: "cron" }, keyId: key.id, ip: null, userAgent: null, detail: { expiresAt: key.expiresAt } },
      { action: "key.expiring", actor: { type: "system", id: "cron" }, keyId: key.id, ip: null, userAgent: null, detail: { window: "7d", expiresAt: key.expiresAt } },
    ];
    for (const reader of [alice, boss]) {
      const res = await call("GET", `/v1/audit-events?keyId=${key.id}`, { token: reader.token });
      expect(res.status).toBe(200);
      const { events } = (await res.json()) as { events: Array<Record<string, unknown>> };
      expect(events.filter((e) => (e.actor as { type: string }).type === "system")).toMatchObject(expected);
      expect(events.find((e) => e.action === "key.expired")!.at).toBe(key.expiresAt);
    }
    const res = await call("GET", `/v1/audit-events?keyId=${key.id}`, { token: bob.token });
    expect(((await res.json()) as { events: unknown[] }).events).toEqual([]);
    const other = await admin(unique("org"));
    const foreign = await call("GET", `/v1/audit-events?keyId=${key.id}`, { token: other.token });
    expect(((await foreign.json()) as { events: unknown[] }).events).toEqual([]);
  });
});

describe("expiry reminders: bounded work", () => {
  const store = new KeyStore(env.DB);

  /** `count` keys of one org inserted straight into D1, expiring `expiresIn` after `now`. */
  async function insertKeys(count: number, now: number, expiresIn: number): Promise<string[]> {
    const orgId = unique("org");
    const records: KeyRecord[] = Array.from({ length: count }, (_, i) => ({
      id: `${unique("k").replace(/[^0-9A-Za-z]/g, "").slice(-10)}${String(i).padStart(6, "0")}`,
      orgId,
      createdBy: "user_bulk",
      name: `bulk ${i}`,
      hint: "ak_live_bulk…0000",
      secretDigest: `digest-${i}`,
      scopes: null,
      allowedIps: null,
      limits: null,
      credits: null,
      createdAt: now - DAY,
      expiresAt: now + expiresIn,
      lifetimeMs: expiresIn + DAY,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFromId: null,
      rotatedToId: null,
      region: null,
      placedAt: null,
      enabled: true, description: null, meta: null, revokedReason: null, canary: false,
    }));
    for (let i = 0; i < records.length; i += 200) await env.DB.batch(records.slice(i, i + 200).map((k) => store.insert(k)));
    return records.map((k) => k.id);
  }

  async function reminderCount(ids: string[]): Promise<{ events: number; keys: number }> {
    const { results } = await env.DB
      .prepare("SELECT count(*) AS events, count(DISTINCT key_id) AS keys FROM audit_events WHERE actor_type = 'system' AND key_id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(ids))
      .all<{ events: number; keys: number }>();
    return results[0]!;
  }

  it("a run with nothing due costs one D1 query", async () => {
    const now = Date.now() + 400 * DAY;
    await drainAt(now);
    const queries = countD1Queries();
    expect(await remindExpiringKeys(env, now)).toEqual({ reminded: 0, pages: 1, more: false });
    expect(queries()).toBe(1);
  });

  it("reminds in pages of 500, each page one read and one batch of three statements, whatever the page holds", async () => {
    const now = Date.now() + 401 * DAY;
    await drainAt(now);
    const ids = await insertKeys(EXPIRY_PAGE_SIZE + 120, now, 3 * DAY);
    const queries = countD1Queries();
    const batches = vi.spyOn(Object.getPrototypeOf(env.DB) as { batch: D1Database["batch"] }, "batch");
    expect(await remindExpiringKeys(env, now)).toEqual({ reminded: EXPIRY_PAGE_SIZE + 120, pages: 2, more: false });
    // Per page: the read, and one batch of the events, the keys' records and whether a webhook endpoint is owed any of them.
    expect(queries()).toBe(2 * 5);
    expect(batches.mock.calls.map(([statements]) => statements.length)).toEqual([3, 3]);
    expect(await reminderCount(ids)).toEqual({ events: ids.length, keys: ids.length });
  });

  it("stops at its page limit and the next run continues where it left off; overlapping runs still write each reminder once", async () => {
    const now = Date.now() + 402 * DAY;
    await drainAt(now);
    const ids = await insertKeys(250, now, 5 * HOUR);
    const limits = { pageSize: 40, maxPages: 2 };
    const queries = countD1Queries();
    expect(await remindExpiringKeys(env, now, limits)).toEqual({ reminded: 80, pages: 2, more: true });
    expect(queries()).toBe(2 * 5);
    expect(await reminderCount(ids)).toEqual({ events: 80, keys: 80 });
    // Three runs at once, then the rest one after another: 250 reminders, one per key.
    await Promise.all([remindExpiringKeys(env, now, limits), remindExpiringKeys(env, now, limits), remindExpiringKeys(env, now, limits)]);
    while ((await remindExpiringKeys(env, now, limits)).more);
    expect(await reminderCount(ids)).toEqual({ events: 250, keys: 250 });
    const { results } = await env.DB
      .prepare("SELECT DISTINCT action, detail ->> '$.window' AS window FROM audit_events WHERE key_id IN (SELECT value FROM json_each(?))")
      .bind(JSON.stringify(ids))
      .all();
    expect(results).toEqual([{ action: "key.expiring", window: "1d" }]);
  });

  it("reads the due keys through the partial index (INDEXED BY: the query fails rather than scan the table)", async () => {
    const { results } = await env.DB
      .prepare(
        `EXPLAIN QUERY PLAN SELECT id, org_id, created_by, expires_at FROM api_keys INDEXED BY api_keys_by_expiry_notice
         WHERE expiry_notice_due_at <= ? ORDER BY expiry_notice_due_at, id LIMIT ?`,
      )
      .bind(Date.now(), 10)
      .all<{ detail: string }>();
    expect(results.map((r) => r.detail).join("\n")).toMatch(/SEARCH api_keys USING INDEX api_keys_by_expiry_notice \(expiry_notice_due_at<\?\)/);
  });
});
