import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { keyStatus } from "../../../worker/keys/key-status";
import { KeyStore } from "../../../worker/keys/key-store";
import { unique } from "../helpers/api";

const NOW = 1_800_000_000_000;

describe("key status", () => {
  it("is revoked once revoked, whatever the expiry", () => {
    expect(keyStatus({ revokedAt: NOW - 1, expiresAt: NOW - 5 }, NOW)).toBe("revoked");
  });

  it("is expired from the very millisecond of expiresAt", () => {
    expect(keyStatus({ revokedAt: null, expiresAt: NOW }, NOW)).toBe("expired");
    expect(keyStatus({ revokedAt: null, expiresAt: NOW + 1 }, NOW)).toBe("active");
  });

  it("is active without expiry or revocation", () => {
    expect(keyStatus({ revokedAt: null, expiresAt: null }, NOW)).toBe("active");
  });

  it("agrees with the store's SQL status filter on every boundary", async () => {
    const orgId = unique("org");
    const store = new KeyStore(env.DB);
    const cases = [
      { revokedAt: null, expiresAt: null },
      { revokedAt: null, expiresAt: NOW - 1 },
      { revokedAt: null, expiresAt: NOW },
      { revokedAt: null, expiresAt: NOW + 1 },
      { revokedAt: NOW, expiresAt: null },
      { revokedAt: NOW - 1, expiresAt: NOW + 1 },
      { revokedAt: NOW - 1, expiresAt: NOW - 2 },
    ];
    const ids = cases.map((_, i) => `case${String(i).padStart(12, "0")}`);
    await env.DB.batch(
      cases.map((c, i) =>
        store.insert({
          id: ids[i]!, orgId, createdBy: "u", name: "n", hint: "h", secretDigest: "d", scopes: null,
          createdAt: NOW - 1000 + i, expiresAt: c.expiresAt, lifetimeMs: null, revokedAt: c.revokedAt,
          lastUsedAt: null, rotatedFromId: null, rotatedToId: null, region: null, placedAt: null, allowedIps: null,
          enabled: true, description: null, meta: null, revokedReason: null, canary: false, limits: null, credits: null,
        }),
      ),
    );
    for (const status of ["active", "expired", "revoked"] as const) {
      const listed = await store.list({ orgId, ownerId: null, status, now: NOW, after: null, limit: 100 });
      const expected = ids.filter((_, i) => keyStatus(cases[i]!, NOW) === status);
      expect(listed.map((k) => k.id).sort()).toEqual(expected.sort());
    }
  });
});
