import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../../worker/auth/principal";
import { readConfig } from "../../../worker/config";
import { KeyService } from "../../../worker/manage/key-service";
import { call, createKey, unique, user, type TestUser } from "../helpers/api";

const ORIGIN = { ip: null, userAgent: null };

function principalOf(member: TestUser, isAdmin = false): Principal {
  return { orgId: member.orgId, userId: member.userId, name: member.name, permissions: member.permissions, isAdmin };
}

/** Every refusal's members, as a string: what a refusal says besides its reason must not be HTTP wording. */
function wording(outcome: object): string {
  return JSON.stringify(outcome);
}

describe("KeyService answers expected outcomes as values, not HTTP problems", () => {
  const service = () => new KeyService(env, readConfig(env));

  it("a key that does not exist, or that the principal may not see, is not_found", async () => {
    const owner = await user();
    const { key } = await createKey(owner);
    const stranger = await user({ orgId: unique("org") });
    const colleague = await user({ orgId: owner.orgId });
    expect(await service().get(principalOf(stranger), key.id)).toEqual({ ok: false, reason: "not_found" });
    expect(await service().get(principalOf(colleague), key.id)).toEqual({ ok: false, reason: "not_found" });
    expect(await service().revoke(principalOf(owner), "nope", ORIGIN)).toEqual({ ok: false, reason: "not_found" });
    const found = await service().get(principalOf(owner), key.id);
    expect(found.ok && found.key.id).toBe(key.id);
  });

  it("a revoked key cannot be rotated: key_not_active", async () => {
    const owner = await user();
    const { key } = await createKey(owner);
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: owner.token })).status).toBe(200);
    expect(await service().rotate(principalOf(owner), key.id, undefined, ORIGIN)).toEqual({ ok: false, reason: "key_not_active" });
  });

  it("scopes the principal does not hold: scopes_not_held, naming them, and nothing is written", async () => {
    const owner = await user({ permissions: ["contacts:read"] });
    const outcome = await service().create(principalOf(owner), { name: "Scoped", scopes: ["contacts:read", "billing:admin"] }, ORIGIN);
    expect(outcome).toEqual({ ok: false, reason: "scopes_not_held", missing: ["billing:admin"] });
    expect(wording(outcome)).not.toMatch(/request|body|http|field/i);
    const listed = await service().list(principalOf(owner), {});
    expect(listed.keys).toEqual([]);
  });
});
