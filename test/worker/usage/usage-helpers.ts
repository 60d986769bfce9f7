import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { readConfig } from "../../../worker/config";
import { digestKey } from "../../../worker/crypto/hmac";
import { KeyUsageResponse, type KeyUsageView } from "../../../worker/keys/usage-schemas";
import { call, type TestUser } from "../helpers/api";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** `GET /v1/keys/{id}/usage` with a query string (`"window=7d"`), as `reader`. */
export function getUsage(reader: TestUser, keyId: string, query = ""): Promise<Response> {
  return call("GET", `/v1/keys/${encodeURIComponent(keyId)}/usage${query ? `?${query}` : ""}`, { token: reader.token });
}

/** The usage report, checked against its documented schema. */
export async function usageOf(reader: TestUser, keyId: string, query = ""): Promise<KeyUsageView> {
  const res = await getUsage(reader, keyId, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return KeyUsageResponse.parse(await res.json());
}

/** How many responses had each status, as `{ 200: n, 429: m }`. */
export function statusCounts(responses: readonly Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

/** Sets the clock of a key's Durable Object (its limiter, expiry, usage counters and reports). */
export function setChainClock(keyId: string, at: number): Promise<void> {
  return runInDurableObject(authorityFor(env, keyId), (authority: KeyAuthority) => void (authority.clock = () => at));
}

/** Rows of the usage tables in a key's Durable Object. */
export function usageRows(keyId: string): Promise<{ minutes: number[]; hours: number[] }> {
  return runInDurableObject(authorityFor(env, keyId), (_authority: KeyAuthority, state) =>
    // A chain no request has placed yet has no tables at all.
    state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'usage_minutes'").toArray().length === 0
      ? { minutes: [], hours: [] }
      : {
    minutes: state.storage.sql.exec<{ at: number }>("SELECT minute AS at FROM usage_minutes ORDER BY minute").toArray().map((r) => r.at),
    hours: state.storage.sql.exec<{ at: number }>("SELECT hour AS at FROM usage_hours ORDER BY hour").toArray().map((r) => r.at),
  });
}

/** The digest the Worker computes for a presented key, to call the object as the check does. */
export function digestOf(secret: string): Promise<string> {
  return digestKey(secret, readConfig(env).keyHashSecret);
}

/** The start of the UTC day `days` days after today's, far enough ahead of every real admission. */
export function dayAhead(days: number): number {
  return Math.floor(Date.now() / DAY) * DAY + days * DAY;
}
