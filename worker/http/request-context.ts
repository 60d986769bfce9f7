import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config";
import { randomBase62 } from "../crypto/base62";

/**
 * First middleware of the app: gives each request an id (echoed as `X-Request-Id` and in every
 * problem body) and the parsed deployment config.
 *
 * @example
 * app.use(requestContext());
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContextHandler(c, next) {
    const requestId = `req_${randomBase62(20)}`;
    c.set("requestId", requestId);
    c.set("config", readConfig(c.env));
    await next();
    c.res.headers.set("X-Request-Id", requestId);
  };
}
