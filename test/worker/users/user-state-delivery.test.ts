import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { userAuthorityFor } from "../../../worker/authority/user-authority-client";
import { UserStore } from "../../../worker/users/user-store";
import { call, createKey, putUser, useKey, user } from "../helpers/api";


describe("delivering a user's new state to their keys", () => {
  it("answers 503 when a key's object misses a deactivation, and the user's alarm delivers it later", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200); // placed: pushes reach it from now on
    const chain = authorityFor(env, key.id);
    // The chain's object fails to take pushes for a while, as a broken or unreachable object would.
    const storeOf = (instance: KeyAuthority) => {
      instance.lastUsed(key.id); // opens the object's storage
      return (instance as unknown as { opened: { store: { putCreator: unknown } } }).opened.store;
    };
    await runInDurableObject(chain, (instance: KeyAuthority) => {
      storeOf(instance).putCreator = () => {
        throw new Error("injected: storage unavailable");
      };
    });
    const res = await putUser(alice.orgId, alice.userId, { permissions: alice.permissions, active: false });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: "limiter_unavailable" });
    expect(res.headers.get("Retry-After")).toBe("10");

    await runInDurableObject(chain, (instance: KeyAuthority) => {
      delete storeOf(instance).putCreator;
    });
    expect(await runDurableObjectAlarm(userAuthorityFor(env, { orgId: alice.orgId, userId: alice.userId }))).toBe(true);
    expect(await (await useKey(secret)).json()).toMatchObject({ code: "user_deactivated" });
  });

  it("writes one audit event when the same admin update is delivered twice", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    await createKey(alice);
    const body = { permissions: [], active: true };
    expect((await putUser(alice.orgId, alice.userId, body)).status).toBe(200);
    expect((await putUser(alice.orgId, alice.userId, body)).status).toBe(200);
    const events = await env.DB.prepare("SELECT action FROM audit_events WHERE org_id = ? AND owner_id = ? AND action LIKE 'user.%'")
      .bind(alice.orgId, alice.userId)
      .all();
    expect(events.results).toEqual([{ action: "user.updated" }]);
  });

  it("keeps D1's users row at the newest state when an older write is replayed late", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    await call("GET", "/v1/keys", { token: alice.token });
    await putUser(alice.orgId, alice.userId, { permissions: ["newest:state"], active: true });
    await new UserStore(env.DB)
      .upsert({ orgId: alice.orgId, id: alice.userId, name: null, permissions: ["stale:state"], active: true, updatedAt: 1, version: 1 })
      .run();
    const row = await env.DB.prepare("SELECT permissions FROM users WHERE org_id = ? AND id = ?").bind(alice.orgId, alice.userId).first("permissions");
    expect(JSON.parse(row as string)).toEqual(["newest:state"]);
  });
});
