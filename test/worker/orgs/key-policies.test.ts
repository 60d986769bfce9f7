import { describe, expect, it } from "vitest";
import { admin, call, createKey, type KeyJson, snapshotTables, type TestUser, unique, user, useKey } from "../helpers/api";
import { DAY_MS, setPolicy, storedPolicy } from "./policy-helpers";

async function create(owner: TestUser, json: Record<string, unknown>): Promise<Response> {
  return call("POST", "/v1/keys", { token: owner.token, json: { name: unique("key"), ...json } });
}

/** Signs the user in once (their first call stores them in D1), so a snapshot taken after it sees only what a request changes. */
async function signIn(owner: TestUser): Promise<void> {
  expect((await call("GET", "/v1/keys", { token: owner.token })).status).toBe(200);
}

async function fieldsOf(res: Response): Promise<string[]> {
  const body = (await res.json()) as { code: string; errors?: Array<{ field: string }> };
  expect(body.code).toBe("validation_failed");
  return (body.errors ?? []).map((e) => e.field);
}

const ms = (timestamp: string | null) => (timestamp === null ? null : Date.parse(timestamp));
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

async function rotate(owner: TestUser, id: string, json: Record<string, unknown> = {}): Promise<{ key: KeyJson; previous: KeyJson; secret: string }> {
  const res = await call("POST", `/v1/keys/${id}/rotate`, { token: owner.token, json });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
}

describe("org policies on creates", () => {
  it("gives a create that omits expiresAt the org's default expiry, and lets an explicit null mean never", async () => {
    const alice = await user();
    await setPolicy(alice.orgId, { defaultExpiryDays: 30 });
    const { key } = await createKey(alice);
    expect(ms(key.expiresAt)! - ms(key.createdAt)!).toBe(30 * DAY_MS);
    const never = await createKey(alice, { expiresAt: null });
    expect(never.key.expiresAt).toBeNull();
  });

  it("under requireExpiry refuses never and a missing expiry without a default (422 at expiresAt), and changes nothing", async () => {
    const alice = await user();
    await setPolicy(alice.orgId, { requireExpiry: true, maxKeyLifetimeDays: 90 });
    await signIn(alice);
    const before = await snapshotTables();
    for (const json of [{ expiresAt: null }, {}]) {
      const res = await create(alice, json);
      expect(res.status).toBe(422);
      expect(await fieldsOf(res)).toEqual(["expiresAt"]);
    }
    expect(await snapshotTables()).toEqual(before);
    // With a default, omitting is fine; an explicit null still is not.
    await setPolicy(alice.orgId, { requireExpiry: true, maxKeyLifetimeDays: 90, defaultExpiryDays: 7 });
    const { key } = await createKey(alice);
    expect(ms(key.expiresAt)! - ms(key.createdAt)!).toBe(7 * DAY_MS);
    expect((await create(alice, { expiresAt: null })).status).toBe(422);
  });

  it("holds expiresAt to the org's maximum lifetime, shorter or longer than MAX_KEY_LIFETIME_DAYS", async () => {
    const alice = await user();
    await setPolicy(alice.orgId, { maxKeyLifetimeDays: 30 });
    await signIn(alice);
    const before = await snapshotTables();
    const tooLong = await create(alice, { expiresAt: inDays(31) });
    expect(tooLong.status).toBe(422);
    expect(await fieldsOf(tooLong)).toEqual(["expiresAt"]);
    expect(await snapshotTables()).toEqual(before);
    expect((await create(alice, { expiresAt: inDays(29) })).status).toBe(201);

    const bob = await user();
    await setPolicy(bob.orgId, { maxKeyLifetimeDays: 400 });
    expect((await create(bob, { expiresAt: inDays(399) })).status).toBe(201);
    // Another org still follows the deployment's 365 days.
    expect((await create(await user(), { expiresAt: inDays(399) })).status).toBe(422);
  });

  it("holds a PATCH of expiresAt to the org's maximum lifetime", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    await setPolicy(alice.orgId, { maxKeyLifetimeDays: 10 });
    const res = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { expiresAt: inDays(11) } });
    expect(res.status).toBe(422);
    expect((await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { expiresAt: inDays(9) } })).status).toBe(200);
  });

  it("lets only admins create keys when members may not, while members keep using, rotating and revoking theirs", async () => {
    const member = await user();
    const { key, secret } = await createKey(member);
    await setPolicy(member.orgId, { membersMayCreateKeys: false });
    const before = await snapshotTables();
    const refused = await create(member, {});
    expect(refused.status).toBe(403);
    expect(refused.headers.get("Content-Type")).toBe("application/problem+json");
    expect(((await refused.json()) as { code: string }).code).toBe("forbidden");
    expect(await snapshotTables()).toEqual(before);

    expect((await create(await admin(member.orgId), {})).status).toBe(201);
    expect((await useKey(secret)).status).toBe(200);
    const rotated = await rotate(member, key.id, { graceSeconds: 0 });
    expect((await call("POST", `/v1/keys/${rotated.key.id}/revoke`, { token: member.token })).status).toBe(200);
    // Members of other orgs are not affected.
    expect((await create(await user(), {})).status).toBe(201);
  });

  it("caps active keys at the org's maximum, exactly under parallel creates", async () => {
    for (let round = 0; round < 4; round++) {
      const alice = await user();
      await setPolicy(alice.orgId, { maxActiveKeysPerUser: 2 });
      const responses = await Promise.all(Array.from({ length: 8 }, () => create(alice, {})));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(2);
      expect(statuses.filter((s) => s === 409)).toHaveLength(6);
      const problem = (await responses.find((r) => r.status === 409)!.json()) as { detail: string };
      expect(problem.detail).toContain("at most 2 active keys");
    }
  });

  it("lets an org hold more keys than MAX_ACTIVE_KEYS_PER_USER", async () => {
    const alice = await user();
    await setPolicy(alice.orgId, { maxActiveKeysPerUser: 4 });
    const env = { MAX_ACTIVE_KEYS_PER_USER: "2" };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await call("POST", "/v1/keys", { token: alice.token, env, json: { name: `k${i}` } })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 409]);
  });

  it("keeps existing keys when the cap is lowered below them, and refuses new ones until the user is under it", async () => {
    const alice = await user();
    const keys = [await createKey(alice), await createKey(alice), await createKey(alice)];
    await setPolicy(alice.orgId, { maxActiveKeysPerUser: 2 });
    for (const { secret } of keys) expect((await useKey(secret)).status).toBe(200);
    expect((await create(alice, {})).status).toBe(409);
    // A rotation without grace replaces a key in place, even above the cap; one with grace would add one.
    expect((await call("POST", `/v1/keys/${keys[0]!.key.id}/rotate`, { token: alice.token, json: { graceSeconds: 60 } })).status).toBe(409);
    await rotate(alice, keys[0]!.key.id, { graceSeconds: 0 });
    expect((await create(alice, {})).status).toBe(409);
    await call("POST", `/v1/keys/${keys[1]!.key.id}/revoke`, { token: alice.token });
    expect((await create(alice, {})).status).toBe(409);
    await call("POST", `/v1/keys/${keys[2]!.key.id}/revoke`, { token: alice.token });
    expect((await create(alice, {})).status).toBe(201);
  });
});

describe("org policies on rotations and existing keys", () => {
  it("caps a successor's lifetime at the org's maximum as it is now, while the old key keeps its expiry", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { expiresAt: inDays(300) });
    await setPolicy(alice.orgId, { maxKeyLifetimeDays: 30 });
    // The existing key is not shortened by the new policy.
    const before = (await (await call("GET", `/v1/keys/${key.id}`, { token: alice.token })).json()) as { key: KeyJson };
    expect(before.key.expiresAt).toBe(key.expiresAt);
    const rotated = await rotate(alice, key.id, { graceSeconds: 60 });
    expect(ms(rotated.key.expiresAt)! - ms(rotated.key.createdAt)!).toBe(30 * DAY_MS);
    // Lifting the cap later gives the next successor the chain's own lifetime back.
    await setPolicy(alice.orgId, {});
    const next = await rotate(alice, rotated.key.id, { graceSeconds: 0 });
    expect(ms(next.key.expiresAt)! - ms(next.key.createdAt)!).toBeGreaterThan(299 * DAY_MS);
  });

  it("gives the successor of a key that never expired an expiry once the org requires one (its default, else its maximum)", async () => {
    const alice = await user();
    const first = await createKey(alice, { expiresAt: null });
    const second = await createKey(alice, { expiresAt: null });
    await setPolicy(alice.orgId, { requireExpiry: true, maxKeyLifetimeDays: 60 });
    const a = await rotate(alice, first.key.id, { graceSeconds: 0 });
    expect(ms(a.key.expiresAt)! - ms(a.key.createdAt)!).toBe(60 * DAY_MS);
    await setPolicy(alice.orgId, { requireExpiry: true, maxKeyLifetimeDays: 60, defaultExpiryDays: 14 });
    const b = await rotate(alice, second.key.id, { graceSeconds: 0 });
    expect(ms(b.key.expiresAt)! - ms(b.key.createdAt)!).toBe(14 * DAY_MS);
    // The existing never-expiring key of the chain was not given an expiry by the policy itself.
    expect(b.previous.expiresAt).not.toBeNull(); // the rotation's own grace end (0 s)
  });

  it("counts the successor against the org's cap", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    await createKey(alice);
    await setPolicy(alice.orgId, { maxActiveKeysPerUser: 2 });
    expect((await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 3600 } })).status).toBe(409);
  });
});

describe("GET /v1/org/policy", () => {
  it("shows a member their org's effective policy, read-only", async () => {
    const alice = await user();
    await setPolicy(alice.orgId, { requireExpiry: true, maxKeyLifetimeDays: 90, defaultExpiryDays: 30, membersMayCreateKeys: false, revokeUnusedAfterDays: 45 });
    const res = await call("GET", "/v1/org/policy", { token: alice.token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      orgId: alice.orgId,
      policy: {
        leakPolicy: "revoke",
        requireExpiry: true,
        maxKeyLifetimeDays: 90,
        defaultExpiryDays: 30,
        maxActiveKeysPerUser: 50,
        keyLimitCeiling: [
          { windowSeconds: 1, limit: 10 },
          { windowSeconds: 60, limit: 100 },
        ],
        membersMayCreateKeys: false,
        revokeUnusedAfterDays: 45,
        keyTermsSetBy: "owners",
      },
    });
    const stored = await storedPolicy(alice.orgId);
    expect((await call("PUT", "/v1/org/policy", { token: alice.token, json: { membersMayCreateKeys: true } })).status).toBe(405);
    expect(await storedPolicy(alice.orgId)).toEqual(stored);
  });

  it("needs a signed-in user, and shows each user their own org only", async () => {
    expect((await call("GET", "/v1/org/policy")).status).toBe(401);
    const other = await user();
    await setPolicy(other.orgId, { maxKeyLifetimeDays: 5 });
    const alice = await user();
    const body = (await (await call("GET", "/v1/org/policy", { token: alice.token })).json()) as { orgId: string; policy: { maxKeyLifetimeDays: number } };
    expect(body.orgId).toBe(alice.orgId);
    expect(body.policy.maxKeyLifetimeDays).toBe(365);
  });
});
