import { afterEach, describe, expect, it, vi } from "vitest";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { call, createKey, randomAddress, user, useKey } from "../helpers/api";
import { countingAuthority } from "../helpers/instruments";
import { keyFor } from "../helpers/keys";

afterEach(() => vi.restoreAllMocks());

/** `limit` of AUTH_FAILURE_LIMITER in wrangler.toml: failures allowed per address and period. */
const FAILURES_ALLOWED = 50;
const PERIOD_SECONDS = "60";

const from = (address: string) => ({ headers: { "CF-Connecting-IP": address } });

/** Sends `count` invalid keys from `address`; returns the statuses in order. */
async function fail(address: string, count: number, key?: () => Promise<string>): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    statuses.push((await useKey(key ? await key() : await keyFor({ tag: "forged" }), "/api/whoami", from(address))).status);
  }
  return statuses;
}

describe("throttling failed verifications per client address", () => {
  it(`answers the generic 401 ${FAILURES_ALLOWED} times, then 429 with Retry-After for the rest of the period`, async () => {
    const attacker = randomAddress();
    const statuses = await fail(attacker, FAILURES_ALLOWED + 5);
    expect(statuses.slice(0, FAILURES_ALLOWED)).toEqual(Array(FAILURES_ALLOWED).fill(401));
    expect(statuses.slice(FAILURES_ALLOWED)).toEqual(Array(5).fill(429));
    const res = await useKey(await keyFor({ tag: "forged" }), "/api/whoami", from(attacker));
    expect(res.status).toBe(429);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers.get("Retry-After"))).toBeLessThanOrEqual(Number(PERIOD_SECONDS));
    expect(await res.json()).toMatchObject({ status: 429, code: "too_many_failed_attempts" });
  });

  it("stops a throttled address's guesses at a real key's id before its Durable Object", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const attacker = randomAddress();
    // Right id, right tag, wrong secrets: these do reach the object until the limiter refuses
    // the address (the failure that tips it over already gets the 429).
    const statuses = await fail(attacker, FAILURES_ALLOWED + 1, () => keyFor({ id: key.id }));
    expect(statuses).toEqual([...Array(FAILURES_ALLOWED).fill(401), 429]);
    const authority = countingAuthority();
    for (let i = 0; i < 20; i++) {
      const res = await useKey(await keyFor({ id: key.id }), "/api/whoami", { ...from(attacker), env: { KEY_AUTHORITY: authority.binding } });
      expect(res.status).toBe(429);
    }
    expect(authority.calls()).toBe(0);
  });

  it("keeps a valid key's exact limits while another address floods: 10 of 15 admitted, as without the flood", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const attacker = randomAddress();
    const honest = randomAddress();
    const [, responses] = await Promise.all([
      fail(attacker, FAILURES_ALLOWED + 20),
      Promise.all(Array.from({ length: 15 }, () => useKey(secret, "/api/whoami", from(honest)))),
    ]);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(5);
    for (const res of responses.filter((r) => r.status === 429)) expect(await res.json()).toMatchObject({ code: "rate_limited" });
    // The attacker is throttled; the honest address is not. (The binding counts per 60 s period:
    // should the flood have straddled a period's end, the attacker is throttled again within
    // one allowance of further failures.)
    let throttled = false;
    for (let i = 0; i <= FAILURES_ALLOWED && !throttled; i++) {
      throttled = (await useKey(await keyFor({ tag: "forged" }), "/api/whoami", from(attacker))).status === 429;
    }
    expect(throttled).toBe(true);
    expect(await (await useKey(await keyFor({ tag: "forged" }), "/api/whoami", from(honest))).text()).toBe(GENERIC_UNAUTHORIZED_BODY);
  });

  it("never counts a valid key's requests, admitted or rate-limited, as failures", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const address = randomAddress();
    const statuses = await Promise.all(Array.from({ length: FAILURES_ALLOWED + 10 }, () => useKey(secret, "/api/whoami", from(address))));
    expect(statuses.filter((r) => r.status === 200)).toHaveLength(10);
    // All of those were the key's own limit, not failures: the address still gets its 401s.
    expect(await fail(address, 5)).toEqual(Array(5).fill(401));
  });

  it("counts revoked-key answers as the key's state, not as guesses", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const address = randomAddress();
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    for (let i = 0; i < FAILURES_ALLOWED + 5; i++) {
      const res = await useKey(secret, "/api/whoami", from(address));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "api_key_revoked" });
    }
  });
});
