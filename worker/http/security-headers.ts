import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * The Content-Security-Policy of each kind of response. None allows inline script or `eval`;
 * everything but the element's module refuses to be framed.
 *
 * - `api`: JSON and problem+json, which load nothing and are never a page.
 * - `page`: the demo page and its files. Scripts, styles, images and `fetch` from this origin
 *   only; Lit's styles are constructable stylesheets, which CSP does not govern. DOM sinks take
 *   Trusted Types only, and the one policy allowed is Lit's own (`lit-html`), so the element is
 *   shown to work on a host page that requires them too.
 * - `module`: the `<api-keys-settings>` module. Host pages on other origins load it as a
 *   script, which is the point of it, so it carries no `frame-ancestors`.
 *
 * `/docs` has its own policy, which allows its one inline style by hash (openapi/docs-page.ts).
 */
export const CONTENT_SECURITY_POLICY = {
  api: "default-src 'none'; frame-ancestors 'none'",
  page:
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types lit-html",
  module: "default-src 'none'",
} as const;

/** Sent with every response. */
const COMMON_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
} as const;

/**
 * First middleware of the app: every response leaves with `nosniff`, `no-referrer` and a
 * Content-Security-Policy. A route that serves a page or a file sets its own policy
 * (`withSecurityHeaders`); every other response gets `CONTENT_SECURITY_POLICY.api`. Headers a
 * response already has are kept, so an upstream's own policy on `/api/*` passes unchanged.
 *
 * Hono's `secureHeaders`, reduced to exactly these three headers: its other defaults (HSTS,
 * COOP, CORP, X-Frame-Options…) are off, so nothing is sent that this contract does not name, and
 * an upstream's `X-Powered-By` passes as it did.
 *
 * @example
 * app.use(securityHeaders());
 */
export function securityHeaders(): MiddlewareHandler {
  return secureHeaders({
    // Serialised by Hono as "default-src 'none'; frame-ancestors 'none'": CONTENT_SECURITY_POLICY.api.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xContentTypeOptions: COMMON_HEADERS["X-Content-Type-Options"],
    referrerPolicy: COMMON_HEADERS["Referrer-Policy"],
    crossOriginEmbedderPolicy: false,
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    strictTransportSecurity: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
    removePoweredBy: false,
    overwrite: false,
  });
}

/**
 * A copy of `response` (an asset, say, whose headers are immutable) with the given
 * Content-Security-Policy, `nosniff` and `no-referrer`.
 *
 * @example
 * return withSecurityHeaders(await c.env.ASSETS.fetch(c.req.raw), CONTENT_SECURITY_POLICY.page);
 */
export function withSecurityHeaders(response: Response, policy: string): Response {
  const copy = new Response(response.body, response);
  copy.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(COMMON_HEADERS)) copy.headers.set(name, value);
  return copy;
}
