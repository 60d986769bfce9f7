import { describe, expect, it } from "vitest";
import type { EventView } from "../../../worker/audit/audit-schemas";
import { admin, ADMIN_TOKEN, call, createKey, type TestUser, unique, user } from "../helpers/api";


/** A request origin unique to one test, so a leak of it cannot be mistaken for another's. */
function origin(label: string) {
  const n = Math.floor(Math.random() * 250) + 1;
  return { ip: `198.51.100.${n}`, userAgent: unique(`agent-${label}`) };
}

function originHeaders(from: { ip: string; userAgent: string }) {
  return { "CF-Connecting-IP": from.ip, "User-Agent": from.userAgent };
}

/** Every audit event the user may read, newest first. */
async function auditOf(reader: TestUser): Promise<EventView[]> {
  const res = await call("GET", "/v1/audit-events", { token: reader.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: EventView[] }).events;
}

/** Has the admin API record a permission change for the user, from the given origin. */
async function changePermissionsByAdminApi(target: TestUser, from: { ip: string; userAgent: string }): Promise<void> {
  const res = await call("PUT", `/v1/admin/orgs/${target.orgId}/users/${target.userId}`, {
    token: ADMIN_TOKEN,
    json: { permissions: ["contacts:read"], active: true },
    headers: originHeaders(from),
  });
  expect(res.status).toBe(200);
}

describe("audit privacy: what a member sees", () => {
  it("shows a member the IP and user agent of an event they performed themselves", async () => {
    const alice = await user();
    const from = origin("alice");
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "own" }, headers: originHeaders(from) });
    const { key } = (await res.json()) as { key: { id: string } };
    const created = (await auditOf(alice)).find((e) => e.keyId === key.id && e.action === "key.created");
    expect(created).toMatchObject({ actor: { type: "user", id: alice.userId }, ip: from.ip, userAgent: from.userAgent });
  });

  it("shows a member an admin's revocation of their key, with IP and user agent null", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const boss = await admin(alice.orgId);
    const from = origin("boss");
    const revoke = await call("POST", `/v1/keys/${key.id}/revoke`, { token: boss.token, headers: originHeaders(from) });
    expect(revoke.status).toBe(200);
    const revoked = (await auditOf(alice)).find((e) => e.keyId === key.id && e.action === "key.revoked");
    expect(revoked).toMatchObject({ actor: { type: "user", id: boss.userId }, ip: null, userAgent: null });
  });

  it("shows a member the admin API's change to their account, with IP and user agent null", async () => {
    const alice = await user();
    await auditOf(alice);
    await changePermissionsByAdminApi(alice, origin("admin-api"));
    const updated = (await auditOf(alice)).find((e) => e.actor.type === "admin_api");
    expect(updated).toMatchObject({ action: "user.updated", keyId: null, ip: null, userAgent: null });
  });

  it("never puts another actor's IP or user agent anywhere in a member's audit response", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const boss = await admin(alice.orgId);
    const fromBoss = origin("boss");
    const fromAdminApi = origin("admin-api");
    await call("POST", `/v1/keys/${key.id}/rotate`, { token: boss.token, json: { graceSeconds: 60 }, headers: originHeaders(fromBoss) });
    await changePermissionsByAdminApi(alice, fromAdminApi);
    const body = await (await call("GET", "/v1/audit-events", { token: alice.token })).text();
    expect(body).toContain(key.id);
    for (const secret of [fromBoss.userAgent, fromAdminApi.userAgent]) expect(body).not.toContain(secret);
  });
});

describe("audit privacy: what an org admin sees", () => {
  it("shows an org admin the IP and user agent of a member's own action", async () => {
    const alice = await user();
    const from = origin("alice");
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "member" }, headers: originHeaders(from) });
    const { key } = (await res.json()) as { key: { id: string } };
    const boss = await admin(alice.orgId);
    const created = (await auditOf(boss)).find((e) => e.keyId === key.id && e.action === "key.created");
    expect(created).toMatchObject({ actor: { type: "user", id: alice.userId }, ip: from.ip, userAgent: from.userAgent });
  });

  it("shows an org admin the IP and user agent of the admin API's change to a member", async () => {
    const alice = await user();
    await auditOf(alice);
    const from = origin("admin-api");
    await changePermissionsByAdminApi(alice, from);
    const boss = await admin(alice.orgId);
    const updated = (await auditOf(boss)).find((e) => e.actor.type === "admin_api" && e.action === "user.updated");
    expect(updated).toMatchObject({ ip: from.ip, userAgent: from.userAgent });
  });
});

describe("audit privacy: whose events a member sees", () => {
  it("does not show a member the events of another member's keys or account", async () => {
    const alice = await user();
    const bob = await user({ orgId: alice.orgId });
    const { key: ownKey } = await createKey(alice);
    const { key: bobsKey } = await createKey(bob);
    await changePermissionsByAdminApi(bob, origin("admin-api"));
    const events = await auditOf(alice);
    expect(events.map((e) => e.keyId)).toContain(ownKey.id);
    expect(events.some((e) => e.keyId === bobsKey.id || e.actor.id === bob.userId)).toBe(false);
    expect(events.filter((e) => e.actor.type === "admin_api")).toEqual([]);
  });

  it("does not show a member the events of a user with the same id in another org", async () => {
    const alice = await user();
    const twin = await user({ userId: alice.userId });
    const { key: twinsKey } = await createKey(twin);
    const { key: ownKey } = await createKey(alice);
    const keyIds = (await auditOf(alice)).map((e) => e.keyId);
    expect(keyIds).toContain(ownKey.id);
    expect(keyIds).not.toContain(twinsKey.id);
  });
});
