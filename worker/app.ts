import { OpenAPIHono } from "@hono/zod-openapi";
import type { Hono, MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";
import { auditRoutes } from "./routes/audit-routes";
import { ConfigError } from "./config";
import { Failure } from "./errors/failure";
import { componentAsset } from "./routes/component-asset";
import { cors } from "./http/cors";
import { healthz, healthzRoute } from "./routes/healthz";
import { renderProblem } from "./http/problem";
import { requestContext } from "./http/request-context";
import { defineRoute } from "./http/route-definition";
import { securityHeaders } from "./http/security-headers";
import { edgeRoutes, wellKnownRoutes } from "./edge/edge-routes";
import { keyRoutes } from "./routes/key-routes";
import { meRoutes } from "./routes/me-routes";
import { mountApiDocs } from "./openapi/docs-routes";
import { adminRoutes } from "./routes/admin-routes";
import { verifyRoutes } from "./routes/verify-routes";
import { leakRoutes } from "./routes/leak-routes";
import { documentWebhookEvents, webhookRoutes } from "./routes/webhook-routes";

/**
 * What only local development adds to the app (worker/dev.ts passes it; the production entry,
 * worker/index.ts, does not, so none of it is in a production bundle).
 */
export interface LocalDevelopment {
  /** Runs before every other middleware (the `Server-Timing` of `/api/*`, worker/http/server-timing.ts). */
  outermost: MiddlewareHandler<AppEnv>;
  /** Mounts the local-only routes (`/dev/*`, the demo page); called after every product route. */
  mount(app: Hono<AppEnv>): void;
  /** What `GET /api/contacts` answers without an `UPSTREAM_URL`. */
  sampleContacts: readonly object[];
}

/**
 * The Worker's Hono app: management API under `/v1`, the key-protected API under `/api`, API
 * docs, the element's module, readiness at `/healthz`; with `localDevelopment`, also local
 * sign-in under `/dev` and the demo page. Every route of the API has one definition
 * (`createRoute`, see http/route-definition.ts) that validates its requests and documents it:
 * `/v1/openapi.json` and `/docs` are generated from this app's own definitions. Every error
 * leaves through `onError` as problem+json; every response carries the security headers
 * (http/security-headers.ts).
 *
 * @example
 * export default { fetch: createApp().fetch };                        // production
 * export default { fetch: createApp({ localDevelopment }).fetch };    // wrangler dev
 */
export function createApp(options: { localDevelopment?: LocalDevelopment } = {}) {
  const app = new OpenAPIHono<AppEnv>();
  if (options.localDevelopment) app.use(options.localDevelopment.outermost);
  // First, so that even a failure of requestContext() (a ConfigError) leaves with the headers.
  app.use(securityHeaders());
  // Before requestContext(): readiness answers even when the configuration is unusable.
  defineRoute(app, healthzRoute, healthz());
  app.use(requestContext());
  app.use("/v1/*", cors());
  app.use("/component/*", cors());
  app.use("/v1/*", async function noStore(c, next) {
    await next();
    c.res.headers.set("Cache-Control", "no-store");
  });

  app.route("/v1/me", meRoutes());
  app.route("/v1/keys", keyRoutes());
  app.route("/v1/audit-events", auditRoutes());
  app.route("/v1/admin", adminRoutes());
  app.route("/v1/verify", verifyRoutes());
  app.route("/v1/leaks", leakRoutes());
  app.route("/v1/webhooks", webhookRoutes());
  documentWebhookEvents(app);
  mountApiDocs(app);
  app.route("/api", edgeRoutes({ sampleContacts: options.localDevelopment?.sampleContacts }));
  app.get("/component/*", componentAsset());
  app.route("/.well-known", wellKnownRoutes());
  options.localDevelopment?.mount(app);

  app.notFound((c) => renderProblem(new Failure("not_found", "No such route."), c.var.requestId));
  app.onError((error, c) => {
    const requestId = c.var.requestId ?? "req_unknown";
    if (error instanceof Failure) return renderProblem(error, requestId);
    if (error instanceof ConfigError) {
      // readConfig logged the problems once; each refused request is logged by id.
      console.error(`[${requestId}] server_misconfigured (${error.problems.length} configuration problem(s))`);
      return renderProblem(new Failure("server_misconfigured", "The service is not configured correctly."), requestId);
    }
    console.error(`[${requestId}] unexpected ${error.name}: ${error.message}`);
    return renderProblem(new Failure("internal_error", "Something went wrong on our side."), requestId);
  });
  return app;
}
