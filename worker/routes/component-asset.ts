import type { Handler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { CONTENT_SECURITY_POLICY, withSecurityHeaders } from "../http/security-headers";

/** `/component/v1.2.3/…` (a release's files) and `…/chunks/de-7GQ2K3ZB.js` (named by content): never change. */
const IMMUTABLE_PATH = /^\/component\/(?:v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?\/|chunks\/)/;

/**
 * Serves the built `<api-keys-settings>` module from the static assets. A module script loaded
 * from another origin is a CORS request, so this route runs behind `cors()` (exact allowlist)
 * rather than straight from the asset server. `/component/api-keys-settings.js` moves with each
 * deploy, so it is revalidated on each load (ETag); `/component/v{version}/api-keys-settings.js`
 * never changes, so it is cached for a year, immutably, and so are the language chunks the module
 * imports (`chunks/<language>-<content hash>.js`). Served in production too: the module is
 * the product, only the demo page around it is not.
 *
 * @example
 * app.get("/component/*", componentAsset());
 */
export function componentAsset(): Handler<AppEnv> {
  return async function componentAssetHandler(c) {
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    if (asset.status === 404) throw new Failure("not_found", "No such component file. Run npm run build:component.");
    const response = withSecurityHeaders(asset, CONTENT_SECURITY_POLICY.module);
    const versioned = IMMUTABLE_PATH.test(new URL(c.req.url).pathname);
    response.headers.set("Cache-Control", versioned ? "public, max-age=31536000, immutable" : "public, max-age=0, must-revalidate");
    return response;
  };
}
