// edge/: the key-protected API under /api/*: the apiKeyAuth and requirePermission middleware,
// whoami, the path guard, forwarding to UPSTREAM_URL with header rules and the signed
// X-Api-Assertion (keys at /.well-known/jwks.json), and index.ts, the entry other Workers import.
// Floor: imports http/ and below.

import { createRoute, OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { headerRefs, type HeaderName, problemResponses } from "../http/problem-docs";
import { defineRoute } from "../http/route-definition";
import { identityJson } from "../verify/verification-result";
import { apiKeyAuth, KEY_CHECK_PROBLEMS, requirePermission } from "./api-key-auth";
import { JwksResponse, WhoamiResponse } from "./edge-schemas";
import { forward } from "./forward";
import { IDENTITY_HEADERS } from "./forward-headers";
import { ASSERTION_HEADER, ASSERTION_LIFETIME_SECONDS, ASSERTION_TYPE, upstreamJwks } from "./upstream-assertion";
import { upstreamPathGuard } from "./upstream-path";

/**
 * The methods documented for a route that takes any method (`/api/{path}`), one operation each.
 * TRACE is left out: `fetch` refuses it, so it can never be forwarded.
 */
export const ANY_METHOD = ["get", "put", "post", "delete", "options", "head", "patch"] as const;

/** The headers every response admitted by the key check carries. */
const RATE_LIMIT_FIELDS: HeaderName[] = ["RateLimit", "RateLimit-Policy"];
const API_KEY = [{ apiKey: [] }];
const TAG = "Key-protected API";

const IDENTITY_DESCRIPTIONS: Record<(typeof IDENTITY_HEADERS)[number], string> = {
  "X-Api-Key-Id": "The key's id.",
  "X-Api-User-Id": "The id of the key's creator.",
  "X-Api-Org-Id": "The key's org.",
  "X-Api-Permissions": "The key's effective permissions (creator's current permissions ∩ scopes), space-separated.",
};

/** What the Worker adds to every request it forwards upstream (after removing any client `x-api-*` header). */
const UPSTREAM_REQUEST_HEADERS: Array<{ name: string; description: string }> = [
  ...IDENTITY_HEADERS.map((name) => ({ name, description: IDENTITY_DESCRIPTIONS[name] })),
  {
    name: ASSERTION_HEADER,
    description:
      `The same identity, signed: a compact ES256 JWT (header typ \`${ASSERTION_TYPE}\` and the signing key's kid) with iss (this Worker's origin), ` +
      "aud (`UPSTREAM_AUDIENCE`, else the origin of `UPSTREAM_URL`), sub (the key's creator), org, key_id, permissions, key_description and key_meta (only when the key has them: what its owner wrote about it, data and never a grant), htm and htu (this request's method, and its URL without the query), " +
      `iat, exp (iat + ${ASSERTION_LIFETIME_SECONDS} s) and a unique jti. Verify it with the key of its kid at \`/.well-known/jwks.json\`, check typ, aud, exp, htm and htu, then trust the claims (or the identity headers they match).`,
  },
  {
    name: "X-API-Key",
    description: "The verified key itself, only when UPSTREAM_FORWARD_HEADERS lists x-api-key.",
  },
];

const whoami = createRoute({
  method: "get",
  path: "/whoami",
  tags: [TAG],
  security: API_KEY,
  summary: "Check a key: who it is and what it may do",
  description: "Counts against the key's limits like any `/api` request. The rotation wizard and integrators use it to check a new key.",
  responses: {
    200: {
      description: "The key, its org and creator, its effective permissions and its rate-limit state.",
      headers: headerRefs(RATE_LIMIT_FIELDS),
      content: { "application/json": { schema: WhoamiResponse } },
    },
    ...problemResponses(KEY_CHECK_PROBLEMS),
  },
});

/**
 * `/api/{path}`, one definition for every method of {@link ANY_METHOD}. The forwarder is one
 * `all("*")` handler, so these are registered for the document only (`registerPath`).
 */
const forwarded = {
  path: "/{path}",
  tags: [TAG],
  security: API_KEY,
  summary: "Any other path: forwarded to UPSTREAM_URL",
  description:
    "Once the key is admitted, the request goes to `UPSTREAM_URL` with the path after `/api` appended (`UPSTREAM_URL=https://backend.internal/v2` makes `/api/deals/42` → `https://backend.internal/v2/deals/42`), with the same method, query and body. The key leaves the request (the header, and any key-shaped query value); every client header named `x-api-*`, the hop-by-hop headers, `Host`, and `Cookie` and `Authorization` unless `UPSTREAM_FORWARD_HEADERS` names them are dropped; then the Worker adds the identity headers listed below, which nothing a client sends can remove or replace.\n\n" +
    "`X-Api-Assertion` lets an upstream that is reachable some other way tell these headers from forged ones: verify it with the keys at `/.well-known/jwks.json` (see the table below for its claims).\n\n" +
    "Routes may require a permission of the key (in this repository's example, `/api/contacts` requires `contacts:read`).",
  request: {
    params: z.object({
      path: z.string().meta({ param: { description: "One or more path segments after /api/ (may contain /).", example: "contacts" } }),
    }),
  },
  responses: {
    default: {
      description:
        "The upstream's answer: its status, headers and body, without hop-by-hop headers and, unless UPSTREAM_FORWARD_SET_COOKIE is true, without Set-Cookie. The Worker adds RateLimit and RateLimit-Policy.",
      headers: headerRefs(RATE_LIMIT_FIELDS),
      content: { "*/*": {} },
    },
    ...problemResponses([
      "invalid_path",
      ...KEY_CHECK_PROBLEMS,
      ["forbidden", "The route requires a permission the key lacks."],
      ["not_found", "No UPSTREAM_URL is configured (answered after the key check)."],
      "upstream_unavailable",
    ]),
  },
  // For the upstream's developers: what arrives with a forwarded request (rendered by /docs).
  "x-upstream-request-headers": UPSTREAM_REQUEST_HEADERS,
} satisfies Omit<RouteConfig, "method">;

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
  const api = new OpenAPIHono<AppEnv>();
  // First: an unsafe path is refused before the key is looked at, so it costs no rate limit.
  api.use(upstreamPathGuard());
  api.use(apiKeyAuth());
  api.use(async function noStore(c, next) {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  });

  defineRoute(api, whoami, (c) => c.json(identityJson(c.var.apiKey, c.var.rateLimit, c.var.credits), 200));

  // The demo's route, not in the document: in production it answers as /api/{path} does.
  api.get("/contacts", requirePermission("contacts:read"), async (c) => {
    const { upstreamUrl, devLogin } = c.var.config;
    if (upstreamUrl) return forward(c, upstreamUrl);
    // Sample data exists only in the local-development entry (worker/dev.ts), and answers only with DEV_LOGIN.
    if (devLogin && options.sampleContacts) return c.json({ contacts: options.sampleContacts });
    throw new Failure("not_found", "No such route.");
  });

  for (const method of ANY_METHOD) api.openAPIRegistry.registerPath({ method, ...forwarded });
  api.all("*", async (c) => {
    const upstreamUrl = c.var.config.upstreamUrl;
    if (!upstreamUrl) throw new Failure("not_found", "No such route.");
    return forward(c, upstreamUrl);
  });
  return api;
}

const jwks = createRoute({
  method: "get",
  path: "/jwks.json",
  tags: ["Key verification"],
  security: [],
  summary: "Public keys that sign X-Api-Assertion",
  description:
    "A JSON Web Key Set (RFC 7517) of the ES256 public keys behind `X-Api-Assertion`, the signed identity every forwarded request carries: the public halves of `UPSTREAM_SIGNING_KEYS`, newest first. Pick the key by the assertion's `kid`; during a rotation the set holds the previous key too. Cacheable for 5 minutes (`Cache-Control: public, max-age=300`).",
  responses: {
    200: { description: "The key set.", content: { "application/json": { schema: JwksResponse } } },
    ...problemResponses([["not_found", "No UPSTREAM_SIGNING_KEYS is configured (nothing is signed, and nothing is forwarded)."]]),
  },
});

/**
 * `/.well-known/jwks.json`: the public keys upstreams verify `X-Api-Assertion` with
 * (`upstreamJwks`, edge/upstream-assertion.ts).
 *
 * @example
 * app.route("/.well-known", wellKnownRoutes());
 */
export function wellKnownRoutes() {
  const wellKnown = new OpenAPIHono<AppEnv>();
  defineRoute(wellKnown, jwks, upstreamJwks() as RouteHandler<typeof jwks, AppEnv>);
  return wellKnown;
}
