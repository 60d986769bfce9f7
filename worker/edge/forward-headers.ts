import type { ForwardableCredential } from "../config";
import type { KeyIdentity } from "../authority/key-authority";
import { ASSERTION_HEADER } from "./upstream-assertion";

/**
 * Identity headers the Worker adds; anything a client sends under an `x-api-` name is removed
 * first. `X-Api-Assertion` (`ASSERTION_HEADER`, worker/edge/upstream-assertion.ts) signs them.
 */
export const IDENTITY_HEADERS = ["X-Api-Key-Id", "X-Api-User-Id", "X-Api-Org-Id", "X-Api-Permissions"] as const;

/** Hop-by-hop headers (RFC 9110 §7.6.1, plus the de-facto `keep-alive` and `proxy-connection`), normalised. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Client credentials passed upstream only when `UPSTREAM_FORWARD_HEADERS` names them. */
const CLIENT_CREDENTIALS: ReadonlySet<string> = new Set<ForwardableCredential>(["cookie", "authorization"]);
const SET_COOKIE_HEADERS: ReadonlySet<string> = new Set(["set-cookie", "set-cookie2"]);

/**
 * A header name as lenient backends read it: lowercase, `_` as `-` (CGI, PHP, Rack and many
 * proxies map both `X-Api-User-Id` and `X_Api_User_Id` to `HTTP_X_API_USER_ID`).
 *
 * @example
 * normalizeHeaderName("X_Api_User_Id"); // "x-api-user-id"
 */
export function normalizeHeaderName(name: string): string {
  return name.toLowerCase().replaceAll("_", "-");
}

/**
 * The normalised names every `Connection` value lists (all values, comma-separated tokens).
 *
 * @example
 * connectionListed(new Headers({ Connection: "close, X_Tenant" })); // Set { "close", "x-tenant" }
 */
export function connectionListed(headers: Headers): Set<string> {
  const listed = new Set<string>();
  for (const [name, value] of headers) {
    if (normalizeHeaderName(name) !== "connection") continue;
    for (const token of value.split(",")) {
      const trimmed = token.trim();
      if (trimmed) listed.add(normalizeHeaderName(trimmed));
    }
  }
  return listed;
}

/** What the Worker adds to a forwarded request after stripping the client's headers. */
export interface UpstreamAdditions {
  identity: KeyIdentity;
  /** The verified key, sent as `X-API-Key` only when `x-api-key` is in {@link UpstreamRequestOptions.forward}. */
  apiKey: string;
  /** The signed identity (an ES256 JWT), sent as `X-Api-Assertion`. */
  assertion: string;
}

export interface UpstreamRequestOptions {
  /** `config.upstreamForwardHeaders`. */
  forward: ReadonlySet<ForwardableCredential>;
}

/**
 * The headers of a forwarded request. From the client's headers it drops, comparing normalised
 * names: every `x-api-*` header, hop-by-hop headers and the ones `Connection` lists, `Host`,
 * `Cookie` and `Authorization` unless configured, and every header whose name collides with
 * another's (`X-Tenant` next to `X_Tenant`: which one a backend reads is anyone's guess). Then it
 * sets the Worker's own identity headers and their signed assertion, and `X-API-Key` with the
 * verified key when configured; nothing the client sent can remove or replace those.
 *
 * @example
 * const headers = upstreamRequestHeaders(c.req.raw.headers, { identity, apiKey, assertion }, { forward: config.upstreamForwardHeaders });
 */
export function upstreamRequestHeaders(client: Headers, add: UpstreamAdditions, options: UpstreamRequestOptions): Headers {
  const connection = connectionListed(client);
  const seen = new Map<string, number>();
  for (const [name] of client) {
    const normalized = normalizeHeaderName(name);
    seen.set(normalized, (seen.get(normalized) ?? 0) + 1);
  }
  const headers = new Headers();
  for (const [name, value] of client) {
    const normalized = normalizeHeaderName(name);
    if (seen.get(normalized)! > 1) continue;
    if (normalized.startsWith("x-api-") || normalized === "host") continue;
    if (HOP_BY_HOP_HEADERS.has(normalized) || connection.has(normalized)) continue;
    if (CLIENT_CREDENTIALS.has(normalized) && !options.forward.has(normalized as ForwardableCredential)) continue;
    headers.append(name, value);
  }
  const { identity } = add;
  headers.set("X-Api-Key-Id", identity.keyId);
  headers.set("X-Api-User-Id", identity.userId);
  headers.set("X-Api-Org-Id", identity.orgId);
  headers.set("X-Api-Permissions", identity.permissions.join(" "));
  headers.set(ASSERTION_HEADER, add.assertion);
  if (options.forward.has("x-api-key")) headers.set("X-API-Key", add.apiKey);
  return headers;
}

/**
 * Strips an upstream response's headers in place before it reaches the client: hop-by-hop
 * headers, the ones the upstream's `Connection` lists, and `Set-Cookie` unless `forwardSetCookie`
 * (names compared normalised, so `Set_Cookie` goes too).
 *
 * @example
 * stripUpstreamResponseHeaders(response.headers, { forwardSetCookie: config.upstreamForwardSetCookie });
 */
export function stripUpstreamResponseHeaders(headers: Headers, options: { forwardSetCookie: boolean }): void {
  const connection = connectionListed(headers);
  const doomed = new Set<string>();
  for (const [name] of headers) {
    const normalized = normalizeHeaderName(name);
    if (HOP_BY_HOP_HEADERS.has(normalized) || connection.has(normalized)) doomed.add(name);
    else if (SET_COOKIE_HEADERS.has(normalized) && !options.forwardSetCookie) doomed.add(name);
  }
  for (const name of doomed) headers.delete(name);
}
