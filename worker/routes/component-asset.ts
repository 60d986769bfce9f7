import type { Handler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { CONTENT_SECURITY_POLICY, withSecurityHeaders } from "../http/security-headers";

/**
 * Serves the built `<api-keys-settings>` module from the static assets. A module script loaded
 * from another origin is a CORS request, so this route runs behind `cors()` (exact allowlist)
 * rather than straight from the asset server. Revalidated on each load (ETag), never stale.
 * Served in production too: the module is the product, only the demo page around it is not.
 *
 * @example
 * app.get("/component/*", componentAsset());
 */
export function componentAsset(): Handler<AppEnv> {
  return async function componentAssetHandler(c) {
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    if (asset.status === 404) throw new Failure("not_found", "No such component file. Run npm run build:component.");
    const response = withSecurityHeaders(asset, CONTENT_SECURITY_POLICY.module);
    response.headers.set("Cache-Control", "public, max-age=0, must-revalidate");
    return response;
  };
}
