import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { call, createKey, user, useKey } from "../helpers/api";
import { countD1Queries, countingAuthority } from "../helpers/instruments";
import { keyFor, unregisteredKey } from "../helpers/keys";

afterEach(() => vi.restoreAllMocks());

const TEST_SECRETS = {
  a: "test-key-tag-secret-a-0123456789abcdef0123",
  b: "test-key-tag-secret-b-0123456789abcdef0123",
  c: "test-key-tag-secret-c-0123456789abcdef0123",
};

/** Tables and bytes of one KeyAuthority object, read inside it. */
async function storageOf(stub: DurableObjectStub<KeyAuthority>) {
  return runInDurableObject(stub, (_instance: KeyAuthority, state: DurableObjectState) => ({
    tables: state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '_cf_%'").toArray().length,
    bytes: state.storage.sql.databaseSize,
  }));
}

describe("forged keys", () => {
  it("answers 500 checksum-valid keys with forged tags with the generic 401, without any Durable Object call or D1 query", { timeout: 60_000 }, async () => {
    const authority = countingAuthority();
    const queries = countD1Queries();
    for (let i = 0; i < 500; i++) {
      const res = await useKey(await keyFor({ tag: "forged" }), "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    }
    expect(authority.calls()).toBe(0);
    expect(queries()).toBe(0);
  });

  it("refuses a real key's id with a forged tag before its object, even with the right secret part", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    // Same id, secret part and checksum recomputed, but a tag the attacker made up.
    const id = secret.slice(8, 24);
    const forged = await keyFor({ id, tag: "forged" });
    const authority = countingAuthority();
    const res = await useKey(forged, "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } });
    expect(res.status).toBe(401);
    expect(authority.calls()).toBe(0);
  });

  it("refuses a key naming a tag secret that is not configured, without any Durable Object call", async () => {
    const authority = countingAuthority();
    const res = await useKey(await keyFor({ tagSecretId: "z" }), "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } });
    expect(res.status).toBe(401);
    expect(authority.calls()).toBe(0);
  });

  it("creates no table and no bytes in an object asked about an id it never registered", async () => {
    const { id, secret } = await unregisteredKey();
    const res = await useKey(secret);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    const stub = authorityFor(env, id);
    expect(await stub.lastUsed(id)).toBeNull();
    expect(await storageOf(stub)).toMatchObject({ tables: 0 });
    // A real key's object has its tables once the key's first request has placed it there.
    const { key, secret: real } = await createKey(await user());
    expect((await storageOf(authorityFor(env, key.id))).tables).toBe(0);
    expect((await useKey(real)).status).toBe(200);
    expect((await storageOf(authorityFor(env, key.id))).tables).toBeGreaterThan(0);
  });
});

describe("rotating the tag secret", () => {
  it("keeps keys of the previous secret working, tags new keys with the new one, and retires old keys when their secret is removed", async () => {
    const alice = await user();
    const before = await createKey(alice);
    expect(before.secret.slice(24, 25)).toBe("b");

    const rotated = { KEY_TAG_SECRETS: `c:${TEST_SECRETS.c},b:${TEST_SECRETS.b},a:${TEST_SECRETS.a}` };
    expect((await useKey(before.secret, "/api/whoami", { env: rotated })).status).toBe(200);
    const created = await call("POST", "/v1/keys", { token: alice.token, json: { name: "after rotation" }, env: rotated });
    const after = (await created.json()) as { secret: string };
    expect(after.secret.slice(24, 25)).toBe("c");
    expect((await useKey(after.secret, "/api/whoami", { env: rotated })).status).toBe(200);

    const retired = { KEY_TAG_SECRETS: `c:${TEST_SECRETS.c}` };
    const authority = countingAuthority();
    const res = await useKey(before.secret, "/api/whoami", { env: { ...retired, KEY_AUTHORITY: authority.binding } });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    expect(authority.calls()).toBe(0);
    expect((await useKey(after.secret, "/api/whoami", { env: retired })).status).toBe(200);
  });
});
