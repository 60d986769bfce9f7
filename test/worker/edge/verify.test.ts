import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, createKey, putUser, refreshed, useKey, user } from "../helpers/api";
import { keyFor } from "../helpers/keys";


describe("verifying X-API-Key", () => {
  it("admits a key on the very first request after it was created, 100 times out of 100", async () => {
    const alice = await user();
    const env = { MAX_ACTIVE_KEYS_PER_USER: "200" } as const;
    let admitted = 0;
    for (let i = 0; i < 100; i++) {
      const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: `k${i}` }, env });
      const { secret } = (await res.json()) as { secret: string };
      if ((await useKey(secret)).status === 200) admitted++;
    }
    expect(admitted).toBe(100);
    // 200 real round trips (D1, two Durable Objects each): allowed more than the 5 s default on a
    // shared 2-core machine; the assertion is the count, never the time.
  }, 30_000);

  it("gives byte-identical 401 bodies for missing, malformed, unknown and wrong-secret keys", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const unknown = await keyFor();
    const forged = await keyFor({ tag: "forged" });
    // A checksum-valid, correctly tagged key with the real key's id but another secret.
    const sameIdWrongSecret = await keyFor({ id: key.id });
    const bodies = await Promise.all(
      [null, "", "ak_live_short", `${secret}x`, secret.slice(0, -1) + (secret.endsWith("a") ? "b" : "a"), unknown, forged, sameIdWrongSecret].map(
        async (k) => {
          const res = await useKey(k);
          expect(res.status).toBe(401);
          expect(res.headers.get("Content-Type")).toBe("application/problem+json");
          return res.text();
        },
      ),
    );
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0]!)).toMatchObject({ status: 401, code: "invalid_api_key" });
  });

  it("refuses two X-API-Key headers as malformed", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const headers = new Headers();
    headers.append("X-API-Key", secret);
    headers.append("X-API-Key", secret);
    const res = await call("GET", "/api/whoami", { headers: Object.fromEntries(headers) });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "invalid_api_key" });
  });

  it("ignores a key in the query string", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const res = await call("GET", `/api/whoami?api_key=${secret}&X-API-Key=${secret}`);
    expect(res.status).toBe(401);
  });

  it("says revoked when the presented secret is right and the key is revoked", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    const res = await useKey(secret);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "api_key_revoked" });
  });

  it("keeps a rotated key working through its grace period, then answers expired", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 1 } });
    const { secret: next } = (await rotated.json()) as { secret: string };
    expect((await useKey(secret)).status).toBe(200);
    expect((await useKey(next)).status).toBe(200);
    // Move the chain's clock to the grace period's last millisecond, then to its end, instead of sleeping.
    const stub = authorityFor(env, key.id);
    const graceEnd = await runInDurableObject(stub, (_authority: KeyAuthority, state) =>
      state.storage.sql.exec<{ at: number }>("SELECT expires_at AS at FROM keys WHERE id = ?", key.id).one().at,
    );
    expect(graceEnd).toBeLessThanOrEqual(Date.now() + 1000);
    const setClock = (at: number) => runInDurableObject(stub, (authority: KeyAuthority) => void (authority.clock = () => at));
    await setClock(graceEnd - 1);
    expect((await useKey(secret)).status).toBe(200);
    await setClock(graceEnd);
    const old = await useKey(secret);
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ code: "api_key_expired" });
    expect((await useKey(next)).status).toBe(200);
  });

  it("answers expired at once for a key rotated with graceSeconds 0", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 0 } });
    expect(await (await useKey(secret)).json()).toMatchObject({ code: "api_key_expired" });
  });

  it("refuses every key of a deactivated user with 403 on the next request", async () => {
    const alice = await user();
    const keys = [await createKey(alice), await createKey(alice)];
    for (const k of keys) expect((await useKey(k.secret)).status).toBe(200);
    await putUser(alice.orgId, alice.userId, { permissions: alice.permissions, active: false });
    for (const k of keys) {
      const res = await useKey(k.secret);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: "user_deactivated" });
    }
  });

  it("shows a permission change in /api/whoami on the next request", async () => {
    const alice = await user({ permissions: ["contacts:read", "contacts:write"] });
    const { secret } = await createKey(alice);
    expect(((await (await useKey(secret)).json()) as { permissions: string[] }).permissions).toEqual(["contacts:read", "contacts:write"]);
    await putUser(alice.orgId, alice.userId, { permissions: ["contacts:read"], active: true });
    expect(((await (await useKey(secret)).json()) as { permissions: string[] }).permissions).toEqual(["contacts:read"]);
  });

  it("follows a permission change carried by the user's refreshed token", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    const { secret } = await createKey(alice);
    const demoted = await refreshed(alice, { permissions: [] });
    await call("GET", "/v1/keys", { token: demoted.token });
    expect((await useKey(secret, "/api/contacts")).status).toBe(403);
  });

  it("narrows a scoped key to creator ∩ scopes", async () => {
    const alice = await user({ permissions: ["contacts:read", "contacts:write"] });
    const { secret } = await createKey(alice, { scopes: ["contacts:write"] });
    const whoami = (await (await useKey(secret)).json()) as { permissions: string[] };
    expect(whoami.permissions).toEqual(["contacts:write"]);
    const res = await useKey(secret, "/api/contacts");
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "forbidden" });
  });

  it("answers /api/whoami for the key: id, name, org, user, permissions and rate-limit state", async () => {
    const alice = await user({ name: "Alice Example" });
    const { key, secret } = await createKey(alice, { name: "Zapier" });
    const res = await useKey(secret);
    expect(res.headers.get("RateLimit-Policy")).toBe('"burst";q=10;w=1, "minute";q=100;w=60');
    expect(res.headers.get("RateLimit")).toBe('"burst";r=9;t=1');
    expect(await res.json()).toEqual({
      key: { id: key.id, name: "Zapier" },
      org: { id: alice.orgId },
      user: { id: alice.userId, name: "Alice Example" },
      permissions: alice.permissions,
      rateLimit: {
        burst: { limit: 10, windowSeconds: 1, remaining: 9, resetSeconds: 1 },
        minute: { limit: 100, windowSeconds: 60, remaining: 99, resetSeconds: 60 },
      },
      credits: null,
    });
  });

  it("serves sample contacts in local dev for the help article's curl", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const res = await useKey(secret, "/api/contacts");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { contacts: unknown[] }).contacts.length).toBeGreaterThan(0);
    expect((await useKey(secret, "/api/contacts", { env: { DEV_LOGIN: undefined } })).status).toBe(404);
  });

  it("answers 404 for other /api routes without an upstream, after checking the key", async () => {
    expect((await useKey(null, "/api/nothing")).status).toBe(401);
    const alice = await user();
    const { secret } = await createKey(alice);
    expect((await useKey(secret, "/api/nothing")).status).toBe(404);
  });
});
