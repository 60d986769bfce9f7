import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { nextRefillAt } from "../../../worker/limiter/credits";
import { createKey, user } from "../helpers/api";
import { digestOf } from "../helpers/key-terms";
import { viaHttp } from "../verify/verify-helpers";

describe("credits_exhausted's retry time", () => {
  it("points at the next refill only when the refill covers the cost", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { credits: { remaining: 0, refill: { amount: 2, interval: "day" } } });
    const digest = await digestOf(secret);
    const verify = (cost: number) => runInDurableObject(authorityFor(env, key.id), (authority: KeyAuthority) => authority.verify(key.id, digest, null, cost));
    // A check of cost 1 is admitted again after midnight: Retry-After points there.
    expect(await verify(1)).toMatchObject({ outcome: "credits_exhausted", retryAt: nextRefillAt("day", Date.now()) });
    // A check of cost 5 never fits a refill of 2: no refill helps, only a top-up.
    expect(await verify(5)).toMatchObject({ outcome: "credits_exhausted", retryAt: null });
    const res = await viaHttp({ key: secret, cost: 5 });
    expect(await res.json()).toMatchObject({ valid: false, code: "credits_exhausted" });
  });
});
