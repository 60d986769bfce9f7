import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { defineRoute } from "../http/route-definition";
import { docsPage, docsPolicy } from "./docs-page";
import { describeSharedComponents, openApiDocument } from "./openapi-document";

const openApiJson = createRoute({
  method: "get",
  path: "/v1/openapi.json",
  tags: ["Service"],
  security: [],
  summary: "This OpenAPI 3.1 document",
  description: "Generated from the Worker's route definitions and the zod schemas the routes validate with.",
  responses: {
    200: {
      description: "The OpenAPI document.",
      content: { "application/json": { schema: z.looseObject({ openapi: z.literal("3.1.0"), paths: z.record(z.string(), z.unknown()) }) } },
    },
  },
});

const docs = createRoute({
  method: "get",
  path: "/docs",
  tags: ["Service"],
  security: [],
  summary: "This reference, as HTML",
  description: "Rendered from the OpenAPI document by the Worker; it loads nothing else and runs no script.",
  responses: { 200: { description: "The page.", content: { "text/html": { schema: { type: "string" } } } } },
});

/**
 * The API's documentation, derived from `app`'s own route definitions: `GET /v1/openapi.json`
 * and `GET /docs`. The document is built at the first request, from every definition mounted on
 * `app` by then (these two included).
 *
 * @example
 * mountApiDocs(app);
 * app.route("/v1/keys", keyRoutes());
 */
export function mountApiDocs(app: OpenAPIHono<AppEnv>): void {
  describeSharedComponents(app);
  defineRoute(app, openApiJson, (c) => c.json(openApiDocument(app) as { openapi: "3.1.0"; paths: Record<string, unknown> }, 200));
  defineRoute(app, docs, async (c) =>
    c.html(docsPage(openApiDocument(app), new URL(c.req.url).origin), 200, { "Content-Security-Policy": await docsPolicy() }),
  );
}
