import type { Handler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { CONTENT_SECURITY_POLICY, withSecurityHeaders } from "../http/security-headers";

/**
 * Serves the demo host page (`/`, `demo.js`, `demo.css`, …) from the static assets, only in
 * local development (`DEV_LOGIN`, like `POST /dev/session`, which the page signs in through).
 * A production deploy answers the app's 404 for every one of its files. The Worker runs first
 * for every path (`run_worker_first` in wrangler.toml), so the asset server never answers
 * around this check, and each file leaves with the page's Content-Security-Policy.
 *
 * @example
 * app.get("*", demoPage()); // after every other GET route
 */
export function demoPage(): Handler<AppEnv> {
  return async function demoPageHandler(c) {
    if (!c.var.config.devLogin) throw new Failure("not_found", "No such route.");
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    if (asset.status === 404) throw new Failure("not_found", "No such route.");
    return withSecurityHeaders(asset, CONTENT_SECURITY_POLICY.page);
  };
}
