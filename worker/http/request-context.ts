import type { MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config";
import { randomBase62 } from "../crypto/base62";

/**
 * Hono's request id, in our format (`req_` and 20 base62 characters). `headerName: ""`: an id the
 * client sends in `X-Request-Id` is never adopted (every id in our logs and problems is ours),
 * and the header is set below, on the final response, which the built-in's `c.header()` would
 * miss when a handler builds its own `Response`.
 */
const assignRequestId = requestId({ headerName: "", generator: () => `req_${randomBase62(20)}` });

/**
 * First middleware of the app: gives each request an id (echoed as `X-Request-Id` and in every
 * problem body) and the parsed deployment config.
 *
 * @example
 * app.use(requestContext());
 */
export function requestContext(): MiddlewareHandler<AppEnv> {
  return async function requestContextHandler(c, next) {
    await assignRequestId(c, async () => {
      c.set("config", readConfig(c.env));
      await next();
    });
    c.res.headers.set("X-Request-Id", c.var.requestId);
  };
}
