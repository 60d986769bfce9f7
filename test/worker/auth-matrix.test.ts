import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../worker/app";
import { randomBase62 } from "../../worker/crypto/base62";
import { KEY_ID_LENGTH } from "../../worker/keys/key-format";
import { openApiDocument } from "../../worker/openapi/openapi-document";
import { admin, call, createKey, unique, user, type TestUser } from "./helpers/api";
import { mintToken } from "./helpers/jwt";

/** A concrete management endpoint as the app registers it, e.g. `POST /v1/keys/:id/rotate`. */
interface ManagementRoute {
  method: string;
  path: string;
  label: string;
  takesKeyId: boolean;
}

/**
 * Paths under `/v1/` that do not authenticate with the user's bearer token: the admin API and
 * `/v1/verify` have tokens of their own, `/v1/leaks` takes signed reports
 * (test/worker/leaks/leak-reports.test.ts refuses unsigned ones) (test/worker/verify/verify-http.test.ts refuses user
 * tokens there) and the OpenAPI document is public. Everything else under `/v1/` is a
 * management route, so a route added later is in the matrix without editing this file, and one
 * that forgets `authenticate()` fails it.
 */
const NOT_USER_AUTHENTICATED = [/^\/v1\/admin(\/|$)/, /^\/v1\/openapi\.json$/, /^\/v1\/verify$/, /^\/v1\/leaks$/];

/**
 * Routes for org admins only, whose ids are not key ids: test/worker/webhooks/webhook-auth.test.ts
 * walks each of them through the same checks (no token, an expired one, a deactivated user,
 * another org's id) and a member's 403.
 */
const ADMIN_ONLY = [/^\/v1\/webhooks(\/|$)/];

/** Matches a Hono path parameter, with an optional `{pattern}` and `?` suffix. */
const PARAM = /:(\w+)(\{[^}]*\})?\??/g;

/**
 * The app's own routes reduced to management endpoints: concrete methods only (`use`
 * middleware and the 405 catch-alls are registered as `ALL`), under `/v1/`, not excluded above,
 * one entry per method and path (Hono lists one entry per handler).
 */
function managementRoutes(routes: readonly { method: string; path: string }[]): ManagementRoute[] {
  const found = new Map<string, ManagementRoute>();
  for (const { method, path } of routes) {
    if (method === "ALL" || !path.startsWith("/v1/")) continue;
    if ([...NOT_USER_AUTHENTICATED, ...ADMIN_ONLY].some((pattern) => pattern.test(path))) continue;
    const label = `${method} ${path}`;
    found.set(label, { method, path, label, takesKeyId: /:id(?![\w])/.test(path) });
  }
  return [...found.values()];
}

const APP = createApp();
const ROUTES = managementRoutes(APP.routes);

/**
 * The operations the app's own route definitions document as signed in with the user's token,
 * as `METHOD /hono/:path` labels.
 */
function documentedUserRoutes(): string[] {
  const { paths } = openApiDocument(APP) as { paths: Record<string, Record<string, { security?: unknown }>> };
  return Object.entries(paths)
    .filter(([path]) => !ADMIN_ONLY.some((pattern) => pattern.test(path)))
    .flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => JSON.stringify(operation.security) === JSON.stringify([{ user: [] }]))
        .map(([method]) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
}

/** A body each route accepts, so a refusal under test is never a validation failure. */
const VALID_BODIES: Record<string, () => unknown> = {
  "POST /v1/keys": () => ({ name: unique("key") }),
  "PATCH /v1/keys/:id": () => ({ name: unique("renamed") }),
  "POST /v1/keys/:id/revoke": () => ({}),
  "POST /v1/keys/:id/rotate": () => ({ graceSeconds: 60 }),
};

function bodyFor(route: ManagementRoute): unknown {
  const valid = VALID_BODIES[route.label];
  if (valid) return valid();
  return route.method === "GET" || route.method === "HEAD" ? undefined : {};
}

/** The route's path with `:id` filled in; any other parameter is a gap in this file. */
function pathFor(route: ManagementRoute, keyId: string): string {
  return route.path.replace(PARAM, (_, name: string) => {
    if (name !== "id") throw new Error(`${route.label}: no value for path parameter :${name}; teach auth-matrix.test.ts one.`);
    return encodeURIComponent(keyId);
  });
}

/** Sends the route's valid request with the given token (or none) and key id. */
function send(route: ManagementRoute, token: string | null, keyId: string): Promise<Response> {
  return call(route.method, pathFor(route, keyId), { token, json: bodyFor(route) });
}

/** A user with a key of their own, whose id fills `:id`. */
async function userWithKey(options: { orgId?: string } = {}): Promise<{ owner: TestUser; keyId: string }> {
  const owner = await user(options);
  const { key } = await createKey(owner);
  return { owner, keyId: key.id };
}

/** A well-formed key id that no key has. */
function nonexistentKeyId(): string {
  return randomBase62(KEY_ID_LENGTH);
}

/** A correctly signed token for the user that expired an hour ago, far past the verifier's leeway. */
async function expiredToken(owner: TestUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return mintToken({
    claims: { sub: owner.userId, org_id: owner.orgId, name: owner.name, permissions: owner.permissions, iat: now - 7200, exp: now - 3600 },
  });
}

async function deactivate(target: TestUser): Promise<void> {
  const res = await call("PUT", `/v1/admin/orgs/${encodeURIComponent(target.orgId)}/users/${encodeURIComponent(target.userId)}`, {
    token: env.ADMIN_API_TOKEN,
    json: { permissions: target.permissions, active: false },
  });
  expect(res.status).toBe(200);
}

/** A problem response's status, media type and members, without the per-request id. */
async function problemOf(res: Response) {
  const { requestId, ...problem } = (await res.json()) as { requestId: string; code: string };
  expect(requestId).toMatch(/^req_/);
  return { status: res.status, type: res.headers.get("Content-Type"), problem };
}

describe("auth matrix of the management API", () => {
  it("derives the management routes from the app, POST /v1/keys, PATCH /v1/keys/:id, GET /v1/keys/:id/usage and GET /v1/me among them", () => {
    const labels = ROUTES.map((r) => r.label);
    expect(labels.length).toBeGreaterThan(0);
    expect(labels).toEqual(
      expect.arrayContaining(["POST /v1/keys", "POST /v1/keys/:id/rotate", "PATCH /v1/keys/:id", "GET /v1/keys/:id/usage", "GET /v1/audit-events", "GET /v1/me"]),
    );
    expect(labels.some((l) => l.includes("/v1/admin") || l.includes("openapi"))).toBe(false);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("walks exactly the operations the route definitions document with the user's token", () => {
    expect(ROUTES.map((r) => r.label).sort()).toEqual(documentedUserRoutes().sort());
  });

  for (const route of ROUTES) {
    describe(route.label, () => {
      it(`${route.label} succeeds for the key's owner with the request the matrix sends`, async () => {
        const { owner, keyId } = await userWithKey();
        const res = await send(route, owner.token, keyId);
        expect(res.ok, `${res.status} ${await res.clone().text()}`).toBe(true);
      });

      it(`${route.label} answers 401 without a token`, async () => {
        const { keyId } = await userWithKey();
        const res = await send(route, null, keyId);
        const { status, type, problem } = await problemOf(res);
        expect({ status, type, code: problem.code }).toEqual({ status: 401, type: "application/problem+json", code: "unauthenticated" });
        expect(res.headers.get("WWW-Authenticate")).toMatch(/^Bearer /);
      });

      it(`${route.label} answers 401 with an expired token`, async () => {
        const { owner, keyId } = await userWithKey();
        const res = await send(route, await expiredToken(owner), keyId);
        const { status, type, problem } = await problemOf(res);
        expect({ status, type, code: problem.code }).toEqual({ status: 401, type: "application/problem+json", code: "unauthenticated" });
      });

      it(`${route.label} answers 403 to a user deactivated through the admin API`, async () => {
        const { owner, keyId } = await userWithKey();
        await deactivate(owner);
        const res = await send(route, owner.token, keyId);
        const { status, type, problem } = await problemOf(res);
        expect({ status, type, code: problem.code }).toEqual({ status: 403, type: "application/problem+json", code: "user_deactivated" });
      });

      if (!route.takesKeyId) return;

      it(`${route.label} answers another org's key with the same 404 as a key that does not exist`, async () => {
        const { keyId } = await userWithKey();
        const intruder = await admin(unique("org_other"));
        const foreign = await problemOf(await send(route, intruder.token, keyId));
        const missing = await problemOf(await send(route, intruder.token, nonexistentKeyId()));
        expect(foreign).toEqual(missing);
        expect(foreign.status).toBe(404);
        expect(foreign.problem.code).toBe("not_found");
      });

      it(`${route.label} answers 404 to a member acting on another member's key in the same org`, async () => {
        const { owner, keyId } = await userWithKey();
        const colleague = await user({ orgId: owner.orgId });
        expect(colleague.permissions).not.toContain("api_keys:admin");
        const { status, problem } = await problemOf(await send(route, colleague.token, keyId));
        expect({ status, code: problem.code }).toEqual({ status: 404, code: "not_found" });
      });
    });
  }
});
