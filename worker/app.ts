import { Hono } from "hono";
import type { AppEnv } from "./app-env";
import { auditRoutes } from "./audit/audit-routes";
import { devSessionRoutes } from "./auth/dev-session-routes";
import { ConfigError } from "./config";
import { Failure } from "./errors/failure";
import { componentAsset } from "./http/component-asset";
import { cors } from "./http/cors";
import { demoPage } from "./http/demo-page";
import { renderProblem } from "./http/problem";
import { requestContext } from "./http/request-context";
import { securityHeaders } from "./http/security-headers";
import { edgeRoutes } from "./edge/edge-routes";
import { keyRoutes } from "./keys/key-routes";
import { docsPage, docsPolicy } from "./openapi/docs-page";
import { openApiDocument } from "./openapi/openapi-document";
import { adminRoutes } from "./users/admin-routes";

/**
 * The Worker's Hono app: management API under `/v1`, the key-protected API under `/api`, local
 * sign-in under `/dev`, API docs, the element's module, and in local dev the demo page.
 * Every error leaves through `onError` as problem+json; every response carries the security
 * headers (http/security-headers.ts).
 *
 * @example
 * export default { fetch: createApp().fetch };
 */
export function createApp() {
  const app = new Hono<AppEnv>();
  // First, so that even a failure of requestContext() (a ConfigError) leaves with the headers.
  app.use(securityHeaders());
  app.use(requestContext());
  app.use("/v1/*", cors());
  app.use("/component/*", cors());
  app.use("/dev/*", cors());
  app.use("/v1/*", async function noStore(c, next) {
    await next();
    c.res.headers.set("Cache-Control", "no-store");
  });

  app.route("/v1/keys", keyRoutes());
  app.route("/v1/audit-events", auditRoutes());
  app.route("/v1/admin", adminRoutes());
  app.get("/v1/openapi.json", (c) => c.json(openApiDocument()));
  app.get("/docs", async (c) => c.html(docsPage(), 200, { "Content-Security-Policy": await docsPolicy() }));
  app.route("/dev", devSessionRoutes());
  app.route("/api", edgeRoutes());
  app.get("/component/*", componentAsset());
  app.get("*", demoPage());

  app.notFound((c) => renderProblem(new Failure("not_found", "No such route."), c.var.requestId));
  app.onError((error, c) => {
    const requestId = c.var.requestId ?? "req_unknown";
    if (error instanceof Failure) return renderProblem(error, requestId);
    if (error instanceof ConfigError) {
      console.error(`[${requestId}] configuration: ${error.message}`);
      return renderProblem(new Failure("server_misconfigured", "The service is not configured correctly."), requestId);
    }
    console.error(`[${requestId}] unexpected ${error.name}: ${error.message}`);
    return renderProblem(new Failure("internal_error", "Something went wrong on our side."), requestId);
  });
  return app;
}
