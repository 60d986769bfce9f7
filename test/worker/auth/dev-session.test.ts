import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ProblemBody } from "../../../worker/http/problem";
import worker from "../../../worker/dev";
import { call, snapshotTables, unique, type CallOptions, type KeyJson } from "../helpers/api";

interface DevSession {
  token: string;
  expiresAt: string;
}

function sessionBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { userId: unique("dev_user"), orgId: unique("dev_org"), permissions: ["contacts:read"], ...overrides };
}

function openSession(options: CallOptions = {}): Promise<Response> {
  return call("POST", "/dev/session", { json: sessionBody(), ...options });
}

/** POSTs to `path` on another origin than the helper's http://127.0.0.1:8787. */
async function postAt(origin: string, path: string): Promise<Response> {
  const request = new Request(`${origin}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(sessionBody()),
  });
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

afterEach(() => vi.restoreAllMocks());

/** A problem body without the per-request id, for comparing two refusals. */
async function problemWithoutId(res: Response): Promise<Omit<ProblemBody, "requestId">> {
  const { requestId, ...rest } = (await res.json()) as ProblemBody;
  expect(requestId).toMatch(/^req_/);
  return rest;
}

describe("POST /dev/session with DEV_LOGIN true", () => {
  it("returns a token and an ISO expiry about an hour ahead", async () => {
    const res = await openSession();
    expect(res.status).toBe(200);
    const body = (await res.json()) as DevSession;
    expect(Object.keys(body).sort()).toEqual(["expiresAt", "token"]);
    expect(body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const lifetime = Date.parse(body.expiresAt) - Date.now();
    expect(body.expiresAt).toBe(new Date(Date.parse(body.expiresAt)).toISOString());
    expect(lifetime).toBeGreaterThan(59 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(60 * 60_000);
  });

  it("issues a token that GET /v1/keys accepts", async () => {
    const { token } = (await (await openSession()).json()) as DevSession;
    const res = await call("GET", "/v1/keys", { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ keys: [], nextCursor: null });
  });

  it("signs in as the requested user, whose keys carry that user's id", async () => {
    const userId = unique("dev_creator");
    const session = await call("POST", "/dev/session", { json: sessionBody({ userId, name: "Dev Creator" }) });
    const { token } = (await session.json()) as DevSession;
    const created = await call("POST", "/v1/keys", { token, json: { name: unique("dev key") } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { key: KeyJson }).key.createdBy).toEqual({ id: userId, name: "Dev Creator" });
  });

  it("carries the requested permissions, so a key may be scoped to them and no further", async () => {
    const session = await call("POST", "/dev/session", { json: sessionBody({ permissions: ["reports:read"] }) });
    const { token } = (await session.json()) as DevSession;
    const held = await call("POST", "/v1/keys", { token, json: { name: unique("held"), scopes: ["reports:read"] } });
    expect(held.status).toBe(201);
    const notHeld = await call("POST", "/v1/keys", { token, json: { name: unique("not held"), scopes: ["contacts:read"] } });
    expect(notHeld.status).toBe(422);
  });

  it("writes nothing to storage by itself", async () => {
    const before = await snapshotTables();
    expect((await openSession()).status).toBe(200);
    expect(await snapshotTables()).toBe(before);
  });
});

describe("POST /dev/session on a loopback host only", () => {
  it.each(["http://localhost:8787", "http://[::1]:8787"])("returns a token when the request is addressed to %s", async (origin) => {
    const res = await postAt(origin, "/dev/session");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ token: expect.any(String) });
  });

  it.each([
    ["a public host name", () => `https://${unique("api")}.example.com`],
    ["a host name that starts with localhost", () => `http://localhost.${unique("dev")}.example.com:8787`],
    ["a private network address", () => "http://192.168.1.20:8787"],
  ])("answers 404 identical to an unknown route when the request is addressed to %s", async (_, origin) => {
    const res = await postAt(origin(), "/dev/session");
    const unknown = await postAt(origin(), `/dev/${unique("nothing")}`);
    expect(res.status).toBe(404);
    expect(await problemWithoutId(res)).toEqual(await problemWithoutId(unknown));
  });
});

describe("POST /dev/session when AUTH_JWKS_URL names an identity provider beyond this machine", () => {
  it("answers 404 identical to an unknown route and logs that AUTH_JWKS_URL turns it off", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const signIn = {
      AUTH_JWKS_URL: `https://${unique("idp")}.test/.well-known/jwks.json`,
      AUTH_ISSUER: `https://${unique("issuer")}.test/`,
      AUTH_AUDIENCE: unique("aud"),
    };
    const res = await openSession({ env: signIn });
    const unknown = await call("POST", `/dev/${unique("nothing")}`, { json: sessionBody(), env: signIn });
    expect(res.status).toBe(404);
    expect(await problemWithoutId(res)).toEqual(await problemWithoutId(unknown));
    expect(log.mock.calls.flat().join("\n")).toMatch(/DEV_LOGIN.*AUTH_JWKS_URL/);
  });
});

const DISABLED: Array<{ label: string; value: string | undefined }> = [
  { label: "unset", value: undefined },
  { label: '"false"', value: "false" },
  { label: "empty", value: "" },
  { label: '"TRUE" (only the exact string "true" enables it)', value: "TRUE" },
];

describe("POST /dev/session with DEV_LOGIN off", () => {
  for (const { label, value } of DISABLED) {
    it(`answers 404 problem+json identical to an unknown route when DEV_LOGIN is ${label}`, async () => {
      const env = { DEV_LOGIN: value };
      const res = await openSession({ env });
      const unknown = await call("POST", `/dev/${unique("nothing")}`, { json: sessionBody(), env });
      expect(res.status).toBe(404);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(res.headers.get("Content-Type")).toBe(unknown.headers.get("Content-Type"));
      expect(await problemWithoutId(res)).toEqual(await problemWithoutId(unknown));
    });
  }

  it("answers 404, not 422, to a malformed body, so the route's existence does not leak", async () => {
    const res = await call("POST", "/dev/session", { json: { bogus: true }, env: { DEV_LOGIN: "false" } });
    expect(res.status).toBe(404);
  });

  it("answers 404, not 415, to a body of the wrong media type", async () => {
    const res = await call("POST", "/dev/session", {
      body: "userId=u",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      env: { DEV_LOGIN: undefined },
    });
    expect(res.status).toBe(404);
  });
});

interface BadBody {
  input: string;
  options: () => CallOptions;
  status: number;
  code: string;
  field?: string;
}

const BAD_BODIES: BadBody[] = [
  { input: "a body without userId", options: () => ({ json: sessionBody({ userId: undefined }) }), status: 422, code: "validation_failed", field: "userId" },
  { input: "a body without orgId", options: () => ({ json: sessionBody({ orgId: undefined }) }), status: 422, code: "validation_failed", field: "orgId" },
  { input: "a userId with a space", options: () => ({ json: sessionBody({ userId: "two words" }) }), status: 422, code: "validation_failed", field: "userId" },
  { input: "a userId of 256 characters", options: () => ({ json: sessionBody({ userId: "u".repeat(256) }) }), status: 422, code: "validation_failed", field: "userId" },
  { input: "permissions as a string", options: () => ({ json: sessionBody({ permissions: "contacts:read" }) }), status: 422, code: "validation_failed", field: "permissions" },
  { input: "repeated permissions", options: () => ({ json: sessionBody({ permissions: ["a:b", "a:b"] }) }), status: 422, code: "validation_failed", field: "permissions" },
  { input: "a name with a bidi override", options: () => ({ json: sessionBody({ name: "dev\u202Eadmin" }) }), status: 422, code: "validation_failed", field: "name" },
  { input: "an unknown field", options: () => ({ json: sessionBody({ isAdmin: true }) }), status: 422, code: "validation_failed", field: "body" },
  { input: "a JSON array", options: () => ({ json: [sessionBody()] }), status: 422, code: "validation_failed", field: "body" },
  { input: "JSON sent as text/plain", options: () => ({ body: JSON.stringify(sessionBody()), headers: { "Content-Type": "text/plain" } }), status: 415, code: "unsupported_media_type" },
  { input: "JSON sent without a Content-Type", options: () => ({ body: new TextEncoder().encode(JSON.stringify(sessionBody())) }), status: 415, code: "unsupported_media_type" },
  { input: "malformed JSON", options: () => ({ body: '{"userId":', headers: { "Content-Type": "application/json" } }), status: 400, code: "malformed_json" },
];

describe("POST /dev/session refuses bad bodies", () => {
  for (const row of BAD_BODIES) {
    it(`answers ${row.status} ${row.code} to ${row.input}`, async () => {
      const res = await call("POST", "/dev/session", row.options());
      expect(res.status).toBe(row.status);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      const body = (await res.json()) as ProblemBody;
      expect(body).toMatchObject({ status: row.status, code: row.code, requestId: expect.any(String), detail: expect.any(String) });
      if (row.field) expect(body.errors?.map((e) => e.field)).toContain(row.field);
      expect(body).not.toHaveProperty("token");
    });
  }
});
