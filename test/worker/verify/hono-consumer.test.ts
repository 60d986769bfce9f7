import { describe, expect, it } from "vitest";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { call, createKey, randomAddress, user, useKey } from "../helpers/api";
import { keyFor } from "../helpers/keys";
import { consumers } from "./verify-helpers";

/**
 * The README's "Using the check in your own Hono app", run for real: `hono-consumer` (see
 * test/vitest.config.ts and fixtures/hono-consumer.ts) is another Worker that mounts `apiKeyAuth()`
 * and binds the main Worker's KeyAuthority through `script_name`, with KEY_HASH_SECRET,
 * KEY_TAG_SECRETS and AUTH_FAILURE_LIMITER of its own, and no D1 or UserAuthority binding.
 */
function viaConsumer(secret: string | null, address = randomAddress()): Promise<Response> {
  const headers: Record<string, string> = { "CF-Connecting-IP": address };
  if (secret !== null) headers["X-API-Key"] = secret;
  return consumers.HONO_CONSUMER.fetch("http://hono-consumer/api/invoices", { headers });
}

describe("apiKeyAuth in another Worker, bound to this one's KeyAuthority by script_name", () => {
  it("admits a key issued here, with the rate-limit fields", async () => {
    const alice = await user({ permissions: ["invoices:read"] });
    const { key, secret } = await createKey(alice);
    const res = await viaConsumer(secret);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ org: alice.orgId, key: key.id });
    expect(res.headers.get("RateLimit")).toBe('"burst";r=9;t=1');
  });

  it("shares the key's exact limits with this Worker's /api/*: 6 + 6 in the same second admit exactly 10", async () => {
    const alice = await user({ permissions: ["invoices:read"] });
    const { secret } = await createKey(alice);
    const responses = await Promise.all([
      ...Array.from({ length: 6 }, () => viaConsumer(secret)),
      ...Array.from({ length: 6 }, () => useKey(secret)),
    ]);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(2);
  });

  it("sees a revocation made here on its very next request", async () => {
    const alice = await user({ permissions: ["invoices:read"] });
    const { key, secret } = await createKey(alice);
    expect((await viaConsumer(secret)).status).toBe(200);
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    const res = await viaConsumer(secret);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "api_key_revoked" });
  });

  it("answers forged and unknown keys with the generic 401, and a missing permission with 403", async () => {
    for (const key of [null, await keyFor({ tag: "forged" }), await keyFor()]) {
      const res = await viaConsumer(key);
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    }
    const bob = await user({ permissions: ["contacts:read"] });
    const { secret } = await createKey(bob);
    const res = await viaConsumer(secret);
    expect(res.status).toBe(403);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ code: "forbidden" });
  });
});
