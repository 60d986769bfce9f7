import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearJwksCache } from "../../../worker/auth/jwks";
import { verifyJwt } from "../../../worker/auth/jwt-verify";
import { readConfig } from "../../../worker/config";
import type { ProblemBody } from "../../../worker/http/problem";
import { fromBase64Url } from "../../../worker/crypto/hmac";
import worker from "../../../worker/dev";
import { call, unique, type CallOptions, type KeyJson } from "../helpers/api";
import { generateJwks, mintToken } from "../helpers/jwt";

/** What `npm run dev` serves on, and the helper's requests are addressed to. */
const DEV_ORIGIN = "http://127.0.0.1:8787";
const DEV_JWKS_URL = `${DEV_ORIGIN}/dev/jwks.json`;

const DEV_ISSUER = `${DEV_ORIGIN}/dev`;
const DEV_AUDIENCE = "api-keys-dev";

type EnvOverrides = NonNullable<CallOptions["env"]>;

/** Local development's JWKS mode, as .dev.vars.example documents it; no HS256 secret. */
const JWKS_MODE: EnvOverrides = {
  AUTH_JWKS_URL: DEV_JWKS_URL,
  AUTH_ISSUER: DEV_ISSUER,
  AUTH_AUDIENCE: DEV_AUDIENCE,
  AUTH_JWT_SECRET: undefined,
};

interface PublicJwks {
  keys: Array<Record<string, unknown>>;
}

beforeEach(() => clearJwksCache());
afterEach(() => vi.restoreAllMocks());

/**
 * Outbound fetches to the dev origin go into this Worker, as `wrangler dev`'s loopback network
 * takes them there (in the test runtime, 127.0.0.1:8787 is nobody). Anything else fails.
 */
function loopbackIntoWorker(overrides: EnvOverrides) {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (new URL(request.url).origin !== DEV_ORIGIN) throw new TypeError(`unexpected fetch of ${request.url}`);
    const ctx = createExecutionContext();
    const response = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
    await waitOnExecutionContext(ctx);
    return response;
  });
}

function sessionBody(overrides: Record<string, unknown> = {}) {
  return { userId: unique("dev_user"), orgId: unique("dev_org"), name: "Dev User", permissions: ["contacts:read"], ...overrides };
}

async function openSession(options: CallOptions = {}): Promise<string> {
  const res = await call("POST", "/dev/session", { json: sessionBody(), ...options });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

function decodeSegment(segment: string | undefined): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(fromBase64Url(segment ?? "")!)) as Record<string, unknown>;
}

async function problemWithoutId(res: Response): Promise<Omit<ProblemBody, "requestId">> {
  const { requestId: _, ...rest } = (await res.json()) as ProblemBody;
  return rest;
}

describe("GET /dev/jwks.json", () => {
  it("publishes one ES256 public key with a kid, and nothing private", async () => {
    const res = await call("GET", "/dev/jwks.json");
    expect([res.status, res.headers.get("Cache-Control")]).toEqual([200, "no-store"]);
    const { keys } = (await res.json()) as PublicJwks;
    expect(keys).toEqual([
      { kty: "EC", crv: "P-256", x: expect.any(String), y: expect.any(String), kid: expect.stringMatching(/^dev-[\w-]{12}$/), alg: "ES256", use: "sig" },
    ]);
  });

  it("publishes the same key for the life of the Worker", async () => {
    const first = (await (await call("GET", "/dev/jwks.json")).json()) as PublicJwks;
    const second = (await (await call("GET", "/dev/jwks.json", { env: JWKS_MODE })).json()) as PublicJwks;
    expect(second).toEqual(first);
  });

  it.each<[string, () => EnvOverrides, string]>([
    ["DEV_LOGIN is off", () => ({ DEV_LOGIN: "false" }), DEV_ORIGIN],
    ["AUTH_JWKS_URL names a real identity provider", () => ({ AUTH_JWKS_URL: `https://${unique("idp")}.example/jwks.json`, AUTH_ISSUER: "https://idp.example/", AUTH_AUDIENCE: "a" }), DEV_ORIGIN],
    ["the request is addressed to a public host", () => ({}), "https://api.acme.example"],
  ])("answers 404 identical to an unknown route when %s", async (_, settings, origin) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const at = async (path: string) => {
      const ctx = createExecutionContext();
      const overrides = settings();
      const res = await worker.fetch(new Request(`${origin}${path}`), { ...env, ...overrides } as Env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    const res = await at("/dev/jwks.json");
    expect(res.status).toBe(404);
    expect(await problemWithoutId(res)).toEqual(await problemWithoutId(await at(`/dev/${unique("nothing")}`)));
  });
});

describe("POST /dev/session in JWKS mode (AUTH_JWKS_URL on loopback)", () => {
  it("is allowed by the configuration together with DEV_LOGIN", () => {
    expect(readConfig({ ...env, ...JWKS_MODE } as Env)).toMatchObject({ devLogin: true, jwksUrl: DEV_JWKS_URL, jwtSecret: null });
  });

  it("signs ES256 under the published kid, with the configured issuer and audience", async () => {
    const token = await openSession({ env: JWKS_MODE });
    const [header, payload] = token.split(".");
    const { keys } = (await (await call("GET", "/dev/jwks.json", { env: JWKS_MODE })).json()) as PublicJwks;
    expect(decodeSegment(header)).toEqual({ alg: "ES256", typ: "JWT", kid: keys[0]!.kid });
    expect(decodeSegment(payload)).toMatchObject({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: expect.any(Number), iat: expect.any(Number) });
  });

  it("issues tokens that the verifier accepts against the downloaded dev key set", async () => {
    const fetchSpy = loopbackIntoWorker(JWKS_MODE);
    const token = await openSession({ env: JWKS_MODE });
    const result = await verifyJwt(token, {
      hsSecret: null,
      jwksUrl: DEV_JWKS_URL,
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    expect([result.ok, fetchSpy.mock.calls.length]).toEqual([true, 1]);
  });

  it("signs a user in end to end: the Worker downloads its own /dev/jwks.json and verifies ES256", async () => {
    const fetchSpy = loopbackIntoWorker(JWKS_MODE);
    const userId = unique("dev_es256");
    const res = await call("POST", "/dev/session", { env: JWKS_MODE, json: sessionBody({ userId }) });
    const { token } = (await res.json()) as { token: string };
    const created = await call("POST", "/v1/keys", { token, env: JWKS_MODE, json: { name: unique("es256 key"), scopes: ["contacts:read"] } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { key: KeyJson }).key.createdBy).toEqual({ id: userId, name: "Dev User" });
    expect(fetchSpy.mock.calls.map(([input]) => (input instanceof Request ? input.url : String(input)))).toEqual([DEV_JWKS_URL]);
  });

  it("refuses a token from before a restart (another key, another kid) with 401 unknown key", async () => {
    loopbackIntoWorker(JWKS_MODE);
    const { privateKey } = await generateJwks("ES256", "dev-previous0");
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: unique("u"), org_id: unique("org"), iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now, exp: now + 60 };
    const stale = await mintToken({ claims, privateKey, header: { kid: "dev-previous0" } });
    const res = await call("GET", "/v1/keys", { token: stale, env: JWKS_MODE });
    expect([res.status, ((await res.json()) as ProblemBody).detail]).toEqual([401, expect.stringContaining("unknown key")]);
  });

  it("refuses a token signed by another key under the dev kid", async () => {
    loopbackIntoWorker(JWKS_MODE);
    const { keys } = (await (await call("GET", "/dev/jwks.json", { env: JWKS_MODE })).json()) as PublicJwks;
    const kid = String(keys[0]!.kid);
    const { privateKey } = await generateJwks("ES256", kid);
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: unique("u"), org_id: unique("org"), iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now, exp: now + 60 };
    const forged = await mintToken({ claims, privateKey, header: { kid } });
    const res = await call("GET", "/v1/keys", { token: forged, env: JWKS_MODE });
    expect([res.status, ((await res.json()) as ProblemBody).detail]).toEqual([401, expect.stringContaining("bad signature")]);
  });

  it.each(["http://localhost:8787/dev/jwks.json", "http://[::1]:8787/dev/jwks.json"])("is on for the loopback JWKS URL %s too", async (url) => {
    const token = await openSession({ env: { ...JWKS_MODE, AUTH_JWKS_URL: url } });
    expect(decodeSegment(token.split(".")[0])).toMatchObject({ alg: "ES256" });
  });

  it("stays off for an AUTH_JWKS_URL beyond this machine, and logs why", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call("POST", "/dev/session", { json: sessionBody(), env: { ...JWKS_MODE, AUTH_JWKS_URL: "https://dev.acme.example/dev/jwks.json" } });
    expect(res.status).toBe(404);
    expect(log.mock.calls.flat().join("\n")).toContain("DEV_LOGIN is ignored because AUTH_JWKS_URL is not on a loopback host");
  });
});

describe("POST /dev/session shapes tokens by the claim settings", () => {
  it("nests the org and permissions under dotted claim names, and the verifier reads them back", async () => {
    const claimsEnv = { AUTH_ORG_CLAIM: "o.id", AUTH_PERMISSIONS_CLAIM: "o.per", AUTH_NAME_CLAIM: "https://acme.example/name" } as EnvOverrides;
    const body = sessionBody({ permissions: ["reports:read"] });
    const res = await call("POST", "/dev/session", { json: body, env: claimsEnv });
    const { token } = (await res.json()) as { token: string };
    expect(decodeSegment(token.split(".")[1])).toMatchObject({
      sub: body.userId,
      o: { id: body.orgId, per: ["reports:read"] },
      "https://acme.example/name": "Dev User",
    });
    const created = await call("POST", "/v1/keys", { token, env: claimsEnv, json: { name: unique("nested"), scopes: ["reports:read"] } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { key: KeyJson }).key.createdBy).toEqual({ id: body.userId, name: "Dev User" });
  });

  it("answers 500 server_misconfigured when one claim setting sits inside another", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call("POST", "/dev/session", { json: sessionBody(), env: { AUTH_ORG_CLAIM: "org", AUTH_PERMISSIONS_CLAIM: "org.permissions" } });
    expect([res.status, ((await res.json()) as ProblemBody).code]).toEqual([500, "server_misconfigured"]);
  });
});
