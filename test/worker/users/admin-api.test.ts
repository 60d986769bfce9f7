import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, ADMIN_TOKEN, call, createKey, user } from "../helpers/api";

const put = (orgId: string, userId: string, json: unknown, token: string | null = ADMIN_TOKEN) =>
  call("PUT", `/v1/admin/orgs/${orgId}/users/${userId}`, { token, json });

describe("PUT /v1/admin/orgs/{orgId}/users/{userId}", () => {
  it("refuses a missing or wrong admin token with 401, and a user's JWT too", async () => {
    const alice = await user();
    expect((await put(alice.orgId, alice.userId, { permissions: [], active: false }, null)).status).toBe(401);
    expect((await put(alice.orgId, alice.userId, { permissions: [], active: false }, `${ADMIN_TOKEN}x`)).status).toBe(401);
    expect((await put(alice.orgId, alice.userId, { permissions: [], active: false }, alice.token)).status).toBe(401);
    expect((await call("GET", "/v1/keys", { token: alice.token })).status).toBe(200);
  });

  it("records permissions and the active flag and returns the user", async () => {
    const alice = await user();
    const res = await put(alice.orgId, alice.userId, { permissions: ["contacts:read"], active: true, name: "Alice" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { orgId: alice.orgId, id: alice.userId, permissions: ["contacts:read"], active: true, name: "Alice" } });
  });

  it("locks a deactivated user out of the management API with 403", async () => {
    const alice = await user();
    await createKey(alice);
    await put(alice.orgId, alice.userId, { permissions: [], active: false });
    const res = await call("GET", "/v1/keys", { token: alice.token });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "user_deactivated" });
  });

  it("keeps a user deactivated even when they present a fresh token", async () => {
    const alice = await user();
    await put(alice.orgId, alice.userId, { permissions: ["contacts:read"], active: false });
    const fresh = await user({ orgId: alice.orgId, userId: alice.userId });
    expect((await call("POST", "/v1/keys", { token: fresh.token, json: { name: "x" } })).status).toBe(403);
  });

  it("audits deactivation and permission changes with the admin API as actor, visible to the org's admin", async () => {
    const alice = await user();
    await call("GET", "/v1/keys", { token: alice.token });
    await put(alice.orgId, alice.userId, { permissions: ["contacts:read"], active: true });
    await put(alice.orgId, alice.userId, { permissions: ["contacts:read"], active: false });
    const boss = await admin(alice.orgId);
    const { events } = (await (await call("GET", "/v1/audit-events", { token: boss.token })).json()) as {
      events: { action: string; actor: { type: string } }[];
    };
    expect(events.slice(0, 2).map((e) => [e.action, e.actor.type])).toEqual([
      ["user.deactivated", "admin_api"],
      ["user.updated", "admin_api"],
    ]);
  });

  it("keeps the stored name when the body leaves it out", async () => {
    const alice = await user({ name: "Alice Original" });
    await call("GET", "/v1/keys", { token: alice.token });
    await put(alice.orgId, alice.userId, { permissions: [], active: true });
    const row = await env.DB.prepare("SELECT name FROM users WHERE org_id = ? AND id = ?").bind(alice.orgId, alice.userId).first("name");
    expect(row).toBe("Alice Original");
  });

  it("answers 405 with Allow for other methods", async () => {
    const res = await call("GET", "/v1/admin/orgs/o/users/u", { token: ADMIN_TOKEN });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("PUT");
  });
});
