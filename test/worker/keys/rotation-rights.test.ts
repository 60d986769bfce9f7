import { describe, expect, it } from "vitest";
import { call, createKey, type KeyJson, unique, useKey, user } from "../helpers/api";

describe("rotating someone else's key", () => {
  it("refuses an admin the secret of a key that can do more than the admin can", async () => {
    const orgId = unique("org");
    const boss = await user({ orgId, permissions: ["api_keys:admin", "contacts:read"] });
    const member = await user({ orgId, permissions: ["contacts:read", "billing:write"] });
    const { key } = await createKey(member);
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: boss.token, json: {} });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { code: string; detail: string; secret?: string };
    expect(body.code).toBe("rotation_requires_owner");
    expect(body.detail).toContain("Revoke it, or ask its owner to rotate it");
    expect(body.secret).toBeUndefined();
    const listed = (await (await call("GET", "/v1/keys", { token: member.token })).json()) as { keys: KeyJson[] };
    expect(listed.keys).toHaveLength(1);
  });

  it("lets an admin rotate a key whose permissions the admin holds, and the successor acts with the owner's", async () => {
    const orgId = unique("org");
    const boss = await user({ orgId, permissions: ["api_keys:admin", "contacts:read", "billing:write"] });
    const member = await user({ orgId, permissions: ["contacts:read"] });
    const { key } = await createKey(member);
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: boss.token, json: {} });
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };
    expect(((await (await useKey(secret)).json()) as { permissions: string[] }).permissions).toEqual(["contacts:read"]);
  });

  it("lets an admin rotate a scoped key narrowed to permissions the admin holds", async () => {
    const orgId = unique("org");
    const boss = await user({ orgId, permissions: ["api_keys:admin", "contacts:read"] });
    const member = await user({ orgId, permissions: ["contacts:read", "billing:write"] });
    const { key } = await createKey(member, { scopes: ["contacts:read"] });
    expect((await call("POST", `/v1/keys/${key.id}/rotate`, { token: boss.token, json: {} })).status).toBe(201);
  });

  it("still lets the admin revoke the key it may not rotate", async () => {
    const orgId = unique("org");
    const boss = await user({ orgId, permissions: ["api_keys:admin"] });
    const member = await user({ orgId, permissions: ["contacts:read"] });
    const { key } = await createKey(member);
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: boss.token })).status).toBe(200);
  });

  it("marks in the admin's list which keys only their owner can rotate", async () => {
    const orgId = unique("org");
    const boss = await user({ orgId, permissions: ["api_keys:admin", "contacts:read"] });
    const member = await user({ orgId, permissions: ["contacts:read", "billing:write"] });
    const wide = await createKey(member, { name: "wide" });
    const narrow = await createKey(member, { name: "narrow", scopes: ["contacts:read"] });
    const own = await createKey(boss, { name: "own" });
    const listed = (await (await call("GET", "/v1/keys", { token: boss.token })).json()) as { keys: KeyJson[] };
    const flag = (id: string) => listed.keys.find((k) => k.id === id)?.rotationRequiresOwner;
    expect([flag(wide.key.id), flag(narrow.key.id), flag(own.key.id)]).toEqual([true, false, false]);
  });
});
