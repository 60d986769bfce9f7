import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { call, createKey, type KeyJson, user, useKey } from "../helpers/api";

async function listed(owner: { token: string }, id: string): Promise<KeyJson> {
  const res = await call("GET", "/v1/keys", { token: owner.token });
  return ((await res.json()) as { keys: KeyJson[] }).keys.find((k) => k.id === id)!;
}

describe("D1's copy of a balance set by PATCH", () => {
  it("reaches the list after a top-up of a key that is not used again", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 1, refill: { amount: 1, interval: "month" } } });
    expect((await useKey(secret)).status).toBe(200);
    expect((await useKey(secret)).status).toBe(429);
    // The spend reaches D1 with the chain's alarm.
    await runDurableObjectAlarm(authorityFor(env, key.id));
    expect((await listed(alice, key.id)).credits).toMatchObject({ remaining: 0 });
    const topUp = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { credits: { add: 500 } } });
    expect(((await topUp.json()) as { key: KeyJson }).key.credits).toMatchObject({ remaining: 500 });
    // Whatever alarm the chain has runs; no request comes.
    await runDurableObjectAlarm(authorityFor(env, key.id));
    expect((await listed(alice, key.id)).credits).toMatchObject({ remaining: 500 });
  });

  it("reaches the list after a new balance with the same refill, on a key never used", async () => {
    const alice = await user();
    const refill = { amount: 100, interval: "month" as const };
    const { key } = await createKey(alice, { credits: { remaining: 100, refill } });
    const set = await call("PATCH", `/v1/keys/${key.id}`, { token: alice.token, json: { credits: { remaining: 7, refill } } });
    expect(((await set.json()) as { key: KeyJson }).key.credits).toMatchObject({ remaining: 7 });
    await runDurableObjectAlarm(authorityFor(env, key.id));
    expect((await listed(alice, key.id)).credits).toMatchObject({ remaining: 7 });
  });
});
