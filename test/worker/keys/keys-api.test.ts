import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keyPattern } from "../../../worker/keys/key-format";
import { admin, call, createKey, type KeyJson, unique, user } from "../helpers/api";

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

describe("POST /v1/keys", () => {
  it("returns the key and its secret once, with Cache-Control: no-store", async () => {
    const alice = await user();
    const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "CRM Integration", expiresAt: inDays(90) } });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as { key: KeyJson; secret: string };
    expect(body.secret).toMatch(keyPattern("ak_live_"));
    expect(body.key).toMatchObject({
      name: "CRM Integration",
      status: "active",
      createdBy: { id: alice.userId, name: alice.name },
      lastUsedAt: null,
      revokedAt: null,
      scopes: null,
      rotatedFromId: null,
      rotatedToId: null,
      leak: null,
      rotationRequiresOwner: false,
    });
    expect(body.key.hint).toBe(`ak_live_${body.secret.slice(8, 12)}…${body.secret.slice(-4)}`);
    expect(Object.keys(body.key).sort()).toEqual(
      [
        "allowedIps", "canary", "createdAt", "createdBy", "credits", "description", "enabled", "expiresAt", "hint", "id", "lastUsedAt", "leak",
        "limits", "meta", "name", "region", "revokedAt", "revokedReason", "rotatedFromId", "rotatedToId", "rotationRequiresOwner", "scopes", "status",
      ],
    );
  });

  it("never returns the secret again: not in get, list, audit, revoke or an error, and not in any D1 column", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const body = secret.slice(8);
    const responses = await Promise.all([
      call("GET", `/v1/keys/${key.id}`, { token: alice.token }),
      call("GET", "/v1/keys", { token: alice.token }),
      call("GET", "/v1/audit-events", { token: alice.token }),
      call("POST", "/v1/keys", { token: alice.token, json: { name: secret, expiresAt: "nope" } }),
    ]);
    for (const res of responses) expect(await res.text()).not.toContain(body);
    const revoked = await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    expect(await revoked.text()).not.toContain(body);
    for (const table of ["api_keys", "users", "audit_events"]) {
      const { results } = await env.DB.prepare(`SELECT * FROM ${table}`).all();
      expect(JSON.stringify(results)).not.toContain(body);
    }
  });

  it("stores an expiry given with an offset as the same instant in UTC", async () => {
    const alice = await user();
    const at = new Date(Math.floor((Date.now() + 10 * DAY) / 1000) * 1000);
    const local = at.toISOString().replace("Z", "+00:00");
    const { key } = await createKey(alice, { expiresAt: local });
    expect(key.expiresAt).toBe(at.toISOString());
  });

  it("narrows a key to scopes its creator holds", async () => {
    const alice = await user({ permissions: ["contacts:read", "contacts:write"] });
    const { key } = await createKey(alice, { scopes: ["contacts:read"] });
    expect(key.scopes).toEqual(["contacts:read"]);
  });

  it("refuses a key beyond MAX_ACTIVE_KEYS_PER_USER with 409 and writes nothing", async () => {
    const alice = await user();
    const limited = { MAX_ACTIVE_KEYS_PER_USER: "2" };
    for (let i = 0; i < 2; i++) {
      const ok = await call("POST", "/v1/keys", { token: alice.token, json: { name: `k${i}` }, env: limited });
      expect(ok.status).toBe(201);
    }
    const refused = await call("POST", "/v1/keys", { token: alice.token, json: { name: "third" }, env: limited });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "active_key_limit", status: 409 });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM api_keys WHERE created_by = ?").bind(alice.userId).first("n");
    expect(count).toBe(2);
  });

  it("lets a user create again once a key is revoked below the limit", async () => {
    const alice = await user();
    const limited = { MAX_ACTIVE_KEYS_PER_USER: "1" };
    const first = await call("POST", "/v1/keys", { token: alice.token, json: { name: "one" }, env: limited });
    const { key } = (await first.json()) as { key: KeyJson };
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    const again = await call("POST", "/v1/keys", { token: alice.token, json: { name: "two" }, env: limited });
    expect(again.status).toBe(201);
  });

  it("records a key.created audit event with actor, IP and user agent", async () => {
    const alice = await user();
    const res = await call("POST", "/v1/keys", {
      token: alice.token,
      json: { name: "audited" },
      headers: { "CF-Connecting-IP": "203.0.113.7", "User-Agent": "test-agent/1.0" },
    });
    const { key } = (await res.json()) as { key: KeyJson };
    const events = (await (await call("GET", "/v1/audit-events", { token: alice.token })).json()) as { events: unknown[] };
    expect(events.events[0]).toMatchObject({
      action: "key.created",
      actor: { type: "user", id: alice.userId },
      keyId: key.id,
      ip: "203.0.113.7",
      userAgent: "test-agent/1.0",
    });
  });
});

describe("GET /v1/keys", () => {
  it("lists a member's own keys newest first and paginates with nextCursor", async () => {
    const alice = await user();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createKey(alice, { name: `key ${i}` })).key.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : "?limit=2";
      const page = (await (await call("GET", `/v1/keys${query}`, { token: alice.token })).json()) as { keys: KeyJson[]; nextCursor: string | null };
      expect(page.keys.length).toBeLessThanOrEqual(2);
      seen.push(...page.keys.map((k) => k.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...created].reverse());
  });

  it("filters by status", async () => {
    const alice = await user();
    const kept = await createKey(alice);
    const gone = await createKey(alice);
    await call("POST", `/v1/keys/${gone.key.id}/revoke`, { token: alice.token });
    const active = (await (await call("GET", "/v1/keys?status=active", { token: alice.token })).json()) as { keys: KeyJson[] };
    const revoked = (await (await call("GET", "/v1/keys?status=revoked", { token: alice.token })).json()) as { keys: KeyJson[] };
    expect(active.keys.map((k) => k.id)).toEqual([kept.key.id]);
    expect(revoked.keys.map((k) => k.id)).toEqual([gone.key.id]);
  });

  it("shows a member only their own keys and an api_keys:admin every key of the org", async () => {
    const orgId = unique("org");
    const alice = await user({ orgId });
    const bob = await user({ orgId });
    const boss = await admin(orgId);
    const a = await createKey(alice);
    const b = await createKey(bob);
    const ids = async (token: string) =>
      ((await (await call("GET", "/v1/keys", { token })).json()) as { keys: KeyJson[] }).keys.map((k) => k.id);
    expect(await ids(alice.token)).toEqual([a.key.id]);
    expect(await ids(bob.token)).toEqual([b.key.id]);
    expect(await ids(boss.token)).toEqual([b.key.id, a.key.id]);
    expect((await call("GET", `/v1/keys/${b.key.id}`, { token: alice.token })).status).toBe(404);
    expect((await call("POST", `/v1/keys/${b.key.id}/revoke`, { token: boss.token })).status).toBe(200);
  });

  it("refuses a cursor issued to another org", async () => {
    const alice = await user();
    for (let i = 0; i < 2; i++) await createKey(alice);
    const page = (await (await call("GET", "/v1/keys?limit=1", { token: alice.token })).json()) as { nextCursor: string };
    const mallory = await user();
    const res = await call("GET", `/v1/keys?cursor=${encodeURIComponent(page.nextCursor)}`, { token: mallory.token });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: "invalid_cursor" });
  });
});

describe("POST /v1/keys/{id}/revoke", () => {
  it("revokes once and answers the same on a repeat, with one audit event", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const first = (await (await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token })).json()) as { key: KeyJson };
    const again = (await (await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token, json: {} })).json()) as { key: KeyJson };
    expect(first.key.status).toBe("revoked");
    expect(again.key.revokedAt).toBe(first.key.revokedAt);
    const { events } = (await (await call("GET", "/v1/audit-events", { token: alice.token })).json()) as { events: { action: string }[] };
    expect(events.filter((e) => e.action === "key.revoked")).toHaveLength(1);
  });
});
