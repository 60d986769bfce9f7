import { afterEach, describe, expect, it, vi } from "vitest";
import { call, unique, user, refreshed } from "../helpers/api";
import { generateJwks, mintToken, serveJwks, TEST_JWT_SECRET } from "../helpers/jwt";

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  sub: unique("user"),
  org_id: unique("org"),
  permissions: ["contacts:read"],
  exp: now() + 300,
  ...extra,
});

/** Sign-in settings for an identity provider of this test only: JWKS URL, issuer and audience. */
function jwksSignIn() {
  return {
    AUTH_JWKS_URL: `https://${unique("idp")}.test/.well-known/jwks.json`,
    AUTH_ISSUER: `https://${unique("issuer")}.test/`,
    AUTH_AUDIENCE: unique("aud"),
  };
}

async function status(token: string | null, env?: Record<string, string>) {
  const res = await call("GET", "/v1/keys", { token, env });
  if (res.status !== 200) {
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  }
  return res.status;
}

afterEach(() => vi.restoreAllMocks());

describe("signing in to the management API", () => {
  it("accepts a valid HS256 token", async () => {
    expect(await status(await mintToken({ claims: claims() }))).toBe(200);
  });

  it("refuses a missing token with 401 and WWW-Authenticate", async () => {
    const res = await call("GET", "/v1/keys");
    expect(res.status).toBe(401);
    expect(res.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect(await res.json()).toMatchObject({ code: "unauthenticated", status: 401 });
  });

  it("refuses an expired token", async () => {
    expect(await status(await mintToken({ claims: claims({ exp: now() - 3600 }) }))).toBe(401);
  });

  it("refuses a token without exp", async () => {
    const { exp: _, ...noExp } = claims();
    expect(await status(await mintToken({ claims: noExp }))).toBe(401);
  });

  it("refuses a token signed with another secret", async () => {
    expect(await status(await mintToken({ claims: claims(), hsSecret: `${TEST_JWT_SECRET}-wrong` }))).toBe(401);
  });

  it("refuses alg none", async () => {
    expect(await status(await mintToken({ claims: claims(), header: { alg: "none" } }))).toBe(401);
  });

  it("refuses a token without an org claim", async () => {
    const { org_id: _, ...noOrg } = claims();
    expect(await status(await mintToken({ claims: noOrg }))).toBe(401);
  });

  it("checks iss and aud when configured", async () => {
    const env = { AUTH_ISSUER: "https://idp.example", AUTH_AUDIENCE: "api-keys" };
    expect(await status(await mintToken({ claims: claims({ iss: "https://idp.example", aud: "api-keys" }) }), env)).toBe(200);
    expect(await status(await mintToken({ claims: claims({ iss: "https://evil.example", aud: "api-keys" }) }), env)).toBe(401);
    expect(await status(await mintToken({ claims: claims({ iss: "https://idp.example", aud: "other" }) }), env)).toBe(401);
  });

  it("reads org and permissions from configured claim names", async () => {
    const env = { AUTH_ORG_CLAIM: "https://example.com/org", AUTH_PERMISSIONS_CLAIM: "scope_list" };
    const token = await mintToken({ claims: { sub: unique("u"), "https://example.com/org": unique("org"), scope_list: ["contacts:read"], iat: now(), exp: now() + 60 } });
    const res = await call("POST", "/v1/keys", { token, env, json: { name: "custom", scopes: ["contacts:read"] } });
    expect(res.status).toBe(201);
  });

  for (const alg of ["RS256", "ES256"] as const) {
    it(`accepts an ${alg} token verified against AUTH_JWKS_URL`, async () => {
      const idp = jwksSignIn();
      const { privateKey, jwks } = await generateJwks(alg, "k1");
      vi.spyOn(globalThis, "fetch").mockImplementation(serveJwks(idp.AUTH_JWKS_URL, jwks).fetcher);
      const token = await mintToken({ claims: claims({ iss: idp.AUTH_ISSUER, aud: idp.AUTH_AUDIENCE }), privateKey, header: { kid: "k1" } });
      expect(await status(token, idp)).toBe(200);
    });
  }

  it("refuses an HS256 token whose HMAC key is the identity provider's public key (algorithm confusion)", async () => {
    const idp = jwksSignIn();
    const { jwks } = await generateJwks("RS256", "k1");
    vi.spyOn(globalThis, "fetch").mockImplementation(serveJwks(idp.AUTH_JWKS_URL, jwks).fetcher);
    const forged = claims({ iss: idp.AUTH_ISSUER, aud: idp.AUTH_AUDIENCE });
    const token = await mintToken({ claims: forged, alg: "HS256", hsSecret: JSON.stringify(jwks.keys[0]), header: { kid: "k1" } });
    expect(await status(token, idp)).toBe(401);
  });

  it("answers 503 identity_provider_unavailable to a second sign-in without fetching the failed key set again", async () => {
    const idp = jwksSignIn();
    const { privateKey } = await generateJwks("ES256", "k1");
    const fetchSpy = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("identity provider down"));
    const signIn = async () => {
      const token = await mintToken({ claims: claims({ iss: idp.AUTH_ISSUER, aud: idp.AUTH_AUDIENCE }), privateKey, header: { kid: "k1" } });
      const res = await call("GET", "/v1/keys", { token, env: idp });
      return [res.status, ((await res.json()) as { code: string }).code];
    };
    expect([await signIn(), await signIn(), fetchSpy.mock.calls.length]).toEqual([
      [503, "identity_provider_unavailable"],
      [503, "identity_provider_unavailable"],
      1,
    ]);
  });

  it("refuses an RS256 token when only HS256 is configured", async () => {
    const { privateKey } = await generateJwks("RS256", "k1");
    expect(await status(await mintToken({ claims: claims(), privateKey, header: { kid: "k1" } }))).toBe(401);
  });

  it("refreshes the stored user's name and permissions from each token", async () => {
    const alice = await user({ permissions: ["contacts:read"] });
    await call("GET", "/v1/keys", { token: alice.token });
    const promoted = await refreshed(alice, { name: "Alice Renamed", permissions: ["contacts:read", "billing:read"] });
    const res = await call("POST", "/v1/keys", { token: promoted.token, json: { name: "b", scopes: ["billing:read"] } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { key: { createdBy: { name: string } } }).key.createdBy.name).toBe("Alice Renamed");
  });
});
