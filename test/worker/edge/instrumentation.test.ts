import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { createKey, user, useKey } from "../helpers/api";
import { countD1Queries, countingAuthority } from "../helpers/instruments";
import { unregisteredKey } from "../helpers/keys";

afterEach(() => vi.restoreAllMocks());

describe("what the request path touches", () => {
  it("makes no D1 query and exactly one Durable Object call for a valid key (after its first use placed it)", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200);
    const authority = countingAuthority();
    const queries = countD1Queries();
    const res = await useKey(secret, "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } });
    expect(res.status).toBe(200);
    expect(queries()).toBe(0);
    expect(authority.calls()).toBe(1);
  });

  it("proves the D1 counter sees queries made inside a Durable Object", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    await useKey(secret);
    const queries = countD1Queries();
    expect(await runDurableObjectAlarm(authorityFor(env, key.id))).toBe(true);
    expect(queries()).toBeGreaterThan(0);
  });

  it("makes no Durable Object call and no D1 query for 1,000 keys with a bad checksum", async () => {
    const authority = countingAuthority();
    const queries = countD1Queries();
    for (let i = 0; i < 1000; i++) {
      const { secret } = await unregisteredKey();
      const last = secret.at(-1) === "0" ? "1" : "0";
      const res = await useKey(secret.slice(0, -1) + last, "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } });
      expect(res.status).toBe(401);
    }
    expect(authority.calls()).toBe(0);
    expect(queries()).toBe(0);
  }, 60_000); // 1,000 sequential requests: a count, not a timing, so a loaded machine may take its time

  it("sheds a flood on a limited key with one call to its object for all of it (delivering the 429 count), with the object's own Retry-After", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    await Promise.all(Array.from({ length: 11 }, () => useKey(secret)));
    const authority = countingAuthority();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => useKey(secret, "/api/whoami", { env: { KEY_AUTHORITY: authority.binding } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(429));
    expect(responses.every((r) => r.headers.get("Retry-After") === "1")).toBe(true);
    // Not one call per request: the isolate delivers the twenty 429s to the key's usage in one batch.
    expect(authority.calls()).toBe(1);
  });
});
