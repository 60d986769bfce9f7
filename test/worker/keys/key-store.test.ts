import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyRecord } from "../../../worker/keys/key-record";
import { keyStatus, type KeyStatus } from "../../../worker/keys/key-status";
import { KeyStore } from "../../../worker/keys/key-store";
import { unique } from "../helpers/api";

const NOW = 1_900_000_000_000;
const INSTANTS = [null, NOW - 1000, NOW, NOW + 1000] as const;

function record(orgId: string, revokedAt: number | null, expiresAt: number | null, i: number): KeyRecord {
  return {
    id: `k${String(i).padStart(15, "0")}`,
    orgId,
    createdBy: "user_a",
    name: `key ${i}`,
    hint: "ak_live_k000…0000",
    secretDigest: `digest-${i}`,
    scopes: null,
    createdAt: NOW - 10_000 + i,
    expiresAt,
    lifetimeMs: null,
    revokedAt,
    lastUsedAt: null,
    rotatedFromId: null,
    rotatedToId: null,
    region: null,
    placedAt: null,
    allowedIps: null,
    enabled: true, description: null, meta: null, revokedReason: null, canary: false,
    limits: null,
    credits: null,
  };
}

describe("KeyStore status filters", () => {
  it("select exactly the keys keyStatus() gives that status, for every combination of revocation and expiry around now", async () => {
    const orgId = unique("org");
    const store = new KeyStore(env.DB);
    const records = INSTANTS.flatMap((revokedAt, r) => INSTANTS.map((expiresAt, e) => record(orgId, revokedAt, expiresAt, r * 4 + e)));
    await env.DB.batch(records.map((k) => store.insert(k)));
    for (const status of ["active", "expired", "revoked"] as KeyStatus[]) {
      const listed = await store.list({ orgId, ownerId: null, status, now: NOW, after: null, limit: 100 });
      const expected = records.filter((k) => keyStatus(k, NOW) === status).map((k) => k.id).sort();
      expect(listed.map((k) => k.id).sort(), status).toEqual(expected);
    }
  });
});
