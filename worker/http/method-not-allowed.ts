import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Handler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { honoPath } from "./route-definition";

/**
 * A catch-all for a path's other methods: 405 with the `Allow` header listing the real ones.
 *
 * @example
 * keys.all("/", methodNotAllowed(["GET", "POST"]));
 */
export function methodNotAllowed(allow: readonly string[]): Handler {
  return function methodNotAllowedHandler() {
    throw new Failure("method_not_allowed", `This path accepts ${allow.join(", ")}.`, { allow });
  };
}

/**
 * Answers 405 on every path of `app`'s route definitions for the methods none of them takes, with
 * `Allow` read from the definitions themselves. Call it after the last `defineRoute`.
 *
 * @example
 * defineRoute(keys, listKeys, …);   // GET /
 * defineRoute(keys, createKey, …);  // POST /
 * refuseOtherMethods(keys);         // DELETE / → 405, Allow: GET, POST
 */
export function refuseOtherMethods(app: OpenAPIHono<AppEnv>): void {
  const methods = new Map<string, string[]>();
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const { path, method } = definition.route;
    methods.set(path, [...(methods.get(path) ?? []), method.toUpperCase()]);
  }
  for (const [path, allow] of methods) app.all(honoPath(path), methodNotAllowed(allow));
}
