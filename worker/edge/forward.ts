import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { parseApiKey } from "../keys/key-format";

/** Identity headers the Worker adds; the same headers sent by a client are removed first. */
export const IDENTITY_HEADERS = ["X-Api-Key-Id", "X-Api-User-Id", "X-Api-Org-Id", "X-Api-Permissions"] as const;

/**
 * Forwards a verified `/api/*` request to `UPSTREAM_URL`: the path after `/api` is appended to
 * it, the key leaves the request (header, and any key-shaped query value), client-sent identity
 * headers are dropped, and the Worker's own identity headers are added.
 *
 * @example
 * api.all("*", (c) => forward(c, c.var.config.upstreamUrl!));
 */
export async function forward(c: Context<AppEnv>, upstreamUrl: string): Promise<Response> {
  const incoming = new URL(c.req.url);
  const target = new URL(upstreamUrl.replace(/\/+$/, "") + incoming.pathname.replace(/^\/api/, ""));
  for (const [name, value] of incoming.searchParams) {
    if (!parseApiKey(value, c.var.config.keyPrefix)) target.searchParams.append(name, value);
  }
  const headers = new Headers(c.req.raw.headers);
  headers.delete("X-API-Key");
  headers.delete("Host");
  for (const name of IDENTITY_HEADERS) headers.delete(name);
  const identity = c.var.apiKey;
  headers.set("X-Api-Key-Id", identity.keyId);
  headers.set("X-Api-User-Id", identity.userId);
  headers.set("X-Api-Org-Id", identity.orgId);
  headers.set("X-Api-Permissions", identity.permissions.join(" "));
  const method = c.req.method;
  try {
    const upstream = await fetch(target, {
      method,
      headers,
      body: method === "GET" || method === "HEAD" ? undefined : c.req.raw.body,
      redirect: "manual",
    });
    return new Response(upstream.body, upstream);
  } catch (error) {
    console.error(`upstream unreachable: ${(error as Error).message}`);
    throw new Failure("upstream_unavailable", "The upstream service could not be reached.");
  }
}
