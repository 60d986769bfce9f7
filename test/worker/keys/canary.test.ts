import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { userAuthorityFor } from "../../../worker/authority/user-authority-client";
import type { UserAuthority } from "../../../worker/authority/user-authority";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import production from "../../../worker/index";
import { admin, call, createKey, type KeyJson, snapshotTables, type TestUser, unique, useKey, user } from "../helpers/api";
import { keyFor } from "../helpers/keys";
import { captureUpstream } from "../helpers/upstream";
import { viaBinding, viaHttp } from "../verify/verify-helpers";

afterEach(() => vi.restoreAllMocks());

const MINUTE = 60_000;
const UPSTREAM = { UPSTREAM_URL: "https://backend.internal/v2" };

interface CanaryEvent {
  at: number;
  ip: string | null;
  userAgent: string | null;
  detail: { path: string | null; uses: number };
  actor: string;
  owner: string;
}

/** The key's `key.canary_used` events in D1, oldest first. */
async function canaryEvents(keyId: string): Promise<CanaryEvent[]> {
  const { results } = await env.DB.prepare(
    `SELECT at, ip, user_agent AS userAgent, detail, actor_type || ':' || actor_id AS actor, owner_id AS owner FROM audit_events
     WHERE key_id = ? AND action = 'key.canary_used' ORDER BY at, id`,
  )
    .bind(keyId)
    .all<Omit<CanaryEvent, "detail"> & { detail: string }>();
  return results.map((r) => ({ ...r, detail: JSON.parse(r.detail) as CanaryEvent["detail"] }));
}

/** Waits (at most 5 s) until D1 holds `count` such events: they are written after the answer. */
async function eventually(keyId: string, count: number): Promise<CanaryEvent[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const events = await canaryEvents(keyId);
    if (events.length >= count || Date.now() > deadline) return events;
    await scheduler.wait(20);
  }
}

function setClock(keyId: string, at: number): Promise<void> {
  return runInDurableObject(authorityFor(env, keyId), (authority: KeyAuthority) => void (authority.clock = () => at));
}

/** A request as a client sends it, from `address`, with a user agent. */
function attempt(secret: string, path = "/api/whoami", address = "198.51.100.7", agent = "curl/8.5.0", extra: Record<string, string> = {}) {
  return useKey(secret, path, { headers: { "CF-Connecting-IP": address, "User-Agent": agent }, env: extra as never });
}

/**
 * A request through the production entry (worker/index.ts), as the wire sees it: the development
 * entry adds a Server-Timing header whose durations differ on every request.
 */
async function viaProduction(secret: string, path: string, address: string): Promise<Response> {
  const ctx = createExecutionContext();
  const headers = { "X-API-Key": secret, "CF-Connecting-IP": address, "User-Agent": "agent" };
  const res = await production.fetch(new Request(`http://127.0.0.1:8787${path}`, { headers }), { ...env, ...UPSTREAM } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Status, headers and body bytes of an answer, without what differs per request (its id and date). */
async function wire(res: Response): Promise<{ status: number; headers: Array<[string, string]>; body: string }> {
  const headers = [...res.headers].filter(([name]) => !["x-request-id", "date"].includes(name.toLowerCase())).sort();
  return { status: res.status, headers, body: await res.text() };
}

function canary(owner: TestUser, extra: Record<string, unknown> = {}) {
  return createKey(owner, { canary: true, ...extra });
}

describe("canary keys", () => {
  it("answer every use exactly like an unknown key: status, headers and body bytes", async () => {
    const alice = await user();
    const { secret } = await canary(alice);
    const unknown = await keyFor(); // well-formed, validly tagged, never issued
    const forged = await keyFor({ tag: "forged" });
    for (const path of ["/api/whoami", "/api/deals/42?x=1"]) {
      const fromCanary = await wire(await viaProduction(secret, path, "198.51.100.7"));
      const fromUnknown = await wire(await viaProduction(unknown, path, "198.51.100.8"));
      const fromForged = await wire(await viaProduction(forged, path, "198.51.100.9"));
      expect(fromCanary.status).toBe(401);
      expect(fromCanary.body).toBe(GENERIC_UNAUTHORIZED_BODY);
      expect(fromCanary).toEqual(fromUnknown);
      expect(fromCanary).toEqual(fromForged);
    }
  });

  it("never reach the upstream or the limiter", async () => {
    const alice = await user();
    const { key, secret } = await canary(alice);
    const seen = captureUpstream();
    for (let i = 0; i < 12; i++) expect((await attempt(secret, "/api/deals", "198.51.100.7", "agent", UPSTREAM)).status).toBe(401);
    expect(seen).toEqual([]);
    const admissions = await runInDurableObject(authorityFor(env, key.id), (_a: KeyAuthority, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM admissions").one().n,
    );
    expect(admissions).toBe(0);
  });

  it("answer like an unknown key through /v1/verify and the KeyVerifier binding", async () => {
    const alice = await user();
    const { secret } = await canary(alice);
    const unknown = await keyFor();
    const [a, b] = await Promise.all([viaHttp({ key: secret, clientAddress: "192.0.2.10" }), viaHttp({ key: unknown, clientAddress: "192.0.2.11" })]);
    expect(await wire(a)).toEqual(await wire(b));
    expect(await viaBinding(secret)).toEqual(await viaBinding(unknown));
    expect(await viaBinding(secret)).toEqual({ valid: false, code: "invalid_api_key", detail: "The key is missing, malformed, unknown, or its secret is wrong." });
  });

  it("raise key.canary_used with the IP, user agent and path, for the key's owner", async () => {
    const alice = await user();
    const { key, secret } = await canary(alice);
    expect((await attempt(secret, "/api/invoices/7?expand=lines", "2001:DB8::0:7", "python-requests/2.32")).status).toBe(401);
    const [event] = await eventually(key.id, 1);
    expect(event).toMatchObject({
      ip: "2001:db8::7",
      userAgent: "python-requests/2.32",
      detail: { path: "/api/invoices/7", uses: 1 },
      actor: "system:edge",
      owner: alice.userId,
    });
    // Through /v1/verify: the address the backend vouches for; no path or user agent of the client.
    expect((await viaHttp({ key: secret, clientAddress: "192.0.2.44" })).status).toBe(200);
    await runInDurableObject(authorityFor(env, key.id), (authority: KeyAuthority) => void (authority.clock = () => Date.now() + 2 * MINUTE));
    expect((await viaHttp({ key: secret, clientAddress: "192.0.2.44" })).status).toBe(200);
    const events = await eventually(key.id, 2);
    expect(events[1]).toMatchObject({ ip: "192.0.2.44", userAgent: null, detail: { path: null } });
    // The owner and an admin see it in the audit log.
    const boss = await admin(alice.orgId);
    const res = await call("GET", `/v1/audit-events?keyId=${key.id}`, { token: boss.token });
    const listed = ((await res.json()) as { events: Array<{ action: string }> }).events.map((e) => e.action);
    expect(listed.filter((a) => a === "key.canary_used")).toHaveLength(events.length);
  });

  it("sample a flood to one event per key per minute, counting every use", async () => {
    const alice = await user();
    const { key, secret } = await canary(alice);
    // The first use places the chain; its event is the first.
    expect((await attempt(secret)).status).toBe(401);
    await eventually(key.id, 1);
    const t0 = Date.now() + 2 * MINUTE;
    await setClock(key.id, t0);
    const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(secret, `/api/p${i}`, `198.51.100.${i}`)));
    expect(flood.every((r) => r.status === 401)).toBe(true);
    const two = await eventually(key.id, 2);
    expect(two).toHaveLength(2);
    expect(two[1]).toMatchObject({ at: t0, detail: { uses: 1 } });
    await setClock(key.id, t0 + MINUTE);
    await runDurableObjectAlarm(authorityFor(env, key.id));
    const three = await eventually(key.id, 3);
    expect(three).toHaveLength(3);
    expect(three[2]).toMatchObject({ at: t0 + MINUTE, detail: { uses: 19 } });
    expect(three[2]!.detail.path).toMatch(/^\/api\/p\d+$/);
    expect(three.reduce((sum, e) => sum + e.detail.uses, 0)).toBe(21);
  });

  it("count a wrong secret for the canary's id as an unknown key: the generic 401 and no event", async () => {
    const alice = await user();
    const { key, secret } = await canary(alice);
    expect((await attempt(secret)).status).toBe(401);
    await eventually(key.id, 1);
    const wrong = await attempt(await keyFor({ id: key.id }));
    expect(await wrong.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    await scheduler.wait(50);
    expect(await canaryEvents(key.id)).toHaveLength(1);
  });

  it("are listed apart: canary on the view, and ?canary=true|false", async () => {
    const alice = await user();
    const real = await createKey(alice);
    const decoy = await canary(alice, { name: "AWS root key (backup)" });
    expect(decoy.key).toMatchObject({ canary: true, enabled: true, status: "active" });
    expect(real.key.canary).toBe(false);
    const list = async (query: string) => {
      const res = await call("GET", `/v1/keys${query}`, { token: alice.token });
      expect(res.status).toBe(200);
      return ((await res.json()) as { keys: KeyJson[] }).keys.map((k) => k.id);
    };
    expect((await list("")).sort()).toEqual([real.key.id, decoy.key.id].sort());
    expect(await list("?canary=true")).toEqual([decoy.key.id]);
    expect(await list("?canary=false&status=active")).toEqual([real.key.id]);
    const bad = await call("GET", "/v1/keys?canary=yes", { token: alice.token });
    expect(bad.status).toBe(422);
  });

  it("never count against the active-key cap, and hold no place in the owner's coordinator", async () => {
    const alice = await user();
    const capped = { MAX_ACTIVE_KEYS_PER_USER: "2" };
    const make = (json: object) => call("POST", "/v1/keys", { token: alice.token, json: { name: unique("k"), ...json }, env: capped });
    for (let i = 0; i < 3; i++) expect((await make({ canary: true })).status).toBe(201);
    expect((await make({})).status).toBe(201);
    expect((await make({})).status).toBe(201);
    const over = await make({});
    expect(over.status).toBe(409);
    expect(((await over.json()) as { code: string }).code).toBe("active_key_limit");
    expect((await make({ canary: true })).status).toBe(201);
    const owned = await runInDurableObject(userAuthorityFor(env, { orgId: alice.orgId, userId: alice.userId }), (_u: UserAuthority, state) =>
      state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM owned_keys").one().n,
    );
    expect(owned).toBe(2);
  });

  it("cannot be rotated, paused or given an allowlist; can be edited and revoked, which retires them", async () => {
    const alice = await user();
    const { key, secret } = await canary(alice);
    const before = await snapshotTables();
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: {} });
    expect(rotated.status).toBe(409);
    expect(((await rotated.json()) as { code: string }).code).toBe("key_not_active");
    for (const json of [{ enabled: false }, { allowedIps: ["203.0.113.0/24"] }]) {
      const res = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors.map((e) => e.field)).toEqual(Object.keys(json));
      const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "c", canary: true, ...json } });
      expect(created.status).toBe(422);
    }
    expect(await snapshotTables()).toBe(before);
    const renamed = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { name: "prod-db-backup", description: "Planted in the wiki" } });
    expect(renamed.status).toBe(200);

    const revoked = await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json: { reason: "Wiki cleaned up" } });
    expect(revoked.status).toBe(200);
    // A retired canary still answers like an unknown key (never "revoked"), and raises nothing.
    const use = await attempt(secret);
    expect(await use.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    await scheduler.wait(50);
    expect(await canaryEvents(key.id)).toEqual([]);
  });
});
