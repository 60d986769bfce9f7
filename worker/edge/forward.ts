import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { parseApiKey } from "../keys/key-format";
import { stripUpstreamResponseHeaders, upstreamRequestHeaders } from "./forward-headers";
import { signAssertion } from "./upstream-assertion";
import { assertSafeUpstreamPath } from "./upstream-path";


/**
 * Forwards a verified `/api/*` request to `UPSTREAM_URL`: the path after `/api` is appended to
 * it (unsafe paths are refused, see `unsafePathReason`), the key leaves the request (header, and
 * any key-shaped query value), the headers are stripped as `upstreamRequestHeaders` says and the
 * Worker's own identity headers added, signed by `X-Api-Assertion` (an ES256 JWT for this
 * upstream and this request, valid 60 s). The answer comes back without hop-by-hop headers and,
 * unless configured, without `Set-Cookie`.
 *
 * @example
 * api.all("*", (c) => forward(c, c.var.config.upstreamUrl!));
 */
export async function forward(c: Context<AppEnv>, upstreamUrl: string): Promise<Response> {
  const config = c.var.config;
  const incoming = new URL(c.req.url);
  // The /api/* middleware has refused these already; checked again so no other caller can skip it.
  assertSafeUpstreamPath(incoming.pathname);
  const target = new URL(upstreamUrl.replace(/\/+$/, "") + incoming.pathname.replace(/^\/api/, ""));
  for (const [name, value] of incoming.searchParams) {
    if (!parseApiKey(value, config.keyPrefix)) target.searchParams.append(name, value);
  }
  const method = c.req.method;
  const assertion = await signAssertion(c.var.apiKey, { config, issuer: incoming.origin, method, url: target });
  const headers = upstreamRequestHeaders(
    c.req.raw.headers,
    { identity: c.var.apiKey, apiKey: c.req.header("X-API-Key") ?? "", assertion },
    { forward: config.upstreamForwardHeaders },
  );
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" ? undefined : c.req.raw.body,
      redirect: "manual",
    });
  } catch (error) {
    console.error(`upstream unreachable: ${(error as Error).message}`);
    throw new Failure("upstream_unavailable", "The upstream service could not be reached.");
  }
  const response = new Response(upstream.body, upstream);
  stripUpstreamResponseHeaders(response.headers, { forwardSetCookie: config.upstreamForwardSetCookie });
  return response;
}
