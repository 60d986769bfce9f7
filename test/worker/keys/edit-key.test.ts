import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { userAuthorityFor } from "../../../worker/authority/user-authority-client";
import type { UserAuthority } from "../../../worker/authority/user-authority";
import { admin, call, createKey, type KeyJson, snapshotTables, type TestUser, unique, useKey, user } from "../helpers/api";

const MINUTE = 60_000;
const DAY = 86_400_000;

/** An instant `ms` from now, whole seconds, as RFC 3339. */
function inFuture(ms: number): string {
  return new Date(Math.floor((Date.now() + ms) / 1000) * 1000).toISOString();
}

function edit(token: string, id: string, json: unknown): Promise<Response> {
  return call("PATCH", `/v1/keys/${encodeURIComponent(id)}`, { token, json });
}

async function edited(token: string, id: string, json: unknown): Promise<KeyJson> {
  const res = await edit(token, id, json);
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return ((await res.json()) as { key: KeyJson }).key;
}

async function stored(owner: TestUser, id: string): Promise<KeyJson> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

/** The key as its Durable Object holds it: the name and expiry the edge decides with (null: no object holds it yet). */
function atEdge(id: string): Promise<{ name: string; expiresAt: number | null } | null> {
  return runInDurableObject(authorityFor(env, id), (_authority: KeyAuthority, state) =>
    state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'keys'").toArray().length === 0
      ? null
      : state.storage.sql.exec<{ name: string; expiresAt: number | null }>("SELECT name, expires_at AS expiresAt FROM keys WHERE id = ?", id).one(),
  );
}

function setEdgeClock(id: string, at: number): Promise<void> {
  return runInDurableObject(authorityFor(env, id), (authority: KeyAuthority) => void (authority.clock = () => at));
}

async function updatedEvents(reader: TestUser, keyId: string): Promise<Array<{ action: string; actor: { type: string; id: string }; keyId: string }>> {
  const res = await call("GET", "/v1/audit-events?limit=100", { token: reader.token });
  expect(res.status).toBe(200);
  const { events } = (await res.json()) as { events: Array<{ action: string; actor: { type: string; id: string }; keyId: string }> };
  return events.filter((e) => e.action === "key.updated" && e.keyId === keyId);
}

async function problem(res: Response): Promise<{ status: number; type: string | null; code: string; errors?: Array<{ field: string; message: string }> }> {
  const body = (await res.json()) as { code: string; errors?: Array<{ field: string; message: string }> };
  return { status: res.status, type: res.headers.get("Content-Type"), code: body.code, errors: body.errors };
}

describe("PATCH /v1/keys/{id}", () => {
  it("renames a key: the response, the stored key and /api/whoami show the new name at once", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { name: "Old name" });
    expect(((await (await useKey(secret)).json()) as { key: { name: string } }).key.name).toBe("Old name");
    const body = await edited(alice.token, key.id, { name: "  New name  " });
    expect(body).toMatchObject({ id: key.id, name: "New name", expiresAt: key.expiresAt, status: "active" });
    const whoami = await useKey(secret);
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { key: { id: string; name: string } }).key).toEqual({ id: key.id, name: "New name" });
    expect((await stored(alice, key.id)).name).toBe("New name");
    expect(await atEdge(key.id)).toEqual({ name: "New name", expiresAt: null });
  });

  it("shortens an expiry: the edge refuses the key from the new instant on, without waiting for D1", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { expiresAt: inFuture(30 * DAY) });
    const earlier = inFuture(2 * DAY);
    const body = await edited(alice.token, key.id, { expiresAt: earlier });
    expect(body.expiresAt).toBe(earlier);
    expect((await stored(alice, key.id)).expiresAt).toBe(earlier);
    const at = Date.parse(earlier);
    expect((await atEdge(key.id))!.expiresAt).toBe(at);
    // Move the chain's clock instead of sleeping.
    await setEdgeClock(key.id, at - 1);
    expect((await useKey(secret)).status).toBe(200);
    await setEdgeClock(key.id, at);
    const refused = await useKey(secret);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "api_key_expired" });
  });

  it("gives a key without expiry one (any allowed instant is earlier), renaming it in the same edit", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const expiresAt = inFuture(365 * DAY - MINUTE);
    const body = await edited(alice.token, key.id, { name: "Temporary", expiresAt });
    expect(body).toMatchObject({ name: "Temporary", expiresAt });
    expect(await atEdge(key.id)).toEqual({ name: "Temporary", expiresAt: Date.parse(expiresAt) });
    expect(await stored(alice, key.id)).toMatchObject({ name: "Temporary", expiresAt });
  });

  it("tells the owner's coordinator, so the shortened key stops counting against the cap when it expires", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { expiresAt: inFuture(30 * DAY) });
    const expiresAt = inFuture(DAY);
    await edited(alice.token, key.id, { expiresAt });
    const owned = await runInDurableObject(userAuthorityFor(env, alice), (_coordinator: UserAuthority, state) =>
      state.storage.sql.exec<{ at: number }>("SELECT expires_at AS at FROM owned_keys WHERE id = ?", key.id).one().at,
    );
    expect(owned).toBe(Date.parse(expiresAt));
  });

  it("gives a rotated successor the shortened lifetime, so a rotation cannot undo the edit", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const expiresAt = inFuture(DAY);
    await edited(alice.token, key.id, { expiresAt });
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: {} });
    expect(res.status).toBe(201);
    const { key: successor } = (await res.json()) as { key: KeyJson };
    const lifetime = Date.parse(expiresAt) - Date.parse(key.createdAt);
    expect(Date.parse(successor.expiresAt!)).toBe(Date.parse(successor.createdAt) + lifetime);
  });

  for (const [label, expiresAt, message] of [
    ["later than the current expiry", () => inFuture(40 * DAY), /only move earlier/],
    ["null (removing the expiry)", () => null, /cannot be removed/],
    ["in the past", () => inFuture(-MINUTE), /at least one minute in the future/],
    ["less than a minute ahead", () => inFuture(30_000), /at least one minute in the future/],
    ["beyond MAX_KEY_LIFETIME_DAYS", () => inFuture(366 * DAY), /at most 365 days/],
    ["without a zone", () => "2030-01-01T00:00:00", /RFC 3339/],
    ["not a date", () => "tomorrow", /RFC 3339/],
    ["a number", () => Date.now() + DAY, /RFC 3339/],
  ] as const) {
    it(`refuses an expiry ${label} with 422, and nothing changes`, async () => {
      const alice = await user();
      const { key, secret } = await createKey(alice, { expiresAt: inFuture(30 * DAY) });
      const before = await snapshotTables();
      const edge = await atEdge(key.id);
      const res = await edit(alice.token, key.id, { expiresAt: expiresAt() });
      const body = await problem(res);
      expect(body).toMatchObject({ status: 422, type: "application/problem+json", code: "validation_failed" });
      expect(body.errors).toEqual([{ field: "expiresAt", message: expect.stringMatching(message) }]);
      expect(await snapshotTables()).toBe(before);
      expect(await atEdge(key.id)).toEqual(edge);
      expect((await useKey(secret)).status).toBe(200);
    });
  }

  for (const [label, send] of [
    ["an empty object", { json: {} }],
    ["an unknown field", { json: { name: "x", scopes: ["contacts:read"] } }],
    ["only an unknown field", { json: { revokedAt: "2030-01-01T00:00:00Z" } }],
    ["a __proto__ member", { body: '{"name":"x","__proto__":{"admin":true}}', headers: { "Content-Type": "application/json" } }],
    ["an empty name", { json: { name: "   " } }],
    ["a name that is too long", { json: { name: "x".repeat(65) } }],
    ["a name with a bidi override", { json: { name: "abc\u202Edef" } }],
    ["a name that is not a string", { json: { name: 42 } }],
    ["a null name", { json: { name: null } }],
    ["an array", { json: [{ name: "x" }] }],
    ["malformed JSON", { body: "{", headers: { "Content-Type": "application/json" } }],
    ["no body", {}],
    ["a body that is not JSON", { body: "name=x", headers: { "Content-Type": "application/x-www-form-urlencoded" } }],
  ] as const) {
    it(`refuses ${label} with a problem, and nothing changes`, async () => {
      const alice = await user();
      const { key } = await createKey(alice, { name: "Unchanged", expiresAt: inFuture(30 * DAY) });
      const before = await snapshotTables();
      const edge = await atEdge(key.id);
      const res = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, ...send });
      const body = await problem(res);
      expect(body.status).toBeGreaterThanOrEqual(400);
      expect(body.status).toBeLessThan(500);
      expect(body.type).toBe("application/problem+json");
      expect(await snapshotTables()).toBe(before);
      expect(await atEdge(key.id)).toEqual(edge);
    });
  }

  it("answers 409 key_not_active for a revoked key, and nothing changes", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token })).status).toBe(200);
    const before = await snapshotTables();
    const body = await problem(await edit(alice.token, key.id, { name: "Too late" }));
    expect(body).toMatchObject({ status: 409, code: "key_not_active" });
    expect(await snapshotTables()).toBe(before);
  });

  it("answers 409 key_not_active for a key that has expired at the edge, even while D1 still says active", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { expiresAt: inFuture(DAY) });
    expect((await useKey(secret)).status).toBe(200); // its object holds it (placed_at set) before the snapshot
    await setEdgeClock(key.id, Date.parse(key.expiresAt!));
    const before = await snapshotTables();
    const body = await problem(await edit(alice.token, key.id, { name: "Too late" }));
    expect(body).toMatchObject({ status: 409, code: "key_not_active" });
    expect(await snapshotTables()).toBe(before);
    expect((await atEdge(key.id))!.name).toBe(key.name);
  });

  it("answers another org's key exactly like a missing one, and another member's with 404", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const intruder = await admin(unique("org_other"));
    const colleague = await user({ orgId: alice.orgId });
    // Their first sign-in records them; only what the edits would change is compared below.
    for (const signedIn of [intruder, colleague]) expect((await call("GET", "/v1/me", { token: signedIn.token })).status).toBe(200);
    const before = await snapshotTables();
    const foreign = await problem(await edit(intruder.token, key.id, { name: "Mine now" }));
    const missing = await problem(await edit(intruder.token, "AAAAAAAAAAAAAAAA", { name: "Mine now" }));
    expect(foreign).toEqual(missing);
    expect(foreign).toMatchObject({ status: 404, code: "not_found" });
    expect(await problem(await edit(colleague.token, key.id, { name: "Mine now" }))).toMatchObject({ status: 404, code: "not_found" });
    expect(await snapshotTables()).toBe(before);
  });

  it("lets an org admin rename and shorten a member's key, audited with the admin as actor and visible to the owner", async () => {
    const alice = await user();
    const boss = await admin(alice.orgId);
    const { key } = await createKey(alice, { expiresAt: inFuture(30 * DAY) });
    const expiresAt = inFuture(DAY);
    expect(await edited(boss.token, key.id, { name: "Renamed by admin", expiresAt })).toMatchObject({
      name: "Renamed by admin",
      expiresAt,
      createdBy: { id: alice.userId },
    });
    const events = await updatedEvents(alice, key.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.actor).toEqual({ type: "user", id: boss.userId });
  });

  it("writes one key.updated event per edit, and none for an edit that changes nothing", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { name: "Same", expiresAt: inFuture(30 * DAY) });
    await edited(alice.token, key.id, { name: "Other" });
    expect(await updatedEvents(alice, key.id)).toEqual([expect.objectContaining({ actor: { type: "user", id: alice.userId }, keyId: key.id })]);
    const before = await snapshotTables();
    expect(await edited(alice.token, key.id, { name: "Other", expiresAt: key.expiresAt })).toMatchObject({ name: "Other", expiresAt: key.expiresAt });
    expect(await snapshotTables()).toBe(before);
    await edited(alice.token, key.id, { expiresAt: inFuture(20 * DAY) });
    expect(await updatedEvents(alice, key.id)).toHaveLength(2);
  });

  it("checks 'earlier' against the key's Durable Object, not only D1: a later expiry loses even when D1 is behind", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { expiresAt: inFuture(30 * DAY) });
    // The object takes an earlier expiry whose D1 write is still owed (no outbox ops here).
    const earliest = Date.parse(inFuture(5 * DAY));
    const direct = await authorityFor(env, key.id).edit(key.id, { expiresAt: earliest }, []);
    expect(direct).toMatchObject({ ok: true, expiresAt: earliest });
    expect(await authorityFor(env, key.id).edit(key.id, { expiresAt: earliest + 1 }, [])).toEqual({ ok: false, reason: "not_earlier", expiresAt: earliest });
    // D1 still says 30 days, so the service's own check passes; the object refuses.
    const body = await problem(await edit(alice.token, key.id, { expiresAt: inFuture(10 * DAY) }));
    expect(body).toMatchObject({ status: 422, code: "validation_failed" });
    expect(body.errors![0]!.message).toMatch(/only move earlier/);
    expect((await atEdge(key.id))!.expiresAt).toBe(earliest);
    // A rotation that read D1's later expiry keeps the object's earlier one too.
    expect((await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: {} })).status).toBe(201);
    expect((await atEdge(key.id))!.expiresAt).toBe(earliest);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("never ends later than the earliest accepted expiry when an earlier and a later edit race", async () => {
    const alice = await user();
    for (let round = 0; round < 5; round++) {
      const { key } = await createKey(alice, { expiresAt: inFuture(30 * DAY) });
      const earlier = inFuture(10 * DAY);
      const later = inFuture(20 * DAY);
      const order = round % 2 === 0 ? [earlier, later] : [later, earlier];
      const responses = await Promise.all(order.map((expiresAt) => edit(alice.token, key.id, { expiresAt })));
      const accepted: string[] = [];
      for (const [i, res] of responses.entries()) {
        if (res.status === 200) accepted.push(order[i]!);
        else expect(await problem(res)).toMatchObject({ status: 422, code: "validation_failed" });
      }
      expect(accepted).toContain(earlier);
      expect((await atEdge(key.id))!.expiresAt).toBe(Date.parse(earlier));
      expect((await stored(alice, key.id)).expiresAt).toBe(earlier);
      expect(await updatedEvents(alice, key.id)).toHaveLength(accepted.length);
    }
  });
});
