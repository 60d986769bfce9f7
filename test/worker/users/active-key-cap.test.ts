import { describe, expect, it } from "vitest";
import { call, type KeyJson, type TestUser, unique, user } from "../helpers/api";

const CAP = 3;
const capped = { MAX_ACTIVE_KEYS_PER_USER: String(CAP) };

async function activeCount(owner: TestUser): Promise<number> {
  const res = await call("GET", "/v1/keys?status=active&limit=100", { token: owner.token, env: capped });
  return ((await res.json()) as { keys: KeyJson[] }).keys.length;
}

describe("the active-key cap under concurrency", () => {
  it("admits exactly the cap of ten parallel creates, over many rounds", async () => {
    for (let round = 0; round < 8; round++) {
      const alice = await user({ orgId: unique("org") });
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: `k${i}` } })),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(CAP);
      expect(statuses.filter((s) => s === 409)).toHaveLength(10 - CAP);
      expect(await activeCount(alice)).toBe(CAP);
    }
  });

  it("never leaves a user above the cap when rotations and creates race", async () => {
    for (let round = 0; round < 6; round++) {
      const alice = await user({ orgId: unique("org") });
      const first = (await (await call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: "a" } })).json()) as { key: KeyJson };
      const second = (await (await call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: "b" } })).json()) as { key: KeyJson };
      await Promise.all([
        call("POST", `/v1/keys/${first.key.id}/rotate`, { token: alice.token, env: capped, json: { graceSeconds: 3600 } }),
        call("POST", `/v1/keys/${second.key.id}/rotate`, { token: alice.token, env: capped, json: { graceSeconds: 3600 } }),
        call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: "c" } }),
        call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: "d" } }),
      ]);
      expect(await activeCount(alice)).toBeLessThanOrEqual(CAP);
    }
  });

  it("lets a rotation without grace replace a key at the cap", async () => {
    const alice = await user();
    const keys: KeyJson[] = [];
    for (let i = 0; i < CAP; i++) {
      keys.push(((await (await call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: `k${i}` } })).json()) as { key: KeyJson }).key);
    }
    const rotated = await call("POST", `/v1/keys/${keys[0]!.id}/rotate`, { token: alice.token, env: capped, json: { graceSeconds: 0 } });
    expect(rotated.status).toBe(201);
    const withGrace = await call("POST", `/v1/keys/${keys[1]!.id}/rotate`, { token: alice.token, env: capped, json: { graceSeconds: 60 } });
    expect(withGrace.status).toBe(409);
    expect(await activeCount(alice)).toBe(CAP);
  });

  it("frees a place as soon as a key is revoked", async () => {
    const alice = await user();
    const ids: string[] = [];
    for (let i = 0; i < CAP; i++) {
      ids.push(((await (await call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: `k${i}` } })).json()) as { key: KeyJson }).key.id);
    }
    expect((await call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: "over" } })).status).toBe(409);
    await call("POST", `/v1/keys/${ids[0]}/revoke`, { token: alice.token, env: capped });
    expect((await call("POST", "/v1/keys", { token: alice.token, env: capped, json: { name: "fits" } })).status).toBe(201);
  });
});
