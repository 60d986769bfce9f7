import { describe, expect, it } from "vitest";
import { GENERIC_UNAUTHORIZED_BODY } from "../../../worker/http/outcome-problems";
import { createKey, user } from "../helpers/api";
import { keyFor } from "../helpers/keys";
import { usageOf } from "../usage/usage-helpers";
import { consumers, viaBinding, viaHttp } from "./verify-helpers";

const REFUSED = { valid: false, code: "ip_not_allowed", detail: "This API key may not be used from the client's address." };

async function httpOutcome(body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await viaHttp(body, { headers });
  expect(res.status).toBe(200);
  return res.json();
}

describe("IP allowlists through POST /v1/verify and the KeyVerifier binding (clientAddress)", () => {
  it("admits the key for a clientAddress inside its list, over HTTP and over the binding", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24", "2001:db8:1::/48"] });
    expect(await httpOutcome({ key: secret, clientAddress: "203.0.113.8" })).toMatchObject({ valid: true, key: { id: key.id } });
    expect(await viaBinding(secret, { clientAddress: "2001:db8:1::8" })).toMatchObject({ valid: true, key: { id: key.id } });
    expect(await viaBinding(secret, { clientAddress: "::ffff:203.0.113.8" })).toMatchObject({ valid: true });
  });

  it("refuses the key with ip_not_allowed for a clientAddress outside its list, and counts it as refused", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    expect(await httpOutcome({ key: secret, clientAddress: "198.51.100.8" })).toEqual(REFUSED);
    expect(await viaBinding(secret, { clientAddress: "198.51.100.8" })).toEqual(REFUSED);
    expect((await usageOf(alice, key.id, "window=24h")).totals).toEqual({ admitted: 0, rateLimited: 0, refused: 2 });
  });

  it("refuses a restricted key when no clientAddress is given, whatever address the verifying backend itself calls from", async () => {
    const alice = await user();
    const { secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    expect(await httpOutcome({ key: secret }, { "CF-Connecting-IP": "203.0.113.5" })).toEqual(REFUSED);
    expect(await httpOutcome({ key: secret, clientAddress: null }, { "CF-Connecting-IP": "203.0.113.5" })).toEqual(REFUSED);
    expect(await viaBinding(secret)).toEqual(REFUSED);
    expect(await viaBinding(secret, { clientAddress: null })).toEqual(REFUSED);
  });

  it.each(["203.0.113.010", "999.0.113.1", "1:2:3:4:5:6:7:8:9"])(
    "refuses a restricted key for a clientAddress that looks like an address but is not one (%s)",
    async (clientAddress) => {
      const alice = await user();
      const { secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24", "::/0"] });
      expect(await httpOutcome({ key: secret, clientAddress })).toEqual(REFUSED);
      expect(await viaBinding(secret, { clientAddress })).toEqual(REFUSED);
    },
  );

  it("admits an unrestricted key with or without a clientAddress", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    expect(await httpOutcome({ key: secret })).toMatchObject({ valid: true });
    expect(await viaBinding(secret, { clientAddress: "198.51.100.8" })).toMatchObject({ valid: true });
  });

  it("answers a wrong secret with invalid_api_key, not ip_not_allowed, from outside the list", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    const wrong = await keyFor({ id: key.id });
    expect(await httpOutcome({ key: wrong, clientAddress: "198.51.100.8" })).toMatchObject({ valid: false, code: "invalid_api_key" });
    expect(await viaBinding(wrong, { clientAddress: "198.51.100.8" })).toMatchObject({ valid: false, code: "invalid_api_key" });
  });
});

describe("IP allowlists in another Worker's apiKeyAuth (hono-consumer, bound to this KeyAuthority)", () => {
  const viaConsumer = (secret: string, address: string) =>
    consumers.HONO_CONSUMER.fetch("http://hono-consumer/api/invoices", { headers: { "X-API-Key": secret, "CF-Connecting-IP": address } });

  it("admits from inside the list, answers 403 ip_not_allowed from outside, and the generic 401 to a wrong secret", async () => {
    const alice = await user({ permissions: ["invoices:read"] });
    const { key, secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    expect((await viaConsumer(secret, "203.0.113.9")).status).toBe(200);
    const outside = await viaConsumer(secret, "198.51.100.9");
    expect(outside.status).toBe(403);
    expect(await outside.json()).toMatchObject({ code: "ip_not_allowed" });
    const wrong = await viaConsumer(await keyFor({ id: key.id }), "198.51.100.9");
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toBe(GENERIC_UNAUTHORIZED_BODY);
  });
});
