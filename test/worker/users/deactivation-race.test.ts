import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, createKey, unique, useKey, user } from "../helpers/api";

const deactivate = (orgId: string, userId: string, permissions: string[]) =>
  call("PUT", `/v1/admin/orgs/${orgId}/users/${userId}`, { token: ADMIN_TOKEN, json: { permissions, active: false } });

afterEach(async () => {
  await env.DB.exec("DROP TRIGGER IF EXISTS fail_api_keys_INSERT");
});

describe("no key of a deactivated user is ever admitted", () => {
  it("refuses every key created in the same instant as the deactivation, over many rounds", async () => {
    let created = 0;
    for (let round = 0; round < 15; round++) {
      const alice = await user({ orgId: unique("org") });
      await call("GET", "/v1/keys", { token: alice.token });
      const creates = Array.from({ length: 3 }, (_, i) => call("POST", "/v1/keys", { token: alice.token, json: { name: `race ${i}` } }));
      // The deactivation leaves a little later each round, so it lands before, among and after the creates.
      const late = new Promise<void>((resolve) => setTimeout(resolve, round * 2));
      const [put, ...responses] = await Promise.all([late.then(() => deactivate(alice.orgId, alice.userId, alice.permissions)), ...creates]);
      expect(put.status).toBe(200);
      for (const res of responses) {
        if (res.status !== 201) {
          expect(res.status).toBe(403);
          continue;
        }
        created += 1;
        const { secret } = (await res.json()) as { secret: string };
        expect(await (await useKey(secret)).json()).toMatchObject({ code: "user_deactivated" });
      }
    }
    // The race is real only if some creates won it and some lost it.
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThan(45);
  });

  it("reaches a key no request has placed yet when the user is deactivated", async () => {
    // Created, never used: its chain has no object, so the deactivation is not pushed to it;
    // its first request places it and takes the user's state, which is deactivated.
    const alice = await user();
    const { secret } = await createKey(alice);
    expect((await deactivate(alice.orgId, alice.userId, alice.permissions)).status).toBe(200);
    expect(await (await useKey(secret)).json()).toMatchObject({ code: "user_deactivated" });
  });

  it("refuses to create a key for a user deactivated a moment earlier, with any token", async () => {
    const alice = await user();
    await deactivate(alice.orgId, alice.userId, alice.permissions);
    const fresh = await user({ orgId: alice.orgId, userId: alice.userId, issuedAt: Math.floor(Date.now() / 1000) + 1 });
    const res = await call("POST", "/v1/keys", { token: fresh.token, json: { name: "after" } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: "user_deactivated" });
  });
});
