import { afterEach, describe, expect, it, vi } from "vitest";
import type { ProblemBody } from "../../../worker/http/problem";
import { call, createKey, user } from "../helpers/api";

afterEach(() => vi.restoreAllMocks());

/** Neither way to verify a user's token: no HS256 secret, no JWKS. */
const NO_VERIFIER = { AUTH_JWT_SECRET: undefined, AUTH_JWKS_URL: undefined, AUTH_ISSUER: undefined, AUTH_AUDIENCE: undefined };

function quietLog() {
  return vi.spyOn(console, "error").mockImplementation(() => {});
}

describe("a deployment with neither AUTH_JWT_SECRET nor AUTH_JWKS_URL", () => {
  it.each([
    ["GET /v1/keys without a token", "GET", "/v1/keys", false],
    ["GET /v1/keys with a well-signed token", "GET", "/v1/keys", true],
    ["POST /v1/keys with a well-signed token", "POST", "/v1/keys", true],
    ["GET /v1/audit-events with a well-signed token", "GET", "/v1/audit-events", true],
  ])("answers 500 server_misconfigured, not 401, to %s", async (_, method, path, withToken) => {
    const log = quietLog();
    const token = withToken ? (await user()).token : null;
    const res = await call(method, path, { token, env: NO_VERIFIER, json: method === "POST" ? { name: "k" } : undefined });
    const body = (await res.json()) as ProblemBody;
    expect([res.status, res.headers.get("Content-Type"), body.code]).toEqual([500, "application/problem+json", "server_misconfigured"]);
    expect(res.headers.has("WWW-Authenticate")).toBe(false);
    expect(JSON.stringify(body)).not.toContain("AUTH_");
    expect(log.mock.calls.flat().join("\n")).toMatch(/neither AUTH_JWT_SECRET .* nor AUTH_JWKS_URL .* is set/);
  });

  it("treats a blank AUTH_JWT_SECRET as unset", async () => {
    quietLog();
    const res = await call("GET", "/v1/keys", { token: (await user()).token, env: { ...NO_VERIFIER, AUTH_JWT_SECRET: "   " } });
    expect(res.status).toBe(500);
  });

  it("still admits API keys at /api/*, which need no user sign-in", async () => {
    const owner = await user({ permissions: ["contacts:read"] });
    const { secret } = await createKey(owner, { name: "still works" });
    const res = await call("GET", "/api/whoami", { headers: { "X-API-Key": secret }, env: NO_VERIFIER });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { id: owner.userId }, org: { id: owner.orgId } });
  });

  it("still answers 401 to a request at /api/* without a key", async () => {
    const res = await call("GET", "/api/whoami", { env: NO_VERIFIER });
    expect(res.status).toBe(401);
  });

  it("refuses POST /dev/session with 500 server_misconfigured, as it has nothing to sign with", async () => {
    quietLog();
    const res = await call("POST", "/dev/session", { env: NO_VERIFIER, json: { userId: "u_1", orgId: "org_1" } });
    expect([res.status, ((await res.json()) as ProblemBody).code]).toEqual([500, "server_misconfigured"]);
  });
});
