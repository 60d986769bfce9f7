import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { ADMIN_TOKEN, call, createKey, type KeyJson, type TestUser, useKey, user } from "../helpers/api";
import { keyFor } from "../helpers/keys";


/** A key brought into one state; `rightAnswer` is what its holder (the right secret) gets then. */
interface State {
  name: string;
  setUp: () => Promise<{ key: KeyJson; secret: string }>;
  rightAnswer: { status: number; code?: string };
}

async function keyOf(owner?: TestUser) {
  return createKey(owner ?? (await user()));
}

const STATES: State[] = [
  {
    name: "rate-limited right now (and remembered by the isolate)",
    setUp: async () => {
      const made = await keyOf();
      await Promise.all(Array.from({ length: 12 }, () => useKey(made.secret)));
      return made;
    },
    rightAnswer: { status: 429, code: "rate_limited" },
  },
  {
    name: "revoked",
    setUp: async () => {
      const owner = await user();
      const made = await keyOf(owner);
      await call("POST", `/v1/keys/${made.key.id}/revoke`, { token: owner.token });
      return made;
    },
    rightAnswer: { status: 401, code: "api_key_revoked" },
  },
  {
    name: "expired",
    setUp: async () => {
      // Expiry is at least a minute out; the key's object is moved past it instead of waiting.
      const made = await createKey(await user(), { expiresAt: new Date(Date.now() + 120_000).toISOString() });
      await useKey(made.secret); // placed: its object holds the key
      await runInDurableObject(authorityFor(env, made.key.id), (_instance: KeyAuthority, state: DurableObjectState) => {
        state.storage.sql.exec("UPDATE keys SET expires_at = ? WHERE id = ?", Date.now() - 1000, made.key.id);
      });
      return made;
    },
    rightAnswer: { status: 401, code: "api_key_expired" },
  },
  {
    name: "rotated (its successor is live, its grace is over)",
    setUp: async () => {
      const owner = await user();
      const made = await keyOf(owner);
      const res = await call("POST", `/v1/keys/${made.key.id}/rotate`, { token: owner.token, json: { graceSeconds: 0 } });
      expect(res.status).toBe(201);
      return made;
    },
    rightAnswer: { status: 401, code: "api_key_expired" },
  },
  {
    name: "rotated (inside its grace period)",
    setUp: async () => {
      const owner = await user();
      const made = await keyOf(owner);
      await call("POST", `/v1/keys/${made.key.id}/rotate`, { token: owner.token, json: { graceSeconds: 600 } });
      return made;
    },
    rightAnswer: { status: 200 },
  },
  {
    name: "its creator deactivated",
    setUp: async () => {
      const owner = await user();
      const made = await keyOf(owner);
      await call("PUT", `/v1/admin/orgs/${owner.orgId}/users/${owner.userId}`, {
        token: ADMIN_TOKEN,
        json: { permissions: owner.permissions, active: false },
      });
      return made;
    },
    rightAnswer: { status: 403, code: "user_deactivated" },
  },
];

describe("a wrong secret learns nothing about the key's state", () => {
  for (const state of STATES) {
    it(`gets the byte-identical generic 401 when the key is ${state.name}`, async () => {
      const { key, secret } = await state.setUp();
      const wrong = await keyFor({ id: key.id });
      const res = await useKey(wrong);
      expect(res.status).toBe(401);
      expect(res.headers.get("Retry-After")).toBeNull();
      expect(res.headers.get("RateLimit")).toBeNull();
      expect(await res.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
      // Its holder does learn the state.
      const right = await useKey(secret);
      expect(right.status).toBe(state.rightAnswer.status);
      if (state.rightAnswer.code) expect(await right.json()).toMatchObject({ code: state.rightAnswer.code });
    });
  }

  it("gives the same header names to a wrong secret as to an unknown key", async () => {
    const { key } = await keyOf();
    const names = async (k: string) => [...(await useKey(k)).headers.keys()].sort();
    expect(await names(await keyFor({ id: key.id }))).toEqual(await names(await keyFor()));
  });
});
