import { beforeEach, describe, expect, it } from "vitest";
import { clearJwksCache } from "../../../worker/auth/jwks";
import { verifyJwt } from "../../../worker/auth/jwt-verify";
import { generateJwks, mintToken, serveJwks } from "../helpers/jwt";
import { claims, hsOptions, jwksOptions, NOW, uniqueJwksUrl } from "./verify-options";

beforeEach(() => clearJwksCache());

describe("verifyJwt JWKS download and cache", () => {
  async function signedEs256(kid: string) {
    const { privateKey, jwks } = await generateJwks("ES256", kid);
    return { jwks, token: await mintToken({ claims: claims(), privateKey, header: { kid } }) };
  }

  it("reports jwks_unavailable when the key set cannot be fetched", async () => {
    const url = uniqueJwksUrl();
    const { token } = await signedEs256("ec-1");
    const fetcher: typeof fetch = async () => Promise.reject(new TypeError("network down"));
    expect(await verifyJwt(token, { ...hsOptions({ hsSecret: null, jwksUrl: url }), fetcher })).toEqual({ ok: false, reason: "jwks_unavailable" });
  });

  it("reports jwks_unavailable when the key set URL answers with an error status", async () => {
    const url = uniqueJwksUrl();
    const { jwks, token } = await signedEs256("ec-1");
    const server = serveJwks(`${url}?other`, jwks);
    expect(await verifyJwt(token, jwksOptions(server, url))).toEqual({ ok: false, reason: "jwks_unavailable" });
  });

  it.each([
    ["a body that is not JSON", "<html>"],
    ["a JSON array", "[]"],
    ["an object without a keys array", '{"keys":{}}'],
  ])("reports jwks_unavailable when the key set URL returns %s", async (_, body) => {
    const url = uniqueJwksUrl();
    const { token } = await signedEs256("ec-1");
    const fetcher: typeof fetch = async () => new Response(body);
    expect(await verifyJwt(token, { ...hsOptions({ hsSecret: null, jwksUrl: url }), fetcher })).toEqual({ ok: false, reason: "jwks_unavailable" });
  });

  it("reuses the cached key set for later tokens", async () => {
    const url = uniqueJwksUrl();
    const { jwks, token } = await signedEs256("ec-1");
    const server = serveJwks(url, jwks);
    await verifyJwt(token, jwksOptions(server, url));
    const later = await verifyJwt(token, jwksOptions(server, url, { nowSeconds: NOW + 200 }));
    expect([later.ok, server.requests]).toEqual([true, 1]);
  });

  it("does not refetch for an unknown kid within 30 seconds of the last download", async () => {
    const url = uniqueJwksUrl();
    const { jwks } = await signedEs256("ec-1");
    const { token: unknown } = await signedEs256("ec-2");
    const server = serveJwks(url, jwks);
    await verifyJwt(unknown, jwksOptions(server, url));
    await verifyJwt(unknown, jwksOptions(server, url, { nowSeconds: NOW + 29 }));
    expect(server.requests).toBe(1);
  });

  it("refetches for an unknown kid after 30 seconds and accepts the rotated key", async () => {
    const url = uniqueJwksUrl();
    const first = await signedEs256("ec-1");
    const rotated = await signedEs256("ec-2");
    const server = serveJwks(url, first.jwks);
    await verifyJwt(first.token, jwksOptions(server, url));
    server.jwks = rotated.jwks;
    const result = await verifyJwt(rotated.token, jwksOptions(server, url, { nowSeconds: NOW + 30 }));
    expect([result.ok, server.requests]).toEqual([true, 2]);
  });

  it("downloads the key set again once ten minutes have passed", async () => {
    const url = uniqueJwksUrl();
    const first = await signedEs256("ec-1");
    const rotated = await signedEs256("ec-1");
    const server = serveJwks(url, first.jwks);
    await verifyJwt(first.token, jwksOptions(server, url));
    server.jwks = rotated.jwks;
    const stale = await verifyJwt(first.token, jwksOptions(server, url, { nowSeconds: NOW + 600 }));
    expect([stale, server.requests]).toEqual([{ ok: false, reason: "bad_signature" }, 2]);
  });
});
