import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { readConfig } from "../../../worker/config";
import { digestKey } from "../../../worker/crypto/hmac";
import { parseApiKey } from "../../../worker/keys/key-format";
import { ADMIN_TOKEN, call, type TestUser, user } from "./api";

/**
 * Sets an org's ceiling for per-key limits through the admin API (the rest of its policy stays
 * the default).
 *
 * @example
 * await setCeiling(alice.orgId, [{ windowSeconds: 1, limit: 1000 }, { windowSeconds: 60, limit: 10000 }]);
 */
export async function setCeiling(orgId: string, keyLimitCeiling: Array<{ windowSeconds: number; limit: number }>): Promise<void> {
  const res = await call("PUT", `/v1/admin/orgs/${orgId}/policy`, { token: ADMIN_TOKEN, json: { keyLimitCeiling } });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** Limits high enough that only credits refuse: 1000 in any second, within {@link wideOwner}'s raised ceiling. */
export const WIDE = [{ name: "wide", limit: 1000, windowSeconds: 1 }];

/**
 * A fresh user whose org's ceiling allows {@link WIDE} (1000 in any second, 60,000 in any minute).
 *
 * @example
 * const alice = await wideOwner();
 * await createKey(alice, { limits: WIDE, credits: { remaining: 37 } });
 */
export async function wideOwner(): Promise<TestUser> {
  const owner = await user();
  await setCeiling(owner.orgId, [
    { windowSeconds: 1, limit: 1000 },
    { windowSeconds: 60, limit: 60_000 },
  ]);
  return owner;
}

/** How many responses had each status. */
export function statuses(responses: readonly Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/**
 * The digest a key's Durable Object knows its secret by, for tests that call the object directly.
 *
 * @example
 * await runInDurableObject(stub, (authority: KeyAuthority) => authority.verify(key.id, await digestOf(secret)));
 */
export async function digestOf(secret: string): Promise<string> {
  const config = readConfig(env);
  return digestKey(parseApiKey(secret, config.keyPrefix)!.secret, config.keyHashSecret);
}

/**
 * Sets the clock of a key chain's Durable Object (the instance that is running now: an evicted
 * object starts again with the platform clock).
 *
 * @example
 * await setChainClock(key.id, Date.UTC(2030, 0, 1));
 */
export async function setChainClock(keyId: string, at: number): Promise<void> {
  await runInDurableObject(authorityFor(env, keyId), (authority: KeyAuthority) => {
    authority.clock = () => at;
  });
}

/** Counts the rows of a table in a key chain's Durable Object. */
export function chainRows(keyId: string, table: "admissions" | "limiter_buckets"): Promise<number> {
  return runInDurableObject(authorityFor(env, keyId), (_authority: KeyAuthority, state) =>
    Number(state.storage.sql.exec(`SELECT count(*) AS n FROM ${table}`).one().n),
  );
}
