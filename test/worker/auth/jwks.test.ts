import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearJwksCache } from "../../../worker/auth/jwks";
import { verifyJwt } from "../../../worker/auth/jwt-verify";
import { generateJwks, mintToken, serveJwks } from "../helpers/jwt";
import { claims, hsOptions, jwksOptions, NOW, uniqueJwksUrl } from "./verify-options";

beforeEach(() => clearJwksCache());
afterEach(() => vi.useRealTimers());

/** A fetch stand-in that answers every download with `respond` and counts the downloads. */
function countingFetcher(respond: () => Promise<Response>) {
  const counter = { requests: 0, fetcher: (async () => {
    counter.requests += 1;
    return respond();
  }) as typeof fetch };
  return counter;
}

const networkDown = () => Promise.reject(new TypeError("network down"));
// A download whose request was cancelled with it: workerd never settles its promise.
const neverSettles = () => new Promise<Response>(() => {});

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

describe("verifyJwt JWKS download failures and sharing", () => {
  async function signedEs256(kid: string) {
    const { privateKey, jwks } = await generateJwks("ES256", kid);
    return { jwks, token: await mintToken({ claims: claims(), privateKey, header: { kid } }) };
  }

  it("answers jwks_unavailable without downloading again for ten seconds after a failed download", async () => {
    const url = uniqueJwksUrl();
    const { token } = await signedEs256("ec-fail-1");
    const idp = countingFetcher(networkDown);
    const options = { ...hsOptions({ hsSecret: null, jwksUrl: url }), fetcher: idp.fetcher };
    const first = await verifyJwt(token, options);
    const later = await verifyJwt(token, { ...options, nowSeconds: NOW + 9 });
    expect([first, later, idp.requests]).toEqual([{ ok: false, reason: "jwks_unavailable" }, { ok: false, reason: "jwks_unavailable" }, 1]);
  });

  it("downloads again once ten seconds have passed since a failed download", async () => {
    const url = uniqueJwksUrl();
    const { jwks, token } = await signedEs256("ec-fail-2");
    const server = serveJwks(url, jwks);
    const idp = countingFetcher(networkDown);
    await verifyJwt(token, { ...jwksOptions(server, url), fetcher: idp.fetcher });
    const recovered = await verifyJwt(token, jwksOptions(server, url, { nowSeconds: NOW + 10 }));
    expect([recovered.ok, idp.requests, server.requests]).toEqual([true, 1, 1]);
  });

  it("makes one download for five concurrent verifications of an uncached key set", async () => {
    const url = uniqueJwksUrl();
    const { jwks, token } = await signedEs256("ec-share-1");
    const server = serveJwks(url, jwks);
    const results = await Promise.all(Array.from({ length: 5 }, () => verifyJwt(token, jwksOptions(server, url))));
    expect([results.map((r) => r.ok), server.requests]).toEqual([[true, true, true, true, true], 1]);
  });

  it("gives four concurrent verifications the one failed download's jwks_unavailable", async () => {
    const url = uniqueJwksUrl();
    const { token } = await signedEs256("ec-share-2");
    const idp = countingFetcher(networkDown);
    const options = { ...hsOptions({ hsSecret: null, jwksUrl: url }), fetcher: idp.fetcher };
    const results = await Promise.all(Array.from({ length: 4 }, () => verifyJwt(token, options)));
    expect([new Set(results.map((r) => !r.ok && r.reason)), idp.requests]).toEqual([new Set(["jwks_unavailable"]), 1]);
  });

  it("starts a new download once the shared one has been in flight for five seconds", async () => {
    const url = uniqueJwksUrl();
    const { jwks, token } = await signedEs256("ec-stuck-1");
    const server = serveJwks(url, jwks);
    const stuck = countingFetcher(neverSettles);
    void verifyJwt(token, { ...jwksOptions(server, url), fetcher: stuck.fetcher });
    const result = await verifyJwt(token, jwksOptions(server, url, { nowSeconds: NOW + 5 }));
    expect([result.ok, stuck.requests, server.requests]).toEqual([true, 1, 1]);
  });

  it("gives up waiting on another verification's download after five seconds with jwks_unavailable", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const url = uniqueJwksUrl();
    const { token } = await signedEs256("ec-stuck-2");
    const stuck = countingFetcher(neverSettles);
    const options = { ...hsOptions({ hsSecret: null, jwksUrl: url }), fetcher: stuck.fetcher };
    void verifyJwt(token, options);
    const waiting = verifyJwt(token, options);
    await vi.advanceTimersByTimeAsync(5_000);
    expect([await waiting, stuck.requests]).toEqual([{ ok: false, reason: "jwks_unavailable" }, 1]);
  });
});
