import { beforeEach, describe, expect, it } from "vitest";
import { clearJwksCache } from "../../../worker/auth/jwks";
import { signHs256 } from "../../../worker/auth/jwt-sign";
import { verifyJwt } from "../../../worker/auth/jwt-verify";
import { toBase64Url } from "../../../worker/crypto/hmac";
import { TEST_JWT_SECRET, generateJwks, mintToken, serveJwks } from "../helpers/jwt";
import { claims, hsOptions, jwksOptions, NOW, uniqueJwksUrl } from "./verify-options";

const encoder = new TextEncoder();

beforeEach(() => clearJwksCache());

describe("verifyJwt with HS256", () => {
  it("accepts a token signed with the configured secret and returns its claims", async () => {
    const payload = claims();
    const result = await verifyJwt(await mintToken({ claims: payload }), hsOptions());
    expect(result).toEqual({ ok: true, claims: payload });
  });

  it("accepts a token minted by signHs256 under the same secret", async () => {
    const payload = claims();
    const result = await verifyJwt(await signHs256(payload, TEST_JWT_SECRET), hsOptions());
    expect(result).toEqual({ ok: true, claims: payload });
  });

  it("refuses a token signed with a different secret", async () => {
    const token = await mintToken({ claims: claims(), hsSecret: `other-${crypto.randomUUID()}` });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a token whose payload was replaced after signing", async () => {
    const [header, , signature] = (await mintToken({ claims: claims() })).split(".");
    const forged = (await mintToken({ claims: claims({ permissions: ["api_keys:admin"] }) })).split(".")[1];
    expect(await verifyJwt(`${header}.${forged}.${signature}`, hsOptions())).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a token whose signature was altered", async () => {
    const token = await mintToken({ claims: claims() });
    const [header, payload, signature = ""] = token.split(".");
    const flipped = (signature.startsWith("A") ? "B" : "A") + signature.slice(1);
    expect(await verifyJwt(`${header}.${payload}.${flipped}`, hsOptions())).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses HS256 as unsupported when no secret is configured", async () => {
    const token = await mintToken({ claims: claims() });
    expect(await verifyJwt(token, hsOptions({ hsSecret: null }))).toEqual({ ok: false, reason: "unsupported_algorithm" });
  });

  it("throws from signHs256 when the claims carry no exp", async () => {
    await expect(signHs256({ sub: "user_1" }, TEST_JWT_SECRET)).rejects.toThrow(TypeError);
  });
});

describe("verifyJwt time claims", () => {
  it("reports missing_exp for a token without exp", async () => {
    const token = await mintToken({ claims: claims({ exp: undefined }) });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "missing_exp" });
  });

  it("reports missing_exp when exp is not a number", async () => {
    const token = await mintToken({ claims: claims({ exp: String(NOW + 300) }) });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "missing_exp" });
  });

  it("reports expired once now reaches exp plus the leeway", async () => {
    const token = await mintToken({ claims: claims({ exp: NOW - 30 }) });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "expired" });
  });

  it("accepts a token that expired less than the leeway ago", async () => {
    const token = await mintToken({ claims: claims({ exp: NOW - 29 }) });
    expect((await verifyJwt(token, hsOptions())).ok).toBe(true);
  });

  it("honours a custom leeway of zero", async () => {
    const token = await mintToken({ claims: claims({ exp: NOW }) });
    expect(await verifyJwt(token, hsOptions({ leewaySeconds: 0 }))).toEqual({ ok: false, reason: "expired" });
  });

  it("reports not_yet_valid when nbf is further ahead than the leeway", async () => {
    const token = await mintToken({ claims: claims({ nbf: NOW + 31 }) });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "not_yet_valid" });
  });

  it("accepts a token whose nbf is within the leeway", async () => {
    const token = await mintToken({ claims: claims({ nbf: NOW + 30 }) });
    expect((await verifyJwt(token, hsOptions())).ok).toBe(true);
  });
});

describe("verifyJwt issuer and audience", () => {
  it("reports wrong_issuer when iss differs from the configured issuer", async () => {
    const token = await mintToken({ claims: claims({ iss: "https://evil.test/" }) });
    expect(await verifyJwt(token, hsOptions({ issuer: "https://idp.test/" }))).toEqual({ ok: false, reason: "wrong_issuer" });
  });

  it("reports wrong_audience when aud differs from the configured audience", async () => {
    const token = await mintToken({ claims: claims({ aud: "other-api" }) });
    expect(await verifyJwt(token, hsOptions({ audience: "api-keys" }))).toEqual({ ok: false, reason: "wrong_audience" });
  });

  it("accepts an aud array that contains the configured audience", async () => {
    const token = await mintToken({ claims: claims({ iss: "https://idp.test/", aud: ["billing", "api-keys"] }) });
    const result = await verifyJwt(token, hsOptions({ issuer: "https://idp.test/", audience: "api-keys" }));
    expect(result.ok).toBe(true);
  });

  it("reports wrong_audience for an aud array without the configured audience", async () => {
    const token = await mintToken({ claims: claims({ aud: ["billing", "reports"] }) });
    expect(await verifyJwt(token, hsOptions({ audience: "api-keys" }))).toEqual({ ok: false, reason: "wrong_audience" });
  });
});

describe("verifyJwt algorithm policy", () => {
  it("refuses alg none with an empty signature", async () => {
    const token = await mintToken({ header: { alg: "none" }, claims: claims() });
    expect(token.endsWith(".")).toBe(true);
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "unsupported_algorithm" });
  });

  it("refuses alg none even when it carries a valid HMAC signature", async () => {
    const token = await mintToken({ header: { alg: "none" }, claims: claims(), hsSecret: TEST_JWT_SECRET });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "unsupported_algorithm" });
  });

  it("refuses an algorithm outside HS256, RS256 and ES256", async () => {
    const token = await mintToken({ header: { alg: "PS256" }, claims: claims(), hsSecret: TEST_JWT_SECRET });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "unsupported_algorithm" });
  });

  it("refuses an HS256 token keyed with the RSA public key's JWK JSON", async () => {
    const url = uniqueJwksUrl();
    const { jwks } = await generateJwks("RS256", "rsa-1");
    const server = serveJwks(url, jwks);
    const token = await mintToken({ claims: claims(), header: { kid: "rsa-1" }, hsSecret: JSON.stringify(jwks.keys[0]) });
    const result = await verifyJwt(token, jwksOptions(server, url, { hsSecret: TEST_JWT_SECRET }));
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses an HS256 token keyed with the RSA public key's SPKI bytes", async () => {
    const url = uniqueJwksUrl();
    const { jwks, publicKey } = await generateJwks("RS256", "rsa-1");
    const spki = await crypto.subtle.exportKey("spki", publicKey);
    if (!(spki instanceof ArrayBuffer)) throw new Error("expected SPKI bytes");
    const token = await mintToken({ claims: claims(), hsSecret: new Uint8Array(spki) });
    const result = await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url, { hsSecret: TEST_JWT_SECRET }));
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses an RS256 header over an HMAC signature made with the public key", async () => {
    const url = uniqueJwksUrl();
    const { jwks } = await generateJwks("RS256", "rsa-1");
    const token = await mintToken({ alg: "RS256", header: { kid: "rsa-1" }, claims: claims(), hsSecret: JSON.stringify(jwks.keys[0]) });
    const result = await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url, { hsSecret: TEST_JWT_SECRET }));
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses RS256 as unsupported when no JWKS URL is configured", async () => {
    const { privateKey } = await generateJwks("RS256", "rsa-1");
    const token = await mintToken({ claims: claims(), privateKey, header: { kid: "rsa-1" } });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "unsupported_algorithm" });
  });
});

describe("verifyJwt with a JWKS", () => {
  it("accepts an RS256 token whose kid is in the key set", async () => {
    const url = uniqueJwksUrl();
    const { privateKey, jwks } = await generateJwks("RS256", "rsa-1");
    const payload = claims();
    const token = await mintToken({ claims: payload, privateKey, header: { kid: "rsa-1" } });
    expect(await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url))).toEqual({ ok: true, claims: payload });
  });

  it("accepts an ES256 token whose kid is in the key set", async () => {
    const url = uniqueJwksUrl();
    const { privateKey, jwks } = await generateJwks("ES256", "ec-1");
    const payload = claims();
    const token = await mintToken({ claims: payload, privateKey, header: { kid: "ec-1" } });
    expect(await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url))).toEqual({ ok: true, claims: payload });
  });

  it("accepts a token without kid when a key of its type verifies it", async () => {
    const url = uniqueJwksUrl();
    const { privateKey, jwks } = await generateJwks("ES256", "ec-1");
    const token = await mintToken({ claims: claims(), privateKey });
    expect((await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url))).ok).toBe(true);
  });

  it("reports unknown_key for a kid the key set does not hold", async () => {
    const url = uniqueJwksUrl();
    const { privateKey, jwks } = await generateJwks("ES256", "ec-1");
    const token = await mintToken({ claims: claims(), privateKey, header: { kid: "ec-2" } });
    expect(await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url))).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("reports unknown_key when the kid names a key of another type", async () => {
    const url = uniqueJwksUrl();
    const { jwks } = await generateJwks("RS256", "shared-kid");
    const { privateKey } = await generateJwks("ES256", "shared-kid");
    const token = await mintToken({ claims: claims(), privateKey, header: { kid: "shared-kid" } });
    expect(await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url))).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("reports unknown_key when the matching key is published for encryption", async () => {
    const url = uniqueJwksUrl();
    const { privateKey, jwks } = await generateJwks("ES256", "ec-1");
    const server = serveJwks(url, { keys: jwks.keys.map((key) => ({ ...key, use: "enc" })) });
    const token = await mintToken({ claims: claims(), privateKey, header: { kid: "ec-1" } });
    expect(await verifyJwt(token, jwksOptions(server, url))).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("reports unknown_key when the matching key is published for another algorithm", async () => {
    const url = uniqueJwksUrl();
    const { privateKey, jwks } = await generateJwks("RS256", "rsa-1");
    const server = serveJwks(url, { keys: jwks.keys.map((key) => ({ ...key, alg: "PS256" })) });
    const token = await mintToken({ claims: claims(), privateKey, header: { kid: "rsa-1" } });
    expect(await verifyJwt(token, jwksOptions(server, url))).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("refuses a token signed by another private key under a published kid", async () => {
    const url = uniqueJwksUrl();
    const { jwks } = await generateJwks("RS256", "rsa-1");
    const { privateKey: impostor } = await generateJwks("RS256", "rsa-1");
    const token = await mintToken({ claims: claims(), privateKey: impostor, header: { kid: "rsa-1" } });
    expect(await verifyJwt(token, jwksOptions(serveJwks(url, jwks), url))).toEqual({ ok: false, reason: "bad_signature" });
  });
});

describe("verifyJwt malformed tokens", () => {
  const segment = (value: unknown) => toBase64Url(encoder.encode(JSON.stringify(value)));

  it.each([
    ["two segments", async () => (await mintToken({ claims: claims() })).split(".").slice(0, 2).join(".")],
    ["a header that is not base64url", async () => `e30*.${segment(claims())}.`],
    ["a header that is not JSON", async () => `${toBase64Url(encoder.encode("not json"))}.${segment(claims())}.`],
    ["a payload that is a JSON array", async () => mintToken({ claims: [claims()] })],
    ["a payload that is JSON null", async () => mintToken({ claims: null })],
    ["a payload that is a JSON string", async () => mintToken({ claims: "sub" })],
    ["a signature that is not base64url", async () => `${await mintToken({ claims: claims() })}!`],
    ["a token over 8 KiB", async () => mintToken({ claims: claims({ padding: "x".repeat(8 * 1024) }) })],
  ])("reports malformed for %s", async (_, build) => {
    expect(await verifyJwt(await build(), hsOptions())).toEqual({ ok: false, reason: "malformed" });
  });

  it("reports malformed for a kid header that is not a string", async () => {
    const token = await mintToken({ claims: claims(), header: { kid: 7 } });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "malformed" });
  });
});

describe("verifyJwt header policy", () => {
  it.each([
    ["an extension we do not implement", { crit: ["exp"], exp: NOW + 300 }],
    ["b64, which jose understands but a JWT never needs", { crit: ["b64"], b64: true }],
  ])("reports malformed for a crit header naming %s", async (_, header) => {
    const token = await mintToken({ claims: claims(), header });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "malformed" });
  });

  it("never trusts a key the token carries in its own jwk header", async () => {
    const url = uniqueJwksUrl();
    const { jwks } = await generateJwks("ES256", "ec-1");
    const attacker = await generateJwks("ES256", "attacker");
    const server = serveJwks(url, jwks);
    const named = await mintToken({ claims: claims(), privateKey: attacker.privateKey, header: { kid: "attacker", jwk: attacker.jwks.keys[0] } });
    const unnamed = await mintToken({ claims: claims(), privateKey: attacker.privateKey, header: { jwk: attacker.jwks.keys[0] } });
    expect(await verifyJwt(named, jwksOptions(server, url))).toEqual({ ok: false, reason: "unknown_key" });
    expect(await verifyJwt(unnamed, jwksOptions(server, url))).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("never fetches a key set the token names in jku or x5u", async () => {
    const url = uniqueJwksUrl();
    const { jwks } = await generateJwks("ES256", "ec-1");
    const attacker = await generateJwks("ES256", "attacker");
    const fetched: string[] = [];
    const server = serveJwks(url, jwks);
    const fetcher: typeof fetch = async (input, init) => {
      fetched.push(input instanceof Request ? input.url : String(input));
      return server.fetcher(input, init);
    };
    const header = { kid: "attacker", jku: "https://attacker.test/jwks.json", x5u: "https://attacker.test/cert.pem" };
    const token = await mintToken({ claims: claims(), privateKey: attacker.privateKey, header });
    expect(await verifyJwt(token, { ...jwksOptions(server, url), fetcher })).toEqual({ ok: false, reason: "unknown_key" });
    expect(fetched).toEqual([url]);
  });
});

describe("verifyJwt key set policy", () => {
  it("reports unknown_key for an RSA key shorter than 2048 bits, even under the token's kid", async () => {
    const url = uniqueJwksUrl();
    const params = { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
    const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
    const server = serveJwks(url, { keys: [{ ...jwk, kid: "rsa-short", alg: "RS256", use: "sig" }] });
    const token = await mintToken({ claims: claims(), privateKey: pair.privateKey, header: { kid: "rsa-short" } });
    expect(await verifyJwt(token, jwksOptions(server, url))).toEqual({ ok: false, reason: "unknown_key" });
  });

  it("reports unknown_key when the entry under the token's kid does not import, and keeps the other keys", async () => {
    const url = uniqueJwksUrl();
    const good = await generateJwks("ES256", "ec-good");
    const { privateKey, jwks } = await generateJwks("ES256", "ec-broken");
    const server = serveJwks(url, { keys: [...jwks.keys.map((key) => ({ ...key, x: "AAAA" })), ...good.jwks.keys] });
    const broken = await mintToken({ claims: claims(), privateKey, header: { kid: "ec-broken" } });
    const fine = await mintToken({ claims: claims(), privateKey: good.privateKey, header: { kid: "ec-good" } });
    expect(await verifyJwt(broken, jwksOptions(server, url))).toEqual({ ok: false, reason: "unknown_key" });
    expect((await verifyJwt(fine, jwksOptions(server, url))).ok).toBe(true);
  });

  it("verifies with the published public members only, whatever else the entry carries", async () => {
    const url = uniqueJwksUrl();
    const { privateKey, jwks } = await generateJwks("ES256", "ec-1");
    const server = serveJwks(url, { keys: jwks.keys.map((key) => ({ ...key, key_ops: ["sign"], ext: "yes" })) });
    const token = await mintToken({ claims: claims(), privateKey, header: { kid: "ec-1" } });
    expect((await verifyJwt(token, jwksOptions(server, url))).ok).toBe(true);
  });

  it("tries every key of the token's type when the token names no kid", async () => {
    const url = uniqueJwksUrl();
    const first = await generateJwks("ES256", "ec-1");
    const second = await generateJwks("ES256", "ec-2");
    const { privateKey: impostor } = await generateJwks("ES256", "ec-3");
    const server = serveJwks(url, { keys: [...first.jwks.keys, ...second.jwks.keys] });
    const payload = claims();
    const token = await mintToken({ claims: payload, privateKey: second.privateKey });
    const forged = await mintToken({ claims: claims(), privateKey: impostor });
    expect(await verifyJwt(token, jwksOptions(server, url))).toEqual({ ok: true, claims: payload });
    expect(await verifyJwt(forged, jwksOptions(server, url))).toEqual({ ok: false, reason: "bad_signature" });
  });
});

describe("verifyJwt numeric dates", () => {
  it("reports missing_exp for an exp that JSON reads as Infinity", async () => {
    const token = await mintToken({ claims: undefined, claimsJson: `{"sub":"user_1","org_id":"org_1","exp":1e400}` });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "missing_exp" });
  });

  it.each([
    ["nbf", { nbf: String(NOW) }],
    ["iat", { iat: String(NOW) }],
  ])("reports malformed when %s is not a number", async (_, overrides) => {
    const token = await mintToken({ claims: claims(overrides) });
    expect(await verifyJwt(token, hsOptions())).toEqual({ ok: false, reason: "malformed" });
  });
});
