import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { userAuthorityFor } from "../../../worker/authority/user-authority-client";
import type { UserUpdate } from "../../../worker/users/user-state";
import { call, createKey, putUser, refreshed, unique, useKey, user } from "../helpers/api";
import { mintToken } from "../helpers/jwt";
import { mulberry32 } from "../helpers/seeded-random";

const seconds = () => Math.floor(Date.now() / 1000);

async function whoamiPermissions(secret: string): Promise<string[]> {
  const res = await useKey(secret);
  expect(res.status).toBe(200);
  return ((await res.json()) as { permissions: string[] }).permissions;
}

describe("the newest word on a user wins", () => {
  it("keeps a permission the admin API removed out of the keys when an older, unexpired token is used again", async () => {
    const alice = await user({ permissions: ["contacts:read", "contacts:write"], issuedAt: seconds() - 60 });
    const { secret } = await createKey(alice);
    expect((await putUser(alice.orgId, alice.userId, { permissions: ["contacts:write"], active: true })).status).toBe(200);

    expect((await call("GET", "/v1/keys", { token: alice.token })).status).toBe(200);
    const scoped = await call("POST", "/v1/keys", { token: alice.token, json: { name: "read", scopes: ["contacts:read"] } });
    expect(scoped.status).toBe(422);
    expect(await whoamiPermissions(secret)).toEqual(["contacts:write"]);
    expect((await useKey(secret, "/api/contacts")).status).toBe(403);
    const row = await env.DB.prepare("SELECT permissions FROM users WHERE org_id = ? AND id = ?").bind(alice.orgId, alice.userId).first("permissions");
    expect(JSON.parse(row as string)).toEqual(["contacts:write"]);
  });

  it("does not let a token issued before an admin cut act as an admin", async () => {
    const orgId = unique("org");
    const boss = await user({ orgId, permissions: ["api_keys:admin", "contacts:read"], issuedAt: seconds() - 60 });
    const member = await user({ orgId, permissions: ["contacts:read"] });
    const { key } = await createKey(member);
    expect((await call("GET", `/v1/keys/${key.id}`, { token: boss.token })).status).toBe(200);

    await putUser(orgId, boss.userId, { permissions: ["contacts:read"], active: true });
    expect((await call("GET", `/v1/keys/${key.id}`, { token: boss.token })).status).toBe(404);
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: boss.token })).status).toBe(404);
  });

  it("applies the claims of a token issued after the admin update", async () => {
    const alice = await user({ permissions: ["contacts:read"], issuedAt: seconds() - 60 });
    const { secret } = await createKey(alice);
    await putUser(alice.orgId, alice.userId, { permissions: [], active: true });
    const later = await refreshed(alice, { permissions: ["contacts:read", "billing:read"] });
    await call("GET", "/v1/keys", { token: later.token });
    expect(await whoamiPermissions(secret)).toEqual(["contacts:read", "billing:read"]);
  });

  it("authenticates a token without iat but never lets it change the stored permissions", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const { secret } = await createKey(alice);
    const now = seconds();
    const noIat = await mintToken({ claims: { sub: alice.userId, org_id: alice.orgId, permissions: ["contacts:read", "billing:read"], exp: now + 60 } });
    const res = await call("POST", "/v1/keys", { token: noIat, json: { name: "scoped", scopes: ["billing:read"] } });
    expect(res.status).toBe(422);
    expect((await call("GET", "/v1/keys", { token: noIat })).status).toBe(200);
    expect(await whoamiPermissions(secret)).toEqual(["contacts:read"]);
  });

  it("keeps the newer of two admin updates whichever reaches the user first", async () => {
    for (let round = 0; round < 10; round++) {
      const ref = { orgId: unique("org"), userId: unique("user") };
      const alice = await user({ ...ref, permissions: ["a:1"] });
      const { secret } = await createKey(alice);
      const coordinator = userAuthorityFor(env, ref);
      const base = Date.now();
      const older: UserUpdate = { source: "admin_api", stamp: base + 1, permissions: ["a:older"], active: true };
      const newer: UserUpdate = { source: "admin_api", stamp: base + 2, permissions: ["a:newer"], active: true };
      const origin = { ip: null, userAgent: null };
      const [first, second] = round % 2 ? [older, newer] : [newer, older];
      await Promise.all([coordinator.adminUpdate(ref, first, origin), coordinator.adminUpdate(ref, second, origin)]);
      expect(await whoamiPermissions(secret)).toEqual(["a:newer"]);
      expect((await coordinator.state(ref)).permissions).toEqual(["a:newer"]);
    }
  });
});

describe("a key chain's copy of its creator", () => {
  it("drops a push older than the state it holds, delivered late and twice", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const { key, secret } = await createKey(alice);
    const chain = authorityFor(env, key.id);
    const creator = { orgId: alice.orgId, userId: alice.userId, name: null, active: true };
    const stamp = Date.now() + 10_000;
    await chain.setCreator({ ...creator, permissions: ["new:state"], version: stamp });
    await chain.setCreator({ ...creator, permissions: ["old:state"], version: stamp - 5 });
    await chain.setCreator({ ...creator, permissions: ["old:state"], version: stamp - 5 });
    expect(await whoamiPermissions(secret)).toEqual(["new:state"]);
  });

  it("does not let a deactivation be undone by an older activation delivered after it", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const chain = authorityFor(env, key.id);
    const creator = { orgId: alice.orgId, userId: alice.userId, name: null, permissions: alice.permissions };
    const stamp = Date.now() + 10_000;
    await chain.setCreator({ ...creator, active: false, version: stamp });
    await chain.setCreator({ ...creator, active: true, version: stamp - 1 });
    expect(await (await useKey(secret)).json()).toMatchObject({ code: "user_deactivated" });
  });
});

describe("the ordering rule under random interleavings", () => {
  it("leaves the newest state in place after admin updates and tokens with random stamps, in any order", { timeout: 60_000 }, async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const next = mulberry32(seed);
      const ref = { orgId: unique("org"), userId: unique("user") };
      const alice = await user({ ...ref, permissions: ["p:0"], issuedAt: seconds() - 3600 });
      const { secret } = await createKey(alice);
      const coordinator = userAuthorityFor(env, ref);
      const base = Date.now() - 1_000_000;
      const stamps = [...new Set(Array.from({ length: 8 }, () => base + Math.floor(next() * 900_000)))];
      const updates: UserUpdate[] = stamps.map((stamp, i) => ({
        source: next() < 0.5 ? "admin_api" : "token",
        stamp,
        permissions: [`p:${i + 1}`],
      }));
      for (const u of updates) if (u.source === "admin_api") u.active = true;
      // Shuffle the delivery order, and deliver some of them concurrently.
      const order = [...updates].sort(() => next() - 0.5);
      const origin = { ip: null, userAgent: null };
      const deliver = (u: UserUpdate) => (u.source === "admin_api" ? coordinator.adminUpdate(ref, u, origin) : coordinator.signIn(ref, u, origin));
      for (let i = 0; i < order.length; ) {
        const batch = order.slice(i, i + 1 + Math.floor(next() * 3));
        await Promise.all(batch.map(deliver));
        i += batch.length;
      }
      const newest = updates.reduce((a, b) => (b.stamp > a.stamp ? b : a));
      expect(await whoamiPermissions(secret), `seed ${seed}`).toEqual(newest.permissions);
      expect((await coordinator.state(ref)).permissions, `seed ${seed}`).toEqual(newest.permissions);
    }
  });
});
