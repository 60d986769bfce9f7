import { env } from "cloudflare:workers";
import { decodeJwt } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, call, createKey, type KeyJson, snapshotTables, type TestUser, useKey, user } from "../helpers/api";
import { captureUpstream } from "../helpers/upstream";
import { hmacReport, reportBody } from "../leaks/leak-helpers";
import { viaBinding, viaHttp } from "../verify/verify-helpers";

afterEach(() => vi.restoreAllMocks());

const UPSTREAM = { UPSTREAM_URL: "https://backend.internal/v2" };

async function patched(owner: TestUser, id: string, json: unknown): Promise<KeyJson> {
  const res = await call("PATCH", `/v1/keys/${id}`, { token: owner.token, json });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

async function got(owner: TestUser, id: string): Promise<KeyJson> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

/** The claims of the assertion the upstream received for one request with `secret`. */
async function assertionClaims(secret: string): Promise<Record<string, unknown>> {
  const seen = captureUpstream();
  const res = await useKey(secret, "/api/deals", { env: UPSTREAM as never });
  expect(res.status).toBe(200);
  vi.restoreAllMocks();
  return decodeJwt(seen[0]!.headers.get("X-Api-Assertion")!);
}

async function revokedEvents(keyId: string): Promise<Array<{ actor: string; detail: unknown }>> {
  const { results } = await env.DB.prepare(
    "SELECT actor_type || ':' || actor_id AS actor, detail FROM audit_events WHERE key_id = ? AND action = 'key.revoked' ORDER BY at, rowid",
  )
    .bind(keyId)
    .all<{ actor: string; detail: string | null }>();
  return results.map((r) => ({ actor: r.actor, detail: r.detail === null ? null : JSON.parse(r.detail) }));
}

async function validationFields(res: Response): Promise<string[]> {
  expect(res.status).toBe(422);
  expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  const body = (await res.json()) as { code: string; errors: Array<{ field: string }> };
  expect(body.code).toBe("validation_failed");
  return body.errors.map((e) => e.field);
}

describe("description and meta", () => {
  it("are stored on create, returned by get and list, replaced by PATCH (meta whole) and removed by null", async () => {
    const alice = await user();
    const meta = { plan: "pro", limits: { seats: 5, regions: ["eu", "us"] }, trial: false, note: null };
    const { key } = await createKey(alice, { description: "  CRM sync for the EU team  ", meta });
    expect(key).toMatchObject({ description: "CRM sync for the EU team", meta });
    expect(await got(alice, key.id)).toMatchObject({ description: "CRM sync for the EU team", meta });
    const listed = await call("GET", "/v1/keys", { token: alice.token });
    expect(((await listed.json()) as { keys: KeyJson[] }).keys.find((k) => k.id === key.id)).toMatchObject({ meta });

    expect(await patched(alice, key.id, { meta: { tier: "gold" } })).toMatchObject({ meta: { tier: "gold" }, description: "CRM sync for the EU team" });
    expect((await got(alice, key.id)).meta).toEqual({ tier: "gold" });
    expect(await patched(alice, key.id, { description: null })).toMatchObject({ description: null, meta: { tier: "gold" } });
    expect(await patched(alice, key.id, { meta: {} })).toMatchObject({ meta: null });
    expect(await patched(alice, key.id, { meta: { a: 1 } })).toMatchObject({ meta: { a: 1 } });
    expect(await patched(alice, key.id, { meta: null })).toMatchObject({ meta: null });
    expect(await got(alice, key.id)).toMatchObject({ description: null, meta: null });
    // Each change was a key.updated event; none carries the values.
    const { results } = await env.DB.prepare("SELECT count(*) AS n FROM audit_events WHERE key_id = ? AND action = 'key.updated'").bind(key.id).all<{ n: number }>();
    expect(results[0]!.n).toBe(5);
  });

  it("are forwarded upstream in the signed assertion at once after a PATCH, and left out when the key has none", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const bare = await assertionClaims(secret);
    expect(bare).not.toHaveProperty("key_description");
    expect(bare).not.toHaveProperty("key_meta");
    await patched(alice, key.id, { description: "Nightly export", meta: { customer: "cus_42", flags: [1, 2] } });
    const claims = await assertionClaims(secret);
    expect(claims).toMatchObject({ key_id: key.id, key_description: "Nightly export", key_meta: { customer: "cus_42", flags: [1, 2] } });
  });

  it("are returned by /v1/verify and the KeyVerifier binding, and not by /api/whoami", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { description: "Billing", meta: { plan: "pro" } });
    const http = (await (await viaHttp({ key: secret })).json()) as { key: unknown };
    expect(http.key).toEqual({ id: key.id, name: key.name, description: "Billing", meta: { plan: "pro" } });
    expect(((await viaBinding(secret)) as { key: unknown }).key).toEqual({ id: key.id, name: key.name, description: "Billing", meta: { plan: "pro" } });
    const whoami = (await (await useKey(secret)).json()) as { key: unknown };
    expect(whoami.key).toEqual({ id: key.id, name: key.name });
  });

  it("are inherited by a rotation's successor, as the key's object holds them", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { description: "before", meta: { v: 1 } });
    await patched(alice, key.id, { description: "after", meta: { v: 2 } });
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: {} });
    expect(res.status).toBe(201);
    const { key: successor, secret } = (await res.json()) as { key: KeyJson; secret: string };
    expect(successor).toMatchObject({ description: "after", meta: { v: 2 } });
    expect(await got(alice, successor.id)).toMatchObject({ description: "after", meta: { v: 2 } });
    expect(await assertionClaims(secret)).toMatchObject({ key_description: "after", key_meta: { v: 2 } });
  });

  it("refuses bad descriptions and metas on create and PATCH with 422 at the field, changing nothing", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { description: "keep", meta: { keep: true } });
    const deep = JSON.parse(`${'{"a":'.repeat(8)}1${"}".repeat(8)}`) as Record<string, unknown>;
    const tooDeep = { a: [[[[[[[[1]]]]]]]] };
    const before = await snapshotTables();
    const cases: Array<[unknown, string]> = [
      [{ description: "x".repeat(501) }, "description"],
      [{ description: "line one\nline two" }, "description"],
      [{ description: "   " }, "description"],
      [{ description: 42 }, "description"],
      [{ meta: [1, 2] }, "meta"],
      [{ meta: "plan=pro" }, "meta"],
      [{ meta: 7 }, "meta"],
      [{ meta: { big: "x".repeat(4090) } }, "meta"],
      // 1 400 three-byte characters: under 4 096 characters, over 4 096 bytes.
      [{ meta: { text: "€".repeat(1_400) } }, "meta"],
      [{ meta: tooDeep }, "meta"],
    ];
    for (const [json, field] of cases) {
      expect(await validationFields(await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json }))).toEqual([field]);
      expect(await validationFields(await call("POST", "/v1/keys", { token: alice.token, json: { name: "n", ...(json as object) } }))).toEqual([field]);
    }
    expect(await snapshotTables()).toBe(before);
    // The limits themselves are allowed: 500 characters, 4 096 bytes, 8 levels.
    const exact = { m: "x".repeat(4096 - '{"m":""}'.length) };
    expect(await patched(alice, key.id, { description: "é".repeat(500), meta: exact })).toMatchObject({ meta: exact });
    expect(await patched(alice, key.id, { meta: deep })).toMatchObject({ meta: deep });
  });

  it("are visible to an admin, and not to another member", async () => {
    const alice = await user();
    const bob = await user({ orgId: alice.orgId });
    const boss = await admin(alice.orgId);
    const { key } = await createKey(alice, { meta: { owner: "alice" } });
    expect((await got(boss, key.id)).meta).toEqual({ owner: "alice" });
    expect((await call("GET", `/v1/keys/${key.id}`, { token: bob.token })).status).toBe(404);
    const before = await snapshotTables();
    expect((await call("PATCH", `/v1/keys/${key.id}`, { token: bob.token, json: { meta: { owner: "bob" } } })).status).toBe(404);
    expect(await snapshotTables()).toBe(before);
    expect((await patched(boss, key.id, { meta: { owner: "boss" } })).meta).toEqual({ owner: "boss" });
  });
});

describe("revocation reasons", () => {
  it("stores, shows and audits a reason; a bodyless revoke still works, with none", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const res = await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json: { reason: "  Integration retired " } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { key: KeyJson }).key).toMatchObject({ status: "revoked", revokedReason: "Integration retired" });
    expect(await got(alice, key.id)).toMatchObject({ revokedReason: "Integration retired" });
    expect(await revokedEvents(key.id)).toEqual([{ actor: `user:${alice.userId}`, detail: { reason: "Integration retired" } }]);
    expect((await useKey(secret)).status).toBe(401);

    const other = await createKey(alice);
    const bare = await call("POST", `/v1/keys/${other.key.id}/revoke`, { token: alice.token });
    expect(bare.status).toBe(200);
    expect(((await bare.json()) as { key: KeyJson }).key).toMatchObject({ status: "revoked", revokedReason: null });
    expect(await revokedEvents(other.key.id)).toEqual([{ actor: `user:${alice.userId}`, detail: null }]);
  });

  it("keeps the first revocation's reason: a later one and racing ones change nothing", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const racing = await Promise.all(
      ["first", "second", "third", "fourth"].map((reason) => call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json: { reason } })),
    );
    const views = await Promise.all(racing.map(async (r) => ((await r.json()) as { key: KeyJson }).key));
    const stood = (await got(alice, key.id)).revokedReason;
    expect(["first", "second", "third", "fourth"]).toContain(stood);
    expect(new Set(views.map((v) => `${v.revokedAt}|${v.revokedReason}`))).toEqual(new Set([`${views[0]!.revokedAt}|${stood}`]));
    expect(await revokedEvents(key.id)).toEqual([{ actor: `user:${alice.userId}`, detail: { reason: stood } }]);
    const later = await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json: { reason: "later" } });
    expect(((await later.json()) as { key: KeyJson }).key.revokedReason).toBe(stood);
  });

  it("refuses a bad reason with 422 and revokes nothing", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const before = await snapshotTables();
    for (const json of [{ reason: "x".repeat(501) }, { reason: "" }, { reason: 5 }, { reason: "a\u202Eb" }, { why: "x" }]) {
      const res = await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { code: string }).code).toBe("validation_failed");
    }
    expect(await snapshotTables()).toBe(before);
    expect((await useKey(secret)).status).toBe(200);
  });

  it("is \"leaked\" for a leak report's revocation", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await hmacReport(reportBody([secret]))).status).toBe(200);
    expect(await got(alice, key.id)).toMatchObject({ status: "revoked", revokedReason: "leaked" });
    expect(await revokedEvents(key.id)).toEqual([{ actor: "leak_report:hmac", detail: { reason: "leaked" } }]);
  });
});
