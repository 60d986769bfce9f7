import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createKey, randomAddress, snapshotTables, user, useKey } from "../helpers/api";
import { keyFor } from "../helpers/keys";
import { ADMIN_TOKEN, VERIFY_TOKEN, viaHttp } from "./verify-helpers";

afterEach(() => vi.restoreAllMocks());

const FRESH = {
  burst: { limit: 10, windowSeconds: 1, remaining: 9, resetSeconds: 1 },
  minute: { limit: 100, windowSeconds: 60, remaining: 99, resetSeconds: 60 },
};

/** The outcome of `POST /v1/verify`, after checking what every outcome has in common: 200 JSON, never cached. */
async function outcome(res: Response): Promise<Record<string, unknown>> {
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return res.json();
}

/** The problem+json body of a refused call, after checking its status. */
async function problem(res: Response, status: number): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return res.json();
}

describe("POST /v1/verify: outcomes", () => {
  it("admits a valid key: 200 with the identity, effective permissions and rate-limit state", async () => {
    const alice = await user({ name: "Alice Example", permissions: ["invoices:read"] });
    const { key, secret } = await createKey(alice, { name: "Billing sync" });
    expect(await outcome(await viaHttp({ key: secret, permission: "invoices:read" }))).toEqual({
      valid: true,
      code: "valid",
      key: { id: key.id, name: "Billing sync", description: null, meta: null },
      org: { id: alice.orgId },
      user: { id: alice.userId, name: "Alice Example" },
      permissions: ["invoices:read"],
      rateLimit: FRESH,
      credits: null,
    });
  });

  it("answers every refusal with 200, valid false and the code /api/* would use", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const revoked = await createKey(alice);
    await call("POST", `/v1/keys/${revoked.key.id}/revoke`, { token: alice.token });
    const expired = await createKey(alice);
    await call("POST", `/v1/keys/${expired.key.id}/rotate`, { token: alice.token, json: { graceSeconds: 0 } });
    const limited = await createKey(alice);
    await Promise.all(Array.from({ length: 10 }, () => useKey(limited.secret)));
    const fine = await createKey(alice);
    const bob = await user();
    const bobs = await createKey(bob);
    await call("PUT", `/v1/admin/orgs/${bob.orgId}/users/${bob.userId}`, { token: ADMIN_TOKEN, json: { permissions: bob.permissions, active: false } });

    expect(await outcome(await viaHttp({ key: "" }))).toEqual({ valid: false, code: "invalid_api_key", detail: expect.any(String) });
    expect(await outcome(await viaHttp({ key: await keyFor({ id: fine.key.id }) }))).toMatchObject({ valid: false, code: "invalid_api_key" });
    expect(await outcome(await viaHttp({ key: revoked.secret }))).toMatchObject({ valid: false, code: "api_key_revoked" });
    expect(await outcome(await viaHttp({ key: expired.secret }))).toMatchObject({ valid: false, code: "api_key_expired" });
    expect(await outcome(await viaHttp({ key: bobs.secret }))).toMatchObject({ valid: false, code: "user_deactivated" });
    expect(await outcome(await viaHttp({ key: limited.secret }))).toEqual({
      valid: false,
      code: "rate_limited",
      detail: 'Rate limit "burst" exceeded.',
      policy: "burst",
      retryAfterSeconds: 1,
    });
    expect(await outcome(await viaHttp({ key: fine.secret, permission: "invoices:write" }))).toMatchObject({
      valid: false,
      code: "forbidden",
      key: { id: fine.key.id },
      permissions: ["contacts:read"],
    });
  });

  it("throttles per clientAddress, and nothing without it", async () => {
    const client = randomAddress();
    const codes: unknown[] = [];
    for (let i = 0; i < 51; i++) codes.push((await outcome(await viaHttp({ key: await keyFor({ tag: "forged" }), clientAddress: client }))).code);
    expect(codes.slice(0, 50)).toEqual(Array(50).fill("invalid_api_key"));
    expect(codes[50]).toBe("too_many_failed_attempts");
    expect(await outcome(await viaHttp({ key: await keyFor(), clientAddress: client }))).toMatchObject({
      valid: false,
      code: "too_many_failed_attempts",
      retryAfterSeconds: 60,
    });
    // The backend calling from one address is not throttled for it: the failures were its client's.
    const backend = randomAddress();
    for (let i = 0; i < 55; i++) {
      const answer = await outcome(await viaHttp({ key: await keyFor({ tag: "forged" }) }, { headers: { "CF-Connecting-IP": backend } }));
      expect(answer.code).toBe("invalid_api_key");
    }
  });

  it("fails closed with limiter_unavailable when the key's Durable Object can't be reached", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const unreachable = {
      idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
      get: () => ({ verify: () => Promise.reject(new Error("Durable Object is overloaded")) }),
    } as unknown as Env["KEY_AUTHORITY"];
    expect(await outcome(await viaHttp({ key: secret }, { env: { KEY_AUTHORITY: unreachable } }))).toEqual({
      valid: false,
      code: "limiter_unavailable",
      detail: expect.any(String),
      retryAfterSeconds: 1,
    });
  });

  it("shares the key's exact limits with /api/*: 6 checks and 6 requests in the same second admit exactly 10", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const [checks, requests] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, async () => (await viaHttp({ key: secret })).json() as Promise<{ valid: boolean; code: string }>)),
      Promise.all(Array.from({ length: 6 }, () => useKey(secret))),
    ]);
    expect(checks.filter((c) => c.valid).length + requests.filter((r) => r.status === 200).length).toBe(10);
    expect(checks.filter((c) => c.code === "rate_limited").length + requests.filter((r) => r.status === 429).length).toBe(2);
  });
});

describe("POST /v1/verify: the service token", () => {
  async function expectUnauthenticated(res: Response) {
    const body = await problem(res, 401);
    expect(body).toMatchObject({ code: "unauthenticated" });
    expect(res.headers.get("WWW-Authenticate")).toBe('Bearer realm="api-keys-verify"');
  }

  it("refuses a missing, wrong, admin or user token with 401 and counts nothing against the key", async () => {
    const alice = await user({ permissions: ["api_keys:admin", "contacts:read"] });
    const { secret } = await createKey(alice);
    await expectUnauthenticated(await viaHttp({ key: secret }, { token: null }));
    await expectUnauthenticated(await viaHttp({ key: secret }, { token: `${VERIFY_TOKEN}x` }));
    await expectUnauthenticated(await viaHttp({ key: secret }, { token: VERIFY_TOKEN.slice(0, -1) }));
    await expectUnauthenticated(await viaHttp({ key: secret }, { token: ADMIN_TOKEN }));
    await expectUnauthenticated(await viaHttp({ key: secret }, { token: alice.token }));
    await expectUnauthenticated(await viaHttp({ key: secret }, { token: secret }));
    for (const authorization of [VERIFY_TOKEN, `bearer ${VERIFY_TOKEN}`, `Basic ${btoa(`x:${VERIFY_TOKEN}`)}`, `Bearer  ${VERIFY_TOKEN}`]) {
      await expectUnauthenticated(await viaHttp({ key: secret }, { token: null, headers: { Authorization: authorization } }));
    }
    expect(await (await useKey(secret)).json()).toMatchObject({ rateLimit: { burst: { remaining: 9 } } });
  });

  it("checks the token before the body: no token and a bad body is still 401", async () => {
    await expectUnauthenticated(await call("POST", "/v1/verify", { body: "{not json", headers: { "Content-Type": "application/json" } }));
  });

  it("does not exist without VERIFY_API_TOKEN: 404 like any unknown route", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const res = await viaHttp({ key: "ak_live_x" }, { env: { VERIFY_API_TOKEN: undefined } as never });
    expect(await problem(res, 404)).toMatchObject({ code: "not_found", detail: "No such route." });
  });

  it.each([
    ["shorter than 32 characters", "too-short-verify-token"],
    ["equal to ADMIN_API_TOKEN", ADMIN_TOKEN],
  ])("makes a VERIFY_API_TOKEN %s a configuration error (500 server_misconfigured), not a weak token", async (_name, value) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await viaHttp({ key: "x" }, { token: value, env: { VERIFY_API_TOKEN: value } as never });
    expect(await problem(res, 500)).toMatchObject({ code: "server_misconfigured" });
  });

  it("answers other methods with 405", async () => {
    const res = await call("GET", "/v1/verify", { token: VERIFY_TOKEN });
    expect(await problem(res, 405)).toMatchObject({ code: "method_not_allowed" });
    expect(res.headers.get("Allow")).toBe("POST");
  });
});

describe("POST /v1/verify: bad bodies", () => {
  it.each([
    ["no body", { body: undefined }, 422, "validation_failed"],
    ["not JSON", { body: "{key:", headers: { "Content-Type": "application/json" } }, 400, "malformed_json"],
    ["text/plain", { body: '{"key":"x"}', headers: { "Content-Type": "text/plain" } }, 415, "unsupported_media_type"],
    ["an array", { json: ["ak_live_x"] }, 422, "validation_failed"],
    ["key missing", { json: { permission: "contacts:read" } }, 422, "validation_failed"],
    ["key not a string", { json: { key: 42 } }, 422, "validation_failed"],
    ["key too long", { json: { key: "a".repeat(1025) } }, 422, "validation_failed"],
    ["a bad permission", { json: { key: "x", permission: "no spaces allowed" } }, 422, "validation_failed"],
    ["a bad clientAddress", { json: { key: "x", clientAddress: "example.com" } }, 422, "validation_failed"],
    ["an unknown field", { json: { key: "x", scopes: ["all"] } }, 422, "validation_failed"],
    ["too large", { json: { key: "x", pad: "a".repeat(20_000) } }, 413, "payload_too_large"],
  ])("refuses %s with problem+json and changes nothing", async (_name, request, status, code) => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const before = await snapshotTables();
    const res = await call("POST", "/v1/verify", { token: VERIFY_TOKEN, ...(request as object) });
    expect(await problem(res, status)).toMatchObject({ code });
    expect(await snapshotTables()).toBe(before);
    expect(await (await useKey(secret)).json()).toMatchObject({ rateLimit: { burst: { remaining: 9 } } });
  });
});

describe("POST /v1/verify never echoes the key", () => {
  it("in no answer, no problem and no log line", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    }
    const bodies = [
      { key: secret },
      { key: secret, permission: "nothing:here" },
      { key: `${secret}x` },
      { key: secret, clientAddress: secret },
      { key: secret, [secret]: true },
      { key: secret, permission: secret },
      { key: [secret] },
    ];
    for (const body of bodies) {
      const res = await viaHttp(body);
      const text = await res.text();
      expect(text).not.toContain(secret.slice(8));
      for (const [, value] of res.headers) expect(value).not.toContain(secret.slice(8));
    }
    const unreachable = {
      idFromName: (name: string) => env.KEY_AUTHORITY.idFromName(name),
      get: () => ({ verify: () => Promise.reject(new Error("Durable Object is overloaded")) }),
    } as unknown as Env["KEY_AUTHORITY"];
    expect(await (await viaHttp({ key: secret }, { env: { KEY_AUTHORITY: unreachable } })).text()).not.toContain(secret.slice(8));
    for (const line of logged) expect(line).not.toContain(secret.slice(8));
    expect(key.id).toBeTruthy();
  });
});
