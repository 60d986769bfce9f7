import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, createKey, user, useKey } from "../helpers/api";

const CONTROL_COLUMNS = ["enabled", "description", "meta", "canary", "created_by"];

function keysColumns(keyId: string): Promise<string[]> {
  return runInDurableObject(authorityFor(env, keyId), (_authority: KeyAuthority, state) =>
    state.storage.sql.exec<{ name: string }>("PRAGMA table_info(keys)").toArray().map((c) => c.name),
  );
}

describe("a chain placed before the key controls existed", () => {
  it("gets their columns when its object next opens, keeps admitting the key, and can pause it and carry its meta", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    // The keys table as chains created it before this change (and the sampler table without user agents and paths).
    await runInDurableObject(authorityFor(env, key.id), (_authority: KeyAuthority, state) => {
      for (const column of CONTROL_COLUMNS) state.storage.sql.exec(`ALTER TABLE keys DROP COLUMN ${column}`);
      state.storage.sql.exec("DROP TABLE IF EXISTS ip_refusals");
      state.storage.sql.exec("CREATE TABLE ip_refusals (key_id TEXT PRIMARY KEY, reported_at INTEGER NOT NULL, unreported INTEGER NOT NULL, last_ip TEXT) WITHOUT ROWID");
    });
    expect(await keysColumns(key.id)).not.toContain("enabled");
    await evictDurableObject(authorityFor(env, key.id));

    expect((await useKey(secret)).status).toBe(200);
    expect(await keysColumns(key.id)).toEqual(expect.arrayContaining(CONTROL_COLUMNS));
    const paused = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { enabled: false, meta: { plan: "pro" } } });
    expect(paused.status).toBe(200);
    expect(((await (await useKey(secret)).json()) as { code: string }).code).toBe("api_key_disabled");
    const ipColumns = await runInDurableObject(authorityFor(env, key.id), (_authority: KeyAuthority, state) =>
      state.storage.sql.exec<{ name: string }>("PRAGMA table_info(ip_refusals)").toArray().map((c) => c.name),
    );
    expect(ipColumns).toEqual(expect.arrayContaining(["last_user_agent", "last_path"]));
  });
});
