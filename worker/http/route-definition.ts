import type { OpenAPIHono, RouteConfig, RouteConfigToEnv, RouteHandler } from "@hono/zod-openapi";
import type { Handler, MiddlewareHandler } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { readJsonBody, validate } from "./json-body";

/**
 * Adds a route to `app` from its one definition (`createRoute` of @hono/zod-openapi): the
 * definition goes into the app's OpenAPI registry as it is (openapi/openapi-document.ts builds the
 * document from the registry), and each request is validated against the definition's own
 * schemas before `handler` runs, which reads the results with `c.req.valid(…)`:
 *
 * - `request.params`: a refused path parameter is a 404 `not_found` whose detail is the schema's
 *   message (a path that names nothing);
 * - `request.query`: 422 `validation_failed` with each field, unknown and `__proto__` ones too;
 * - `request.body` (`application/json`): `readJsonBody`, so 415, 413, 400 and 422 exactly as
 *   every JSON body of this API.
 *
 * The definition's own `middleware` runs first, and what it puts on the context is typed in the
 * handler.
 *
 * Not `app.openapi()`: its validators answer with zod's error object and Hono's plain-text 400
 * and 415, read bodies without a size limit and let a `__proto__` member through, where this API
 * answers problem+json (http/problem.ts).
 *
 * @example
 * const getKey = createRoute({ method: "get", path: "/{id}", request: { params: KeyIdPath }, responses: { … } });
 * defineRoute(keys, getKey, async (c) => c.json(await read(c.req.valid("param").id), 200));
 */
export function defineRoute<R extends RouteConfig>(app: OpenAPIHono<AppEnv>, route: R, handler: RouteHandler<R, RouteConfigToEnv<R> & AppEnv>): void {
  const { middleware, hide, ...definition } = route;
  if (!hide) app.openAPIRegistry.registerPath(definition);
  const before = middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware];
  const handlers: Handler<AppEnv>[] = [...before, validateRequest(route.request), handler as Handler<AppEnv>];
  app.on([route.method.toUpperCase()], [honoPath(route.path)], ...handlers);
}

/**
 * An OpenAPI path template as a Hono route path.
 *
 * @example
 * honoPath("/orgs/{orgId}/users/{userId}"); // "/orgs/:orgId/users/:userId"
 */
export function honoPath(path: string): string {
  return path.replaceAll(/\{(\w+)\}/g, ":$1");
}

function validateRequest(request: RouteConfig["request"]): MiddlewareHandler<AppEnv> {
  const params = request?.params;
  const query = request?.query;
  const media = request?.body?.content["application/json"];
  const body = media && "schema" in media ? zodSchema(media.schema) : undefined;
  return async function validateRequestHandler(c, next) {
    if (params) c.req.addValidatedData("param", validatePath(params, c.req.param()));
    if (query) c.req.addValidatedData("query", validate(query, c.req.query(), "query") as object);
    if (body) c.req.addValidatedData("json", (await readJsonBody(c, body)) as object);
    await next();
  };
}

function validatePath(schema: z.ZodType, params: Record<string, string>): object {
  const result = schema.safeParse(params);
  if (!result.success) throw new Failure("not_found", result.error.issues[0]?.message ?? "No such route.");
  return result.data as object;
}

function zodSchema(schema: unknown): z.ZodType | undefined {
  return typeof schema === "object" && schema !== null && "_zod" in schema ? (schema as z.ZodType) : undefined;
}
