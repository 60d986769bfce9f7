import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, createKey, user, useKey } from "../helpers/api";

const from = (address: string) => ({ headers: { "CF-Connecting-IP": address } });

function keysColumns(keyId: string): Promise<string[]> {
  return runInDurableObject(authorityFor(env, keyId), (_authority: KeyAuthority, state) =>
    state.storage.sql.exec<{ name: string }>("PRAGMA table_info(keys)").toArray().map((c) => c.name),
  );
}

describe("a chain placed before IP allowlists existed", () => {
  it("gets the allowed_ips column when its object next opens, keeps working from any address, and takes a list", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret, "/api/whoami", from("198.51.100.1"))).status).toBe(200);
    // The keys table as chains created it before this change: no allowed_ips column.
    await runInDurableObject(authorityFor(env, key.id), (_authority: KeyAuthority, state) => {
      state.storage.sql.exec("ALTER TABLE keys DROP COLUMN allowed_ips");
    });
    expect(await keysColumns(key.id)).not.toContain("allowed_ips");
    await evictDurableObject(authorityFor(env, key.id));

    expect((await useKey(secret, "/api/whoami", from("198.51.100.2"))).status).toBe(200);
    expect(await keysColumns(key.id)).toContain("allowed_ips");
    const patched = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { allowedIps: ["203.0.113.0/24"] } });
    expect(patched.status).toBe(200);
    expect((await useKey(secret, "/api/whoami", from("198.51.100.2"))).status).toBe(403);
    expect((await useKey(secret, "/api/whoami", from("203.0.113.2"))).status).toBe(200);
  });
});
