import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, createKey, type KeyJson, snapshotTables, type TestUser, unique, user, useKey } from "../helpers/api";
import { githubReport, githubSigner, reportBody } from "../leaks/leak-helpers";

function policyOf(orgId: string, options: { token?: string } = {}): Promise<Response> {
  return call("GET", `/v1/admin/orgs/${encodeURIComponent(orgId)}/policy`, { headers: { Authorization: `Bearer ${options.token ?? ADMIN_TOKEN}` } });
}

function putPolicy(orgId: string, json: unknown, options: { token?: string } = {}): Promise<Response> {
  return call("PUT", `/v1/admin/orgs/${encodeURIComponent(orgId)}/policy`, { json, headers: { Authorization: `Bearer ${options.token ?? ADMIN_TOKEN}` } });
}

async function keyOf(owner: TestUser, id: string): Promise<KeyJson> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

async function leakEvent(owner: TestUser, keyId: string): Promise<{ detail: Record<string, unknown> | null } | undefined> {
  const res = await call("GET", `/v1/audit-events?keyId=${keyId}`, { token: owner.token });
  const { events } = (await res.json()) as { events: Array<{ action: string; detail: Record<string, unknown> | null }> };
  return events.find((e) => e.action === "key.leaked");
}

describe("GET/PUT /v1/admin/orgs/{orgId}/policy", () => {
  it("answers the deployment's defaults for an org that never set anything", async () => {
    const orgId = unique("org");
    const res = await policyOf(orgId);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ orgId, settings: { leakPolicy: null }, effective: { leakPolicy: "revoke" }, updatedAt: null });
  });

  it("stores a setting, answers it as it now stands, and null returns the org to the default", async () => {
    const orgId = unique("org");
    const set = await putPolicy(orgId, { leakPolicy: "flag" });
    expect(set.status).toBe(200);
    const body = (await set.json()) as { settings: unknown; effective: unknown; updatedAt: string };
    expect(body.settings).toEqual({ leakPolicy: "flag" });
    expect(body.effective).toEqual({ leakPolicy: "flag" });
    expect(body.updatedAt).toMatch(/Z$/);
    expect(await (await policyOf(orgId)).json()).toEqual(body);

    const reset = (await (await putPolicy(orgId, { leakPolicy: null })).json()) as { settings: unknown; effective: unknown };
    expect(reset.settings).toEqual({ leakPolicy: null });
    expect(reset.effective).toEqual({ leakPolicy: "revoke" });
    // PUT replaces the whole policy: an omitted field is the default too.
    await putPolicy(orgId, { leakPolicy: "flag" });
    expect(((await (await putPolicy(orgId, {})).json()) as { settings: unknown }).settings).toEqual({ leakPolicy: null });
  });

  it("keeps one org's setting to that org", async () => {
    const flagged = unique("org");
    const other = unique("org");
    await putPolicy(flagged, { leakPolicy: "flag" });
    expect(((await (await policyOf(other)).json()) as { effective: unknown }).effective).toEqual({ leakPolicy: "revoke" });
  });

  it.each([
    ["an unknown policy", { leakPolicy: "delete" }],
    ["a misspelt field", { leakpolicy: "flag" }],
    ["a field of the wrong type", { leakPolicy: true }],
    ["an array", [{ leakPolicy: "flag" }]],
  ])("refuses %s with 422 and changes nothing", async (_label, json) => {
    const orgId = unique("org");
    await putPolicy(orgId, { leakPolicy: "flag" });
    const before = await snapshotTables();
    const res = await putPolicy(orgId, json);
    expect(res.status).toBe(422);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("validation_failed");
    expect(await snapshotTables()).toEqual(before);
  });

  it("refuses a body that is not JSON with 4xx problem+json and changes nothing", async () => {
    const orgId = unique("org");
    const before = await snapshotTables();
    const res = await call("PUT", `/v1/admin/orgs/${orgId}/policy`, {
      body: "leakPolicy=flag",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await snapshotTables()).toEqual(before);
  });

  it("refuses without the admin token, and a user's token with the admin permission is not the admin API", async () => {
    const orgId = unique("org");
    const before = await snapshotTables();
    expect((await putPolicy(orgId, { leakPolicy: "flag" }, { token: "wrong-token" })).status).toBe(401);
    const orgAdmin = await user({ orgId, permissions: ["api_keys:admin"] });
    expect((await putPolicy(orgId, { leakPolicy: "flag" }, { token: orgAdmin.token })).status).toBe(401);
    expect((await policyOf(orgId, { token: orgAdmin.token })).status).toBe(401);
    expect(await snapshotTables()).toEqual(before);
  });

  it("answers 404 for an org id outside the id rules", async () => {
    expect((await policyOf("x".repeat(256))).status).toBe(404);
    expect((await putPolicy("org with spaces", { leakPolicy: "flag" })).status).toBe(404);
  });

  it("lets the update that arrived later stand when an earlier one's write lands after it", async () => {
    const orgId = unique("org");
    // Arrival stamps decide, not write order: both writes race, the later arrival wins every time.
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => putPolicy(orgId, { leakPolicy: i % 2 === 0 ? "flag" : "revoke" })));
    const answers = (await Promise.all(results.map((r) => r.json()))) as Array<{ updatedAt: string }>;
    const newest = answers.map((a) => a.updatedAt).sort().at(-1);
    const stored = (await (await policyOf(orgId)).json()) as { updatedAt: string };
    expect(stored.updatedAt).toBe(newest);
  });
});

describe("POST /v1/leaks under each org's own policy", () => {
  it("flags instead of revoking for an org set to flag, while the deployment says revoke", async () => {
    const github = await githubSigner();
    const owner = await user();
    await putPolicy(owner.orgId, { leakPolicy: "flag" });
    const { key, secret } = await createKey(owner);
    const url = `https://github.com/octo/${unique("repo")}/blob/1/.env`;
    expect((await githubReport(github, reportBody([secret], url))).status).toBe(200);
    expect((await useKey(secret)).status).toBe(200);
    const flagged = await keyOf(owner, key.id);
    expect(flagged.status).toBe("active");
    expect(flagged.leak).toEqual({ at: expect.stringMatching(/Z$/), url });
    expect((await leakEvent(owner, key.id))?.detail).toEqual({ url, action: "flagged" });
  });

  it("revokes for an org set to revoke, while the deployment says flag", async () => {
    const github = await githubSigner();
    const owner = await user();
    await putPolicy(owner.orgId, { leakPolicy: "revoke" });
    const { key, secret } = await createKey(owner);
    expect((await githubReport(github, reportBody([secret]), { env: { LEAK_POLICY: "flag" } })).status).toBe(200);
    expect((await useKey(secret)).status).toBe(401);
    expect((await keyOf(owner, key.id)).status).toBe("revoked");
    expect((await leakEvent(owner, key.id))?.detail).toMatchObject({ action: "revoked" });
  });

  it("applies each key's own org in one report that names keys of two orgs", async () => {
    const github = await githubSigner();
    const flagging = await user();
    const revoking = await user();
    await putPolicy(flagging.orgId, { leakPolicy: "flag" });
    const a = await createKey(flagging);
    const b = await createKey(revoking);
    expect((await githubReport(github, reportBody([a.secret, b.secret]))).status).toBe(200);
    expect((await useKey(a.secret)).status).toBe(200);
    expect((await useKey(b.secret)).status).toBe(401);
  });

  it("follows a change of policy from the next report on", async () => {
    const github = await githubSigner();
    const owner = await user();
    await putPolicy(owner.orgId, { leakPolicy: "flag" });
    const first = await createKey(owner);
    await githubReport(github, reportBody([first.secret]));
    expect((await useKey(first.secret)).status).toBe(200);
    await putPolicy(owner.orgId, { leakPolicy: null });
    const second = await createKey(owner);
    await githubReport(github, reportBody([second.secret]));
    expect((await useKey(second.secret)).status).toBe(401);
    // The flagged key's leak was recorded once; a new report under revoke now revokes it.
    await githubReport(github, reportBody([first.secret]));
    expect((await useKey(first.secret)).status).toBe(401);
    expect((await leakEvent(owner, first.key.id))?.detail).toMatchObject({ action: "flagged" });
  });
});
