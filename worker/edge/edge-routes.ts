import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { apiKeyAuth, requirePermission } from "./api-key-auth";
import { identityJson } from "../verify/verification-result";
import { forward } from "./forward";
import { upstreamPathGuard } from "./upstream-path";

/**
 * `/api/*`, the key-protected API: `/whoami` answers for the key itself; everything else goes
 * to `UPSTREAM_URL`, and in local dev (`DEV_LOGIN`) without an upstream `/contacts` answers with
 * sample data. Paths with encoded slashes, backslashes, dot segments or NULs are refused with 400
 * before the key is checked.
 *
 * @example
 * app.route("/api", edgeRoutes());
 */
export function edgeRoutes(options: { sampleContacts?: readonly object[] } = {}) {
  const api = new Hono<AppEnv>();
  // First: an unsafe path is refused before the key is looked at, so it costs no rate limit.
  api.use(upstreamPathGuard());
  api.use(apiKeyAuth());
  api.use(async function noStore(c, next) {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  });

  api.get("/whoami", (c) => c.json(identityJson(c.var.apiKey, c.var.rateLimit)));

  api.get("/contacts", requirePermission("contacts:read"), async (c) => {
    const { upstreamUrl, devLogin } = c.var.config;
    if (upstreamUrl) return forward(c, upstreamUrl);
    // Sample data exists only in the local-development entry (worker/dev.ts), and answers only with DEV_LOGIN.
    if (devLogin && options.sampleContacts) return c.json({ contacts: options.sampleContacts });
    throw new Failure("not_found", "No such route.");
  });

  api.all("*", async (c) => {
    const upstreamUrl = c.var.config.upstreamUrl;
    if (!upstreamUrl) throw new Failure("not_found", "No such route.");
    return forward(c, upstreamUrl);
  });
  return api;
}
