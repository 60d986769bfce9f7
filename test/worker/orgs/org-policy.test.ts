import { describe, expect, it } from "vitest";
import { DEFAULT_KEY_LIMIT_CEILING } from "../../../worker/orgs/org-policy";
import { POLICIES } from "../../../worker/limiter/sliding-window";
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

const UNSET = {
  leakPolicy: null,
  requireExpiry: null,
  maxKeyLifetimeDays: null,
  defaultExpiryDays: null,
  maxActiveKeysPerUser: null,
  keyLimitCeiling: null,
  membersMayCreateKeys: null,
  revokeUnusedAfterDays: null,
  keyTermsSetBy: null,
};

/** The test deployment's defaults (wrangler.toml's MAX_KEY_LIFETIME_DAYS and MAX_ACTIVE_KEYS_PER_USER, unset LEAK_POLICY). */
const DEFAULTS = {
  leakPolicy: "revoke",
  requireExpiry: false,
  maxKeyLifetimeDays: 365,
  defaultExpiryDays: null,
  maxActiveKeysPerUser: 50,
  keyLimitCeiling: [
    { windowSeconds: 1, limit: 10 },
    { windowSeconds: 60, limit: 100 },
  ],
  membersMayCreateKeys: true,
  revokeUnusedAfterDays: null,
  keyTermsSetBy: "owners",
};

describe("GET/PUT /v1/admin/orgs/{orgId}/policy", () => {
  it("answers the deployment's defaults for an org that never set anything", async () => {
    const orgId = unique("org");
    const res = await policyOf(orgId);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ orgId, settings: UNSET, effective: DEFAULTS, updatedAt: null });
  });

  it("keeps the default ceiling equal to the limiter's fixed policies", () => {
    expect(DEFAULT_KEY_LIMIT_CEILING).toEqual(POLICIES.map((p) => ({ windowSeconds: p.windowMs / 1000, limit: p.quota })));
  });

  it("stores every key policy, answers it as it stands, and a PUT that omits them returns each to its default", async () => {
    const orgId = unique("org");
    const settings = {
      leakPolicy: "flag",
      requireExpiry: true,
      maxKeyLifetimeDays: 90,
      defaultExpiryDays: 30,
      maxActiveKeysPerUser: 3,
      keyLimitCeiling: [
        { windowSeconds: 86_400, limit: 100_000 },
        { windowSeconds: 1, limit: 50 },
      ],
      membersMayCreateKeys: false,
      revokeUnusedAfterDays: 60,
      keyTermsSetBy: "operator",
    };
    const res = await putPolicy(orgId, settings);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { settings: unknown; effective: unknown };
    // The ceiling is stored shortest window first.
    const sorted = { ...settings, keyLimitCeiling: [settings.keyLimitCeiling[1], settings.keyLimitCeiling[0]] };
    expect(body.settings).toEqual(sorted);
    expect(body.effective).toEqual(sorted);
    expect(await (await policyOf(orgId)).json()).toEqual(body);
    const reset = (await (await putPolicy(orgId, { leakPolicy: "flag" })).json()) as { settings: unknown; effective: unknown };
    expect(reset.settings).toEqual({ ...UNSET, leakPolicy: "flag" });
    expect(reset.effective).toEqual({ ...DEFAULTS, leakPolicy: "flag" });
  });

  it("falls back to the deployment's vars for the lifetime and the cap", async () => {
    const orgId = unique("org");
    await putPolicy(orgId, { requireExpiry: false });
    const res = await call("GET", `/v1/admin/orgs/${orgId}/policy`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
      env: { MAX_KEY_LIFETIME_DAYS: "30", MAX_ACTIVE_KEYS_PER_USER: "7" },
    });
    expect(((await res.json()) as { effective: unknown }).effective).toEqual({ ...DEFAULTS, maxKeyLifetimeDays: 30, maxActiveKeysPerUser: 7 });
  });

  it.each([
    ["a lifetime of 0 days", { maxKeyLifetimeDays: 0 }, "maxKeyLifetimeDays"],
    ["a fractional lifetime", { maxKeyLifetimeDays: 1.5 }, "maxKeyLifetimeDays"],
    ["a lifetime past ten years", { maxKeyLifetimeDays: 3651 }, "maxKeyLifetimeDays"],
    ["a lifetime as a string", { maxKeyLifetimeDays: "90" }, "maxKeyLifetimeDays"],
    ["requireExpiry as a string", { requireExpiry: "true" }, "requireExpiry"],
    ["a default expiry past the org's maximum", { maxKeyLifetimeDays: 30, defaultExpiryDays: 31 }, "defaultExpiryDays"],
    ["a default expiry past MAX_KEY_LIFETIME_DAYS", { defaultExpiryDays: 366 }, "defaultExpiryDays"],
    ["a cap of 0", { maxActiveKeysPerUser: 0 }, "maxActiveKeysPerUser"],
    ["a negative cap", { maxActiveKeysPerUser: -1 }, "maxActiveKeysPerUser"],
    ["an empty ceiling", { keyLimitCeiling: [] }, "keyLimitCeiling"],
    ["a ceiling window of 0 s", { keyLimitCeiling: [{ windowSeconds: 0, limit: 1 }] }, "keyLimitCeiling.0.windowSeconds"],
    ["a ceiling window past 24 h", { keyLimitCeiling: [{ windowSeconds: 86_401, limit: 1 }] }, "keyLimitCeiling.0.windowSeconds"],
    ["a ceiling limit of 0", { keyLimitCeiling: [{ windowSeconds: 1, limit: 0 }] }, "keyLimitCeiling.0.limit"],
    ["a ceiling entry with an unknown field", { keyLimitCeiling: [{ windowSeconds: 1, limit: 1, name: "burst" }] }, "keyLimitCeiling.0"],
    [
      "a ceiling naming one window twice",
      {
        keyLimitCeiling: [
          { windowSeconds: 60, limit: 1 },
          { windowSeconds: 60, limit: 2 },
        ],
      },
      "keyLimitCeiling",
    ],
    ["a ceiling of 11 windows", { keyLimitCeiling: Array.from({ length: 11 }, (_, i) => ({ windowSeconds: i + 1, limit: 5 })) }, "keyLimitCeiling"],
    ["membersMayCreateKeys as a number", { membersMayCreateKeys: 0 }, "membersMayCreateKeys"],
    ["unused-key revocation within the 7-day notice", { revokeUnusedAfterDays: 7 }, "revokeUnusedAfterDays"],
  ])("refuses %s with 422 naming the field, and changes nothing", async (_label, json, field) => {
    const orgId = unique("org");
    await putPolicy(orgId, { leakPolicy: "flag", maxActiveKeysPerUser: 5 });
    const before = await snapshotTables();
    const stored = await (await policyOf(orgId)).json();
    const res = await putPolicy(orgId, json);
    expect(res.status).toBe(422);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    const problem = (await res.json()) as { code: string; errors: Array<{ field: string; message: string }> };
    expect(problem.code).toBe("validation_failed");
    expect(problem.errors.map((e) => e.field)).toContain(field);
    expect(await snapshotTables()).toEqual(before);
    expect(await (await policyOf(orgId)).json()).toEqual(stored);
  });

  it("accepts the edges: 1-day lifetime with a 1-day default, 8 days of disuse, a 24-hour window", async () => {
    const orgId = unique("org");
    const res = await putPolicy(orgId, {
      maxKeyLifetimeDays: 1,
      defaultExpiryDays: 1,
      revokeUnusedAfterDays: 8,
      keyLimitCeiling: [{ windowSeconds: 86_400, limit: 1 }],
      maxActiveKeysPerUser: 10_000,
    });
    expect(res.status).toBe(200);
  });

  it("stores a setting, answers it as it now stands, and null returns the org to the default", async () => {
    const orgId = unique("org");
    const set = await putPolicy(orgId, { leakPolicy: "flag" });
    expect(set.status).toBe(200);
    const body = (await set.json()) as { settings: unknown; effective: unknown; updatedAt: string };
    expect(body.settings).toEqual({ ...UNSET, leakPolicy: "flag" });
    expect(body.effective).toEqual({ ...DEFAULTS, leakPolicy: "flag" });
    expect(body.updatedAt).toMatch(/Z$/);
    expect(await (await policyOf(orgId)).json()).toEqual(body);

    const reset = (await (await putPolicy(orgId, { leakPolicy: null })).json()) as { settings: unknown; effective: unknown };
    expect(reset.settings).toEqual(UNSET);
    expect(reset.effective).toEqual(DEFAULTS);
    // PUT replaces the whole policy: an omitted field is the default too.
    await putPolicy(orgId, { leakPolicy: "flag" });
    expect(((await (await putPolicy(orgId, {})).json()) as { settings: unknown }).settings).toEqual(UNSET);
  });

  it("keeps one org's setting to that org", async () => {
    const flagged = unique("org");
    const other = unique("org");
    await putPolicy(flagged, { leakPolicy: "flag" });
    expect(((await (await policyOf(other)).json()) as { effective: unknown }).effective).toEqual(DEFAULTS);
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
