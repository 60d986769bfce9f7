import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, unique } from "../helpers/api";
import { mintToken } from "../helpers/jwt";

const now = () => Math.floor(Date.now() / 1000);

async function signIn(claims: Record<string, unknown>): Promise<Response> {
  const token = await mintToken({ claims: { iat: now(), exp: now() + 60, permissions: [], ...claims } });
  return call("GET", "/v1/keys", { token });
}

async function storedName(orgId: string, userId: string): Promise<unknown> {
  return env.DB.prepare("SELECT name FROM users WHERE org_id = ? AND id = ?").bind(orgId, userId).first("name");
}

describe("claims of a token are cleaned like input", () => {
  it("stores the name claim trimmed and NFC-normalised", async () => {
    const [sub, org] = [unique("u"), unique("org")];
    expect((await signIn({ sub, org_id: org, name: "  Zoe\u0301  " })).status).toBe(200);
    expect(await storedName(org, sub)).toBe("Zoé");
  });

  for (const [label, name] of [
    ["a bidi override", "Eve\u202Egnp.exe"],
    ["a zero-width space", "Ad\u200Bmin"],
    ["a control character", "Line\nbreak"],
    ["65 characters", "x".repeat(65)],
    ["only spaces", "   "],
    ["a number", 42],
  ] as const) {
    it(`stores the name as null when the claim has ${label}`, async () => {
      const [sub, org] = [unique("u"), unique("org")];
      expect((await signIn({ sub, org_id: org, name, permissions: ["contacts:read"] })).status).toBe(200);
      expect(await storedName(org, sub)).toBeNull();
    });
  }

  for (const [label, claims] of [
    ["a sub with a space", { sub: "bad user", org_id: "org_ok" }],
    ["a sub with a control character", { sub: "bad\u0000user", org_id: "org_ok" }],
    ["an org claim with non-ASCII characters", { sub: "user_ok", org_id: "orgé" }],
    ["an empty org claim", { sub: "user_ok", org_id: "" }],
    ["a numeric sub", { sub: 12, org_id: "org_ok" }],
  ] as const) {
    it(`refuses a token with ${label}`, async () => {
      const res = await signIn(claims);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: "unauthenticated" });
    });
  }
});
