import { describe, expect, it } from "vitest";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { call, createKey, type TestUser, user, useKey } from "../helpers/api";
import { keyFor } from "../helpers/keys";
import { setChainClock, usageOf } from "../usage/usage-helpers";

const from = (address: string) => ({ headers: { "CF-Connecting-IP": address } });

interface WhoAmI {
  rateLimit: Record<"burst" | "minute", { remaining: number }>;
}

function statusCounts(responses: readonly Response[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of responses) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

async function restrictedKey(owner: TestUser, allowedIps: string[]) {
  return createKey(owner, { allowedIps });
}

describe("a key's IP allowlist at /api/*", () => {
  it("admits a request from inside the list and answers one from outside with 403 ip_not_allowed, naming no address", async () => {
    const alice = await user();
    const { secret } = await restrictedKey(alice, ["203.0.113.0/24", "2001:db8:aaaa::/48"]);
    expect((await useKey(secret, "/api/whoami", from("203.0.113.77"))).status).toBe(200);
    expect((await useKey(secret, "/api/whoami", from("2001:db8:aaaa:1::5"))).status).toBe(200);

    const res = await useKey(secret, "/api/whoami", from("198.51.100.7"));
    expect(res.status).toBe(403);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ status: 403, code: "ip_not_allowed", type: "urn:problem:api-keys:ip_not_allowed" });
    for (const revealing of ["203.0.113", "2001:db8:aaaa", "/24", "/48", "198.51.100.7"]) expect(text).not.toContain(revealing);
  });

  it.each([
    ["the first address of the range", "203.0.113.0", 200],
    ["the last address of the range", "203.0.113.255", 200],
    ["the address just before it", "203.0.112.255", 403],
    ["the address just after it", "203.0.114.0", 403],
    ["the IPv4-mapped IPv6 form of an address inside", "::ffff:203.0.113.9", 200],
    ["the IPv4-mapped IPv6 form of an address outside", "::ffff:203.0.114.9", 403],
    ["the NAT64 form of an address inside", "64:ff9b::203.0.113.9", 403],
  ])("with 203.0.113.0/24 answers %s (%s) with %i", async (_label, address, status) => {
    const alice = await user();
    const { secret } = await restrictedKey(alice, ["203.0.113.0/24"]);
    expect((await useKey(secret, "/api/whoami", from(address))).status).toBe(status);
  });

  it("with a /32 and a /128 admits exactly those two hosts", async () => {
    const alice = await user();
    const { secret } = await restrictedKey(alice, ["192.0.2.10", "2001:db8::10/128"]);
    const statuses = [];
    for (const address of ["192.0.2.10", "192.0.2.11", "192.0.2.9", "2001:db8::10", "2001:DB8:0::10", "2001:db8::11", "::ffff:192.0.2.10"]) {
      statuses.push((await useKey(secret, "/api/whoami", from(address))).status);
    }
    expect(statuses).toEqual([200, 403, 403, 200, 200, 403, 200]);
  });

  it("with 0.0.0.0/0 admits every IPv4 client and no IPv6 one; with ::/0 admits both", async () => {
    const alice = await user();
    const v4 = await restrictedKey(alice, ["0.0.0.0/0"]);
    expect((await useKey(v4.secret, "/api/whoami", from("198.51.100.1"))).status).toBe(200);
    expect((await useKey(v4.secret, "/api/whoami", from("2001:db8::1"))).status).toBe(403);
    const all = await restrictedKey(alice, ["::/0"]);
    expect((await useKey(all.secret, "/api/whoami", from("198.51.100.1"))).status).toBe(200);
    expect((await useKey(all.secret, "/api/whoami", from("2001:db8::1"))).status).toBe(200);
  });

  it.each([
    ["an empty CF-Connecting-IP", ""],
    ["a CF-Connecting-IP that is not an address", "unknown"],
    ["an address with a zone id", "fe80::1%eth0"],
    ["an address with leading zeros", "203.0.113.010"],
    ["two addresses", "203.0.113.1, 203.0.113.2"],
  ])("refuses %s (fail closed)", async (_label, header) => {
    const alice = await user();
    const { secret } = await restrictedKey(alice, ["203.0.113.0/24", "::/0"]);
    const res = await useKey(secret, "/api/whoami", from(header));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "ip_not_allowed" });
  });

  it("answers a wrong secret from outside the list with the generic 401, exactly as for a key that does not exist", async () => {
    const alice = await user();
    const { key } = await restrictedKey(alice, ["203.0.113.0/24"]);
    for (const address of ["198.51.100.7", "203.0.113.7"]) {
      const res = await useKey(await keyFor({ id: key.id }), "/api/whoami", from(address));
      expect(res.status).toBe(401);
      expect(await res.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
    }
    const unknown = await useKey(await keyFor(), "/api/whoami", from("198.51.100.7"));
    expect(await unknown.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
  });

  it("keeps the revoked and expired answers for the right secret from outside the list", async () => {
    const alice = await user();
    const revoked = await restrictedKey(alice, ["203.0.113.0/24"]);
    await call("POST", `/v1/keys/${revoked.key.id}/revoke`, { token: alice.token });
    const res = await useKey(revoked.secret, "/api/whoami", from("198.51.100.7"));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "api_key_revoked" });
  });

  it("admits none of 50 concurrent requests from outside while the limiter has room, and takes none of its capacity", async () => {
    const alice = await user();
    const { secret } = await restrictedKey(alice, ["203.0.113.0/24"]);
    const outside = await Promise.all(Array.from({ length: 50 }, (_, i) => useKey(secret, "/api/whoami", from(`198.51.100.${i}`))));
    expect(statusCounts(outside)).toEqual({ 403: 50 });
    const inside = await useKey(secret, "/api/whoami", from("203.0.113.1"));
    expect(inside.status).toBe(200);
    const { rateLimit } = (await inside.json()) as WhoAmI;
    expect({ burst: rateLimit.burst.remaining, minute: rateLimit.minute.remaining }).toEqual({ burst: 9, minute: 99 });
  });

  it("applies a PATCH that narrows the list to the very next request", async () => {
    const alice = await user();
    const { key, secret } = await restrictedKey(alice, ["203.0.113.0/24"]);
    expect((await useKey(secret, "/api/whoami", from("203.0.113.50"))).status).toBe(200);
    const patched = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { allowedIps: ["203.0.113.7"] } });
    expect(patched.status).toBe(200);
    expect((await useKey(secret, "/api/whoami", from("203.0.113.50"))).status).toBe(403);
    expect((await useKey(secret, "/api/whoami", from("203.0.113.7"))).status).toBe(200);
    // And lifting it works as fast.
    await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { allowedIps: null } });
    expect((await useKey(secret, "/api/whoami", from("198.51.100.50"))).status).toBe(200);
  });

  it("answers 403, not an isolate's remembered 429, to a request from outside while the key is over its limit", async () => {
    const alice = await user();
    const { key, secret } = await restrictedKey(alice, ["203.0.113.0/24"]);
    // 100 admissions in ten seconds of the key's clock: its minute is full for the next ~50 s.
    const t0 = Date.now();
    for (let second = 0; second < 10; second++) {
      await setChainClock(key.id, t0 + second * 1000);
      const admitted = await Promise.all(Array.from({ length: 10 }, () => useKey(secret, "/api/whoami", from("203.0.113.1"))));
      expect(statusCounts(admitted)).toEqual({ 200: 10 });
    }
    const limited = await useKey(secret, "/api/whoami", from("203.0.113.1"));
    expect(await limited.json()).toMatchObject({ code: "rate_limited", policy: "minute" });
    // This isolate now remembers the limit and sheds the inside address's requests with 429…
    expect((await useKey(secret, "/api/whoami", from("203.0.113.1"))).status).toBe(429);
    // …but not for an address the key's object has not judged.
    const outside = await useKey(secret, "/api/whoami", from("198.51.100.1"));
    expect(outside.status).toBe(403);
    expect(await outside.json()).toMatchObject({ code: "ip_not_allowed" });
  });

  it("counts every refusal in the key's usage as refused, and none as admitted", async () => {
    const alice = await user();
    const { key, secret } = await restrictedKey(alice, ["203.0.113.0/24"]);
    await Promise.all(Array.from({ length: 7 }, (_, i) => useKey(secret, "/api/whoami", from(`198.51.100.${i}`))));
    await useKey(secret, "/api/whoami", from("203.0.113.1"));
    expect((await usageOf(alice, key.id, "window=24h")).totals).toEqual({ admitted: 1, rateLimited: 0, refused: 7 });
  });

  it("does not count refusals against the client's failed-attempt throttle: the 51st from one address is still a 403", async () => {
    const alice = await user();
    const { secret } = await restrictedKey(alice, ["203.0.113.0/24"]);
    const statuses: number[] = [];
    for (let i = 0; i < 55; i++) statuses.push((await useKey(secret, "/api/whoami", from("198.51.100.200"))).status);
    expect(statuses).toEqual(Array(55).fill(403));
  });
});
