import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MeResponse } from "../../worker/users/user-schemas";
import { admin, call, type CallOptions, unique, user } from "./helpers/api";

const RATE_LIMITS = [
  { name: "burst", limit: 10, windowSeconds: 1 },
  { name: "minute", limit: 100, windowSeconds: 60 },
];

async function me(token: string, options: Pick<CallOptions, "env"> = {}) {
  const res = await call("GET", "/v1/me", { token, ...options });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return MeResponse.parse(await res.json());
}

describe("GET /v1/me", () => {
  it("answers a member with who they are, their permissions, not admin, and the deployment's limits", async () => {
    const member = await user({ name: "Ada Member", permissions: ["contacts:read", "invoices:write"] });
    expect(await me(member.token)).toEqual({
      user: { id: member.userId, name: "Ada Member" },
      org: { id: member.orgId },
      permissions: ["contacts:read", "invoices:write"],
      isAdmin: false,
      limits: { maxActiveKeys: 50, maxKeyLifetimeDays: 365, rateLimits: RATE_LIMITS },
    });
  });

  it("answers an org admin with isAdmin true and the admin permission among their permissions", async () => {
    const boss = await admin(unique("org"));
    const body = await me(boss.token);
    expect(body.isAdmin).toBe(true);
    expect(body.permissions).toEqual(boss.permissions);
    expect(body).toMatchObject({ user: { id: boss.userId }, org: { id: boss.orgId } });
  });

  it("reports the user's stored permissions: a newer admin update wins over an older token's claims", async () => {
    const member = await user({ permissions: ["contacts:read", "contacts:write"] });
    expect((await me(member.token)).permissions).toEqual(["contacts:read", "contacts:write"]);
    const put = await call("PUT", `/v1/admin/orgs/${encodeURIComponent(member.orgId)}/users/${encodeURIComponent(member.userId)}`, {
      token: env.ADMIN_API_TOKEN,
      json: { permissions: ["contacts:read"], active: true },
    });
    expect(put.status).toBe(200);
    expect((await me(member.token)).permissions).toEqual(["contacts:read"]);
  });

  it("follows the configured limits", async () => {
    const member = await user();
    const body = await me(member.token, { env: { MAX_ACTIVE_KEYS_PER_USER: "7", MAX_KEY_LIFETIME_DAYS: "30" } });
    expect(body.limits).toEqual({ maxActiveKeys: 7, maxKeyLifetimeDays: 30, rateLimits: RATE_LIMITS });
  });

  it("answers 405 with Allow: GET to other methods", async () => {
    const member = await user();
    const res = await call("POST", "/v1/me", { token: member.token, json: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe("GET");
  });
});
