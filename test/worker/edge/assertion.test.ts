import { env } from "cloudflare:workers";
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../../../worker/config";
import { ASSERTION_LIFETIME_SECONDS, ASSERTION_TYPE, signAssertion } from "../../../worker/edge/upstream-assertion";
import { call, createKey, user, useKey } from "../helpers/api";
import { captureUpstream } from "../helpers/upstream";

afterEach(() => vi.restoreAllMocks());

const UPSTREAM = { UPSTREAM_URL: "https://backend.internal/v2" };
/** The origin the test requests reach (helpers/api.ts). */
const EDGE = "http://127.0.0.1:8787";

/** A fresh private P-256 JWK with `kid`, as UPSTREAM_SIGNING_KEYS holds them. */
async function signingKey(kid: string) {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const { kty, crv, x, y, d } = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return { kty, crv, kid, x, y, d };
}

/** The published key set, fetched through the Worker. */
async function publishedJwks(overrides: Record<string, string | undefined> = {}): Promise<{ res: Response; jwks: JSONWebKeySet }> {
  const res = await call("GET", "/.well-known/jwks.json", { env: overrides as never });
  return { res, jwks: res.status === 200 ? await res.clone().json() : { keys: [] } };
}

/** One forwarded request; returns the assertion the upstream received. */
async function forwardedAssertion(path = "/api/deals/42?expand=owner", overrides: Record<string, string | undefined> = {}, permissions = ["deals:read"]) {
  const alice = await user({ permissions });
  const { key, secret } = await createKey(alice);
  const seen = captureUpstream();
  const res = await useKey(secret, path, { env: { ...UPSTREAM, ...overrides } as never });
  expect(res.status).toBe(200);
  vi.restoreAllMocks();
  return { assertion: seen[0]!.headers.get("X-Api-Assertion")!, alice, keyId: key.id };
}

describe("X-Api-Assertion: the signed identity on every forwarded request", () => {
  it("verifies with the published JWKS: ES256, kid, iss, aud, typ, identity claims, lifetime ≤ 60 s", async () => {
    const { assertion, alice, keyId } = await forwardedAssertion();
    const { jwks } = await publishedJwks();
    const { payload, protectedHeader } = await jwtVerify(assertion, createLocalJWKSet(jwks), {
      algorithms: ["ES256"],
      issuer: EDGE,
      audience: "https://backend.internal",
      typ: ASSERTION_TYPE,
    });
    expect(protectedHeader).toEqual({ alg: "ES256", typ: ASSERTION_TYPE, kid: "test-signing-a" });
    expect(payload).toMatchObject({
      sub: alice.userId,
      org: alice.orgId,
      key_id: keyId,
      permissions: ["deals:read"],
      htm: "GET",
      htu: "https://backend.internal/v2/deals/42",
    });
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(5);
    expect(payload.jti).toMatch(/^[0-9A-Za-z]{22}$/);
  });

  it("gives every request its own jti", async () => {
    const alice = await user({ permissions: ["deals:read"] });
    const { secret } = await createKey(alice);
    const seen = captureUpstream();
    await useKey(secret, "/api/deals", { env: UPSTREAM });
    await useKey(secret, "/api/deals", { env: UPSTREAM });
    const jtis = seen.map((r) => JSON.parse(atob(r.headers.get("X-Api-Assertion")!.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).jti);
    expect(new Set(jtis).size).toBe(2);
  });

  it("fails verification once tampered with: a changed claim, a changed signature, another key", async () => {
    const { assertion } = await forwardedAssertion();
    const keys = createLocalJWKSet((await publishedJwks()).jwks);
    const [header, payload, signature] = assertion.split(".") as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0))));
    const forgedPayload = btoa(JSON.stringify({ ...claims, permissions: ["admin"] })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    await expect(jwtVerify(`${header}.${forgedPayload}.${signature}`, keys)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    const flipped = (signature[5] === "A" ? "B" : "A") + "";
    await expect(jwtVerify(`${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`, keys)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
    // Signed by a key the edge does not publish, under the published kid.
    const stranger = await signingKey("test-signing-a");
    const strangeConfig = readConfig({ ...env, ...UPSTREAM, UPSTREAM_SIGNING_KEYS: JSON.stringify([stranger]) } as Env);
    const impostor = await signAssertion(
      { keyId: "k", keyName: "n", orgId: "o", userId: "u", userName: null, permissions: ["admin"], description: null, meta: null },
      { config: strangeConfig, issuer: EDGE, method: "GET", url: new URL("https://backend.internal/x") },
    );
    await expect(jwtVerify(impostor, keys)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
  });

  it("is refused once expired (a replay after 60 s), and by another audience", async () => {
    const { assertion } = await forwardedAssertion();
    const keys = createLocalJWKSet((await publishedJwks()).jwks);
    const later = new Date(Date.now() + (ASSERTION_LIFETIME_SECONDS + 1) * 1000);
    await expect(jwtVerify(assertion, keys, { currentDate: later })).rejects.toBeInstanceOf(errors.JWTExpired);
    await expect(jwtVerify(assertion, keys, { audience: "https://other.internal" })).rejects.toBeInstanceOf(errors.JWTClaimValidationFailed);
  });

  it("replaces an X-Api-Assertion the client sent, in any spelling", async () => {
    const alice = await user({ permissions: ["deals:read"] });
    const { secret } = await createKey(alice);
    const seen = captureUpstream();
    await useKey(secret, "/api/deals", { env: UPSTREAM, headers: { "X-Api-Assertion": "forged.forged.forged", X_Api_Assertion: "forged" } });
    const sent = seen[0]!.headers;
    expect(sent.get("X-Api-Assertion")).not.toContain("forged");
    expect(sent.get("X_Api_Assertion")).toBeNull();
    await jwtVerify(sent.get("X-Api-Assertion")!, createLocalJWKSet((await publishedJwks()).jwks));
  });

  it("takes aud from UPSTREAM_AUDIENCE and iss from UPSTREAM_ASSERTION_ISSUER when set", async () => {
    const overrides = { UPSTREAM_AUDIENCE: "urn:backend", UPSTREAM_ASSERTION_ISSUER: "https://keys.example.com" };
    const { assertion } = await forwardedAssertion("/api/deals", overrides);
    await jwtVerify(assertion, createLocalJWKSet((await publishedJwks()).jwks), { audience: "urn:backend", issuer: "https://keys.example.com" });
  });
});

describe("GET /.well-known/jwks.json", () => {
  it("publishes the public halves only, cacheable for 5 minutes", async () => {
    const { res, jwks } = await publishedJwks();
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(jwks.keys).toHaveLength(1);
    expect(Object.keys(jwks.keys[0]!).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x", "y"]);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
  });

  it("rotates: with two keys the first signs and both are published, so assertions of either verify", async () => {
    const newer = await signingKey("2027-01");
    const older = await signingKey("2026-01");
    const before = { UPSTREAM_SIGNING_KEYS: JSON.stringify([older]) };
    const during = { UPSTREAM_SIGNING_KEYS: JSON.stringify([newer, older]) };
    const { assertion: oldAssertion } = await forwardedAssertion("/api/deals", before);
    const { assertion: newAssertion } = await forwardedAssertion("/api/deals", during);
    expect(decodeProtectedHeader(oldAssertion).kid).toBe("2026-01");
    expect(decodeProtectedHeader(newAssertion).kid).toBe("2027-01");
    const { jwks } = await publishedJwks(during);
    expect(jwks.keys.map((k) => k.kid)).toEqual(["2027-01", "2026-01"]);
    const keys = createLocalJWKSet(jwks);
    await jwtVerify(oldAssertion, keys);
    await jwtVerify(newAssertion, keys);
  });

  it("is 404 without a signing key", async () => {
    const { res } = await publishedJwks({ UPSTREAM_SIGNING_KEYS: undefined });
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  });
});

describe("signing keys in the configuration", () => {
  it("refuses UPSTREAM_URL without UPSTREAM_SIGNING_KEYS: 500 server_misconfigured, nothing forwarded", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const alice = await user();
    const { secret } = await createKey(alice);
    const seen = captureUpstream();
    const res = await useKey(secret, "/api/deals", { env: { ...UPSTREAM, UPSTREAM_SIGNING_KEYS: undefined } as never });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "server_misconfigured" });
    expect(seen).toHaveLength(0);
  });

  it.each([
    ["not JSON (and the log never quotes it)", '[{"kty":"EC","d":"c2VjcmV0LXNjYWxhcg'],
    ["an empty array", "[]"],
    ["a public key without d", "public"],
    ["an RSA key", "rsa"],
    ["a repeated kid", "twice"],
    ["the dev-only key outside local development", "dev-only"],
  ])("refuses %s", async (_name, kind) => {
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(" ")));
    const key = await signingKey("k1");
    const value =
      kind === "public" ? JSON.stringify([{ ...key, d: undefined }]) :
      kind === "rsa" ? JSON.stringify([{ ...key, kty: "RSA" }]) :
      kind === "twice" ? JSON.stringify([key, { ...(await signingKey("k1")) }]) :
      kind === "dev-only" ? JSON.stringify([{ ...key, kid: "dev-only-1" }]) :
      kind;
    const overrides = { UPSTREAM_SIGNING_KEYS: value, ...(kind === "dev-only" ? { DEV_LOGIN: undefined } : {}) };
    const res = await call("GET", "/.well-known/jwks.json", { env: overrides as never });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "server_misconfigured" });
    for (const line of errors) {
      expect(line).not.toContain(key.d!);
      expect(line).not.toContain("c2VjcmV0LXNjYWxhcg");
    }
  });

  it("refuses a key whose d does not belong to its x and y before anything is forwarded", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const one = await signingKey("mixed");
    const other = await signingKey("other");
    const alice = await user();
    const { secret } = await createKey(alice);
    const seen = captureUpstream();
    const res = await useKey(secret, "/api/deals", { env: { ...UPSTREAM, UPSTREAM_SIGNING_KEYS: JSON.stringify([{ ...one, d: other.d }]) } as never });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "server_misconfigured" });
    expect(seen).toHaveLength(0);
  });
});
