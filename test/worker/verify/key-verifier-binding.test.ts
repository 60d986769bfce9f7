import { describe, expect, it } from "vitest";
import { call, createKey, randomAddress, refreshed, user, useKey } from "../helpers/api";
import { keyFor } from "../helpers/keys";
import { ADMIN_TOKEN, viaBinding } from "./verify-helpers";

const RATE_LIMIT_FRESH = {
  burst: { limit: 10, windowSeconds: 1, remaining: 9, resetSeconds: 1 },
  minute: { limit: 100, windowSeconds: 60, remaining: 99, resetSeconds: 60 },
};

describe("the KeyVerifier entrypoint, called from another Worker over a service binding", () => {
  it("admits a valid key with the identity, effective permissions and rate-limit state of /api/whoami", async () => {
    const alice = await user({ name: "Alice Example", permissions: ["invoices:read", "invoices:write"] });
    const { key, secret } = await createKey(alice, { name: "Billing sync", scopes: ["invoices:read"] });
    expect(await viaBinding(secret)).toEqual({
      valid: true,
      code: "valid",
      key: { id: key.id, name: "Billing sync", description: null, meta: null },
      org: { id: alice.orgId },
      user: { id: alice.userId, name: "Alice Example" },
      permissions: ["invoices:read"],
      rateLimit: RATE_LIMIT_FRESH,
      credits: null,
    });
  });

  it("answers the same invalid_api_key for missing, malformed, forged, unknown and wrong-secret keys", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const presented = ["", "ak_live_short", `${secret}x`, await keyFor(), await keyFor({ tag: "forged" }), await keyFor({ id: key.id })];
    const answers = await Promise.all(presented.map((k) => viaBinding(k)));
    for (const answer of answers) {
      expect(answer).toEqual({ valid: false, code: "invalid_api_key", detail: "The key is missing, malformed, unknown, or its secret is wrong." });
    }
  });

  it("says revoked, expired and user_deactivated to the right secret", async () => {
    const alice = await user();
    const revoked = await createKey(alice);
    await call("POST", `/v1/keys/${revoked.key.id}/revoke`, { token: alice.token });
    expect(await viaBinding(revoked.secret)).toMatchObject({ valid: false, code: "api_key_revoked" });

    const rotated = await createKey(alice);
    await call("POST", `/v1/keys/${rotated.key.id}/rotate`, { token: alice.token, json: { graceSeconds: 0 } });
    expect(await viaBinding(rotated.secret)).toMatchObject({ valid: false, code: "api_key_expired" });

    const bob = await user();
    const bobs = await createKey(bob);
    await call("PUT", `/v1/admin/orgs/${bob.orgId}/users/${bob.userId}`, { token: ADMIN_TOKEN, json: { permissions: bob.permissions, active: false } });
    expect(await viaBinding(bobs.secret)).toMatchObject({ valid: false, code: "user_deactivated" });
  });

  it("refuses a key without the asked permission as forbidden, with its identity, and counts it like /api/* does", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const { key, secret } = await createKey(alice);
    const answer = await viaBinding(secret, { permission: "invoices:write" });
    expect(answer).toMatchObject({
      valid: false,
      code: "forbidden",
      key: { id: key.id },
      permissions: ["contacts:read"],
      rateLimit: { burst: { remaining: 9 } },
    });
    expect(await viaBinding(secret, { permission: "contacts:read" })).toMatchObject({ valid: true, rateLimit: { burst: { remaining: 8 } } });
  });

  it("follows a permission change on the next check", async () => {
    const alice = await user({ permissions: ["invoices:read"] });
    const { secret } = await createKey(alice);
    expect(await viaBinding(secret, { permission: "invoices:read" })).toMatchObject({ valid: true });
    const demoted = await refreshed(alice, { permissions: [] });
    await call("GET", "/v1/keys", { token: demoted.token });
    expect(await viaBinding(secret, { permission: "invoices:read" })).toMatchObject({ valid: false, code: "forbidden", permissions: [] });
  });

  it("shares the key's exact limits with /api/*: 6 checks through the binding and 6 requests in the same second admit exactly 10", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const [checks, requests] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => viaBinding(secret))),
      Promise.all(Array.from({ length: 6 }, () => useKey(secret))),
    ]);
    const admitted = checks.filter((a) => "valid" in a && a.valid).length + requests.filter((r) => r.status === 200).length;
    expect(admitted).toBe(10);
    const refused = checks.filter((a) => "code" in a && a.code === "rate_limited").length + requests.filter((r) => r.status === 429).length;
    expect(refused).toBe(2);
  });

  it("reports rate_limited with the policy and the whole seconds until a retry succeeds", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    await Promise.all(Array.from({ length: 10 }, () => useKey(secret)));
    expect(await viaBinding(secret)).toEqual({
      valid: false,
      code: "rate_limited",
      detail: 'Rate limit "burst" exceeded.',
      policy: "burst",
      retryAfterSeconds: 1,
    });
  });

  it("throttles invalid keys per clientAddress: 50 failures, then too_many_failed_attempts before any storage", async () => {
    const client = randomAddress();
    const codes: string[] = [];
    for (let i = 0; i < 52; i++) codes.push(((await viaBinding(await keyFor({ tag: "forged" }), { clientAddress: client })) as { code: string }).code);
    expect(codes.slice(0, 50)).toEqual(Array(50).fill("invalid_api_key"));
    expect(codes.slice(50)).toEqual(["too_many_failed_attempts", "too_many_failed_attempts"]);
    expect(await viaBinding(await keyFor({ tag: "forged" }), { clientAddress: client })).toEqual({
      valid: false,
      code: "too_many_failed_attempts",
      detail: "Too many invalid API keys from this client address; try again later.",
      retryAfterSeconds: 60,
    });
  });

  it("keeps one client's failures from locking out the calling Worker's other clients", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const attacker = randomAddress();
    for (let i = 0; i < 51; i++) await viaBinding(await keyFor({ tag: "forged" }), { clientAddress: attacker });
    expect(await viaBinding(await keyFor(), { clientAddress: attacker })).toMatchObject({ code: "too_many_failed_attempts" });
    expect(await viaBinding(secret, { clientAddress: randomAddress() })).toMatchObject({ valid: true });
    expect(await viaBinding(secret)).toMatchObject({ valid: true });
  });

  it("throttles nothing without clientAddress (it can't tell the caller's clients apart)", async () => {
    const codes = new Set<string>();
    for (let i = 0; i < 60; i++) codes.add(((await viaBinding(await keyFor({ tag: "forged" }))) as { code: string }).code);
    expect([...codes]).toEqual(["invalid_api_key"]);
  });

  it("counts an address vouched for by a caller apart from that address's own calls to /api/*", async () => {
    const address = randomAddress();
    for (let i = 0; i < 51; i++) await viaBinding(await keyFor({ tag: "forged" }), { clientAddress: address });
    expect(await viaBinding(await keyFor({ tag: "forged" }), { clientAddress: address })).toMatchObject({ code: "too_many_failed_attempts" });
    const direct = await useKey(await keyFor({ tag: "forged" }), "/api/whoami", { headers: { "CF-Connecting-IP": address } });
    expect(direct.status).toBe(401);
  });

  it("returns a plain object that never holds the key", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const answers = [await viaBinding(secret), await viaBinding(secret, { permission: "nothing:here" }), await viaBinding(`${secret}x`)];
    for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(secret.slice(8));
  });

  it("throws a TypeError for malformed arguments, quoting none of them", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const cases: Array<[unknown, unknown]> = [
      [42, {}],
      [null, {}],
      [secret, { permission: "not a permission!" }],
      [secret, { clientAddress: "not-an-address" }],
      [secret, { clientAddress: secret }],
      [secret, { scopes: ["x"] }],
      [secret, "options"],
    ];
    for (const [key, options] of cases) {
      const answer = await viaBinding(key, options);
      expect(answer).toMatchObject({ thrown: "TypeError" });
      expect(JSON.stringify(answer)).not.toContain(secret.slice(8));
    }
    // None of them was counted: the key's first admission still leaves 9.
    expect(await viaBinding(secret)).toMatchObject({ valid: true, rateLimit: { burst: { remaining: 9 } } });
  });
});
