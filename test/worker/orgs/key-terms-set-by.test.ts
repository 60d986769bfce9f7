// keyTermsSetBy: who may set a key's own rate limits and credits. With "operator", only the host
// backend (ADMIN_API_TOKEN, PATCH /v1/admin/orgs/{orgId}/keys/{id}) may: a member can neither lift
// nor top up their own credits, nor change their limits (which would also let windows that span
// the change exceed the org's ceiling).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, admin, call, createKey, type KeyJson, snapshotTables, type TestUser, unique, user, useKey } from "../helpers/api";
import { statuses } from "../helpers/key-terms";
import { setPolicy } from "./policy-helpers";

const CREDITS = { remaining: 2, refill: { amount: 2, interval: "month" } };

function operator(orgId: string, id: string, json: unknown, token = ADMIN_TOKEN): Promise<Response> {
  return call("PATCH", `/v1/admin/orgs/${orgId}/keys/${id}`, { token, json });
}

async function operatorOrgMember(): Promise<TestUser> {
  const member = await user();
  await setPolicy(member.orgId, { keyTermsSetBy: "operator" });
  // Signed in once, so a snapshot taken after this sees only what a request changes.
  expect((await call("GET", "/v1/keys", { token: member.token })).status).toBe(200);
  return member;
}

async function refusal(res: Response): Promise<{ status: number; code: string; detail: string }> {
  const body = (await res.json()) as { code: string; detail: string };
  return { status: res.status, code: body.code, detail: body.detail };
}

describe("keyTermsSetBy: operator", () => {
  it("refuses limits and credits from members and the org's admins with 403, changing nothing, and lets every other edit through", async () => {
    const member = await operatorOrgMember();
    const orgAdmin = await admin(member.orgId);
    expect((await call("GET", "/v1/keys", { token: orgAdmin.token })).status).toBe(200);
    const { key } = await createKey(member, { credits: null });
    expect(key.credits).toBeNull();
    const before = await snapshotTables();
    const attempts: Array<[TestUser, string, string, Record<string, unknown>]> = [
      [member, "POST", "/v1/keys", { name: "mine", credits: { remaining: 1_000_000 } }],
      [member, "POST", "/v1/keys", { name: "mine", limits: [{ name: "burst", limit: 5, windowSeconds: 1 }] }],
      [member, "PATCH", `/v1/keys/${key.id}`, { credits: { remaining: 1_000_000 } }],
      [member, "PATCH", `/v1/keys/${key.id}`, { credits: null }],
      [member, "PATCH", `/v1/keys/${key.id}`, { limits: null }],
      [member, "PATCH", `/v1/keys/${key.id}`, { name: "renamed", credits: { remaining: 5 } }],
      [orgAdmin, "PATCH", `/v1/keys/${key.id}`, { credits: { remaining: 5 } }],
      [orgAdmin, "POST", "/v1/keys", { name: "theirs", limits: [{ name: "burst", limit: 5, windowSeconds: 1 }] }],
    ];
    for (const [who, method, path, json] of attempts) {
      const answer = await refusal(await call(method, path, { token: who.token, json }));
      expect(answer, `${method} ${path} ${JSON.stringify(json)}`).toMatchObject({ status: 403, code: "forbidden" });
      expect(answer.detail).toContain("keyTermsSetBy: operator");
    }
    expect(await snapshotTables()).toEqual(before);
    const renamed = await call("PATCH", `/v1/keys/${key.id}`, { token: member.token, json: { name: "renamed", enabled: false } });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { key: KeyJson }).key).toMatchObject({ name: "renamed", enabled: false });
  });

  it("lets the operator set, top up and lift a key's credits and limits, enforced at once at the edge and audited as admin_api", async () => {
    const member = await operatorOrgMember();
    const { key, secret } = await createKey(member);
    const set = await operator(member.orgId, key.id, { credits: CREDITS });
    expect(set.status, await set.clone().text()).toBe(200);
    expect(((await set.json()) as { key: KeyJson }).key.credits).toMatchObject({ remaining: 2, refill: CREDITS.refill });
    expect(statuses(await Promise.all(Array.from({ length: 6 }, () => useKey(secret))))).toEqual({ 200: 2, 429: 4 });
    const topped = await operator(member.orgId, key.id, { credits: { add: 3 } });
    expect(((await topped.json()) as { key: KeyJson }).key.credits).toMatchObject({ remaining: 3 });
    const slow = [{ name: "slow", limit: 3, windowSeconds: 60 }];
    const limited = await operator(member.orgId, key.id, { limits: slow, credits: null });
    expect(((await limited.json()) as { key: KeyJson }).key).toMatchObject({ credits: null, limits: slow });
    // Free now, but 3 in any minute, 2 of them already spent above: 1 more.
    expect(statuses(await Promise.all(Array.from({ length: 4 }, () => useKey(secret))))).toEqual({ 200: 1, 429: 3 });
    const { results } = await env.DB.prepare("SELECT actor_type, actor_id FROM audit_events WHERE key_id = ? AND action = 'key.updated'")
      .bind(key.id)
      .all<{ actor_type: string; actor_id: string }>();
    expect(results).toEqual(Array.from({ length: 3 }, () => ({ actor_type: "admin_api", actor_id: "admin_api" })));
    // The member sees what the operator set.
    const seen = await call("GET", `/v1/keys/${key.id}`, { token: member.token });
    expect(((await seen.json()) as { key: KeyJson }).key.limits).toEqual(slow);
  });

  it("refuses a wrong token, another org's key, an empty body, limits above the ceiling and a top-up of a key without credits, changing nothing", async () => {
    const member = await operatorOrgMember();
    const stranger = await user();
    const { key } = await createKey(member);
    const theirs = await createKey(stranger);
    const before = await snapshotTables();
    expect((await operator(member.orgId, key.id, { credits: CREDITS }, member.token)).status).toBe(401);
    expect(await refusal(await operator(member.orgId, theirs.key.id, { credits: CREDITS }))).toMatchObject({ status: 404, code: "not_found" });
    expect(await refusal(await operator(member.orgId, unique("nokey"), { credits: CREDITS }))).toMatchObject({ status: 404, code: "not_found" });
    for (const json of [{}, { name: "x" }, { enabled: false }, { limits: [{ name: "daily", limit: 5000, windowSeconds: 86_400 }] }, { credits: { add: 5 } }]) {
      expect((await refusal(await operator(member.orgId, key.id, json))).status, JSON.stringify(json)).toBe(422);
    }
    expect(await snapshotTables()).toEqual(before);
  });
});

describe("keyTermsSetBy: owners (the default)", () => {
  it("shows owners in the effective policy and lets owners set their keys' terms; the operator route works too", async () => {
    const alice = await user();
    const policy = await call("GET", "/v1/org/policy", { token: alice.token });
    expect(((await policy.json()) as { policy: { keyTermsSetBy: string } }).policy.keyTermsSetBy).toBe("owners");
    const { key } = await createKey(alice, { credits: { remaining: 5 } });
    expect((await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { credits: { add: 5 } } })).status).toBe(200);
    const res = await operator(alice.orgId, key.id, { credits: { add: 1 } });
    expect(((await res.json()) as { key: KeyJson }).key.credits).toMatchObject({ remaining: 11 });
  });

  it("refuses a keyTermsSetBy other than owners and operator with 422", async () => {
    const res = await call("PUT", `/v1/admin/orgs/${unique("org")}/policy`, { token: ADMIN_TOKEN, json: { keyTermsSetBy: "members" } });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(["keyTermsSetBy"]);
  });
});
