import { inspectRoutes } from "hono/dev";
import { describe, expect, it } from "vitest";
import { createApp } from "../../worker/app";
import { ANY_METHOD } from "../../worker/edge/edge-routes";
import { openApiDocument } from "../../worker/openapi/openapi-document";

/** A route as the document names it: `GET /v1/keys/{id}`. */
type Label = string;

/**
 * Routes the app registers that the document leaves out on purpose, each with why. Everything
 * else the app serves must be documented, and everything documented must be served.
 */
const NOT_DOCUMENTED: Array<{ route: RegExp; why: string }> = [
  {
    route: /^GET \/\{path\}$/,
    why: "`app.get(\"*\")`, the demo page's file server: mounted only by the local-development entry (worker/dev.ts), and it serves the demo's static files, not an API.",
  },
  {
    route: /^[A-Z]+ \/dev\//,
    why: "`/dev/*` (POST /dev/session): local development only (worker/dev.ts, DEV_LOGIN, a loopback host); the production entry has none of it, so it is not part of the API.",
  },
  {
    route: /^GET \/component\/\{path\}$/,
    why: "the <api-keys-settings> module, a static JavaScript file that host pages load with <script type=module> (README, the element): a file, not an API operation.",
  },
  {
    route: /^GET \/api\/contacts$/,
    why: "the demo's sample route: in production it behaves exactly as the documented /api/{path} does (forwarded to UPSTREAM_URL, 404 without one), plus a contacts:read requirement that /api/{path} names as its example.",
  },
];

/** Hono path → OpenAPI path: `:id` (with an optional `{pattern}` or `?`) → `{id}`, a trailing `*` → `{path}`. */
function openApiPath(honoPath: string): string {
  return honoPath.replace(/:(\w+)(\{[^}]*\})?\??/g, "{$1}").replace(/\/\*$/, "/{path}").replace(/^\*$/, "/{path}");
}

/**
 * What the app serves, as `METHOD path` labels:
 * - middleware (`use`, and per-route middleware such as `requirePermission`) is left out: Hono
 *   lists it as routes, but it serves nothing by itself;
 * - an `ALL` handler at a path that also has a handler for a concrete method is the path's 405
 *   catch-all (`methodNotAllowed`): it answers the methods the path does not take, which the
 *   document states once in `info.description` rather than as operations;
 * - any other `ALL` handler (the `/api/*` forwarder) takes every method: one label per method of
 *   `ANY_METHOD`, as the document lists them.
 */
function servedRoutes(): Label[] {
  const handlers = inspectRoutes(createApp()).filter((r) => !r.isMiddleware);
  const concrete = new Set(handlers.filter((r) => r.method !== "ALL").map((r) => r.path));
  const labels = new Set<Label>();
  for (const { method, path } of handlers) {
    if (method === "ALL") {
      if (concrete.has(path)) continue;
      for (const m of ANY_METHOD) labels.add(`${m.toUpperCase()} ${openApiPath(path)}`);
    } else {
      labels.add(`${method} ${openApiPath(path)}`);
    }
  }
  return [...labels];
}

function documentedRoutes(): Label[] {
  const paths = (openApiDocument(createApp()) as { paths: Record<string, Record<string, unknown>> }).paths;
  const methods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((m) => methods.has(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

function excluded(label: Label): boolean {
  return NOT_DOCUMENTED.some(({ route }) => route.test(label));
}

describe("the OpenAPI document against the app's routes", () => {
  it("normalises Hono paths to OpenAPI paths", () => {
    expect(openApiPath("/v1/keys/:id/rotate")).toBe("/v1/keys/{id}/rotate");
    expect(openApiPath("/v1/admin/orgs/:orgId/users/:userId")).toBe("/v1/admin/orgs/{orgId}/users/{userId}");
    expect(openApiPath("/v1/keys/:id{[0-9A-Za-z]+}")).toBe("/v1/keys/{id}");
    expect(openApiPath("/api/*")).toBe("/api/{path}");
    expect(openApiPath("/*")).toBe("/{path}");
  });

  it("finds the app's routes, the key-protected ones and the management API among them", () => {
    const served = servedRoutes();
    expect(served).toEqual(expect.arrayContaining(["GET /v1/keys", "POST /v1/keys/{id}/rotate", "GET /api/whoami", "POST /api/{path}", "GET /docs"]));
    // Middleware and 405 catch-alls are not routes of their own.
    expect(served.filter((l) => /^(GET|PUT|POST|DELETE|OPTIONS|HEAD|PATCH) \/v1\/keys$/.test(l)).sort()).toEqual(["GET /v1/keys", "POST /v1/keys"]);
  });

  it("documents every route the app serves (other than the listed exclusions)", () => {
    const documented = new Set(documentedRoutes());
    const missing = servedRoutes().filter((label) => !excluded(label) && !documented.has(label));
    expect(missing, "served but not in the OpenAPI document").toEqual([]);
  });

  it("documents nothing the app does not serve", () => {
    const served = new Set(servedRoutes());
    const extra = documentedRoutes().filter((label) => !served.has(label));
    expect(extra, "in the OpenAPI document but not served by createApp()").toEqual([]);
  });

  it("excludes only routes that are not part of the production API", () => {
    const documented = new Set(documentedRoutes());
    // An exclusion must never hide a documented operation (it would make the first test vacuous).
    expect(documentedRoutes().filter(excluded)).toEqual([]);
    for (const { why } of NOT_DOCUMENTED) expect(why.length).toBeGreaterThan(40);
    expect(documented.size).toBeGreaterThan(0);
  });
});
