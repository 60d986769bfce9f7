import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

const ALLOW_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS = "Authorization, Content-Type";
const EXPOSE_HEADERS = "X-Request-Id, Retry-After, RateLimit, RateLimit-Policy";
/** Refused origins already reported by this isolate, so local dev logs each one once. */
const reportedOrigins = new Set<string>();

// Hand-written: hono/cors (4.13) sends Expose-Headers, and on preflights Allow-Methods/-Headers and Max-Age, to refused origins too.
/**
 * CORS for the exact origins in `ALLOWED_ORIGINS`: an allowed origin is echoed back, any other
 * gets no CORS headers at all, and every response says `Vary: Origin` so caches keep them apart.
 * Credentials (cookies) are never allowed: the API authenticates with bearer tokens. In local dev
 * (`DEV_LOGIN`), a refused origin is logged once with the fix, since the browser only shows a
 * CORS error.
 *
 * @example
 * app.use("/v1/*", cors());
 */
export function cors(): MiddlewareHandler<AppEnv> {
  return async function corsHandler(c, next) {
    const origin = c.req.header("Origin");
    const allowed = origin !== undefined && c.var.config.allowedOrigins.has(origin);
    if (origin !== undefined && !allowed && c.var.config.devLogin) reportRefusedOrigin(origin);
    if (c.req.method === "OPTIONS" && c.req.header("Access-Control-Request-Method")) {
      const headers = new Headers({ Vary: "Origin" });
      if (allowed) {
        headers.set("Access-Control-Allow-Origin", origin);
        headers.set("Access-Control-Allow-Methods", ALLOW_METHODS);
        headers.set("Access-Control-Allow-Headers", ALLOW_HEADERS);
        headers.set("Access-Control-Max-Age", "600");
      }
      return new Response(null, { status: 204, headers });
    }
    await next();
    c.res.headers.append("Vary", "Origin");
    if (allowed) {
      c.res.headers.set("Access-Control-Allow-Origin", origin);
      c.res.headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    }
  };
}

function reportRefusedOrigin(origin: string): void {
  if (reportedOrigins.has(origin) || reportedOrigins.size >= 100) return;
  reportedOrigins.add(origin);
  console.warn(`CORS: requests from ${origin} are refused: it is not in ALLOWED_ORIGINS. To allow it locally, add it to ALLOWED_ORIGINS in .dev.vars (comma-separated) and restart npm run dev.`);
}
