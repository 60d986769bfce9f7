import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../../worker/dev";
import type { KeyView } from "../../../worker/keys/key-schemas";
import { mintToken, TEST_JWT_SECRET } from "./jwt";

/** A test user: every test makes its own, so tests of one file never share data. */
export interface TestUser {
  orgId: string;
  userId: string;
  name: string;
  permissions: string[];
  token: string;
}

export interface CallOptions {
  token?: string | null;
  /** Serialised as JSON with Content-Type application/json. */
  json?: unknown;
  /** A raw body, sent as is. */
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Overrides of the Worker's env for this call (configuration variants, instrumented bindings). */
  env?: { [K in keyof Env]?: Env[K] | undefined };
}

let counter = 0;

/** A unique suffix for ids in one test run. */
export function unique(label: string): string {
  counter += 1;
  return `${label}_${Date.now().toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Signs a user in with an HS256 token like the host app would issue, issued now (`iat`) unless
 * `issuedAt` (epoch seconds) says otherwise. A token's claims replace the stored user's only when
 * it was issued after the state applied last: a refreshed token in the same second needs a
 * later `issuedAt`.
 *
 * @example
 * const alice = await user({ permissions: ["contacts:read"] });
 */
export async function user(
  options: { orgId?: string; userId?: string; name?: string; permissions?: string[]; issuedAt?: number } = {},
): Promise<TestUser> {
  const orgId = options.orgId ?? unique("org");
  const userId = options.userId ?? unique("user");
  const name = options.name ?? `User ${userId}`;
  const permissions = options.permissions ?? ["contacts:read", "contacts:write"];
  const now = Math.floor(Date.now() / 1000);
  const token = await mintToken({
    claims: { sub: userId, org_id: orgId, name, permissions, iat: options.issuedAt ?? now, exp: now + 600 },
    hsSecret: TEST_JWT_SECRET,
  });
  return { orgId, userId, name, permissions, token };
}

/**
 * The same user's next token, issued one second after now so it outranks every earlier one.
 *
 * @example
 * const demoted = await refreshed(alice, { permissions: [] });
 */
export function refreshed(previous: TestUser, changes: { name?: string; permissions?: string[] } = {}): Promise<TestUser> {
  return user({
    orgId: previous.orgId,
    userId: previous.userId,
    name: changes.name ?? previous.name,
    permissions: changes.permissions ?? previous.permissions,
    issuedAt: Math.floor(Date.now() / 1000) + 1,
  });
}

/** An org admin (`api_keys:admin`) in the given org. */
export function admin(orgId: string): Promise<TestUser> {
  return user({ orgId, permissions: ["api_keys:admin", "contacts:read", "contacts:write"] });
}

/**
 * Sends a request through the Worker's real fetch handler (real D1, real Durable Objects) and
 * waits for its `waitUntil` work.
 *
 * @example
 * const res = await call("POST", "/v1/keys", { token: alice.token, json: { name: "CRM" } });
 */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  // Cloudflare sets the client address on every request. Each call gets its own unless a test
  // names one, so the failed-auth throttle (per address) only meets the tests that aim at it.
  if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", randomAddress());
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  const request = new Request(`http://127.0.0.1:8787${path}`, { method, headers, body });
  const ctx = createExecutionContext();
  const testEnv = options.env ? ({ ...env, ...options.env } as Env) : env;
  const response = await worker.fetch(request, testEnv, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** A random address from the IPv6 documentation range (2001:db8::/32). */
export function randomAddress(): string {
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(6)), (n) => n.toString(16));
  return `2001:db8:${groups.join(":")}`;
}

/** The test deployment's ADMIN_API_TOKEN (test/vitest.config.ts): the host backend's admin API. */
export const ADMIN_TOKEN = "test-admin-token-0123456789abcdef0123";

/**
 * Sets a user's state through the admin API, as the host backend would.
 *
 * @example
 * await putUser(alice.orgId, alice.userId, { permissions: [], active: false });
 */
export function putUser(orgId: string, userId: string, json: unknown): Promise<Response> {
  return call("PUT", `/v1/admin/orgs/${orgId}/users/${userId}`, { token: ADMIN_TOKEN, json });
}

/** Creates a key for a user and returns the parsed 201 body. */
export async function createKey(
  owner: TestUser,
  input: {
    name?: string;
    expiresAt?: string | null;
    scopes?: string[];
    allowedIps?: string[] | null;
    enabled?: boolean;
    description?: string | null;
    meta?: Record<string, unknown> | null;
    canary?: boolean;
    limits?: Array<{ name: string; limit: number; windowSeconds: number }>;
    credits?: { remaining: number; refill?: { amount: number; interval: "day" | "month" } | null } | null;
  } = {},
): Promise<{ key: KeyJson; secret: string }> {
  const res = await call("POST", "/v1/keys", { token: owner.token, json: { name: input.name ?? unique("key"), ...input } });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The API's Key object as tests read it: the very type the response schema defines. */
export type KeyJson = KeyView;

/** A snapshot of every row of the tables a bad request must not change. */
export async function snapshotTables(): Promise<string> {
  const tables = ["api_keys", "users", "audit_events"];
  const rows = await Promise.all(tables.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
  return JSON.stringify(rows.map((r) => r.results));
}

/**
 * Calls the key-protected API with a key in `X-API-Key`.
 *
 * @example
 * const res = await useKey(secret); // GET /api/whoami
 */
export function useKey(secret: string | null, path = "/api/whoami", options: Omit<CallOptions, "token"> = {}): Promise<Response> {
  const headers = { ...options.headers, ...(secret === null ? {} : { "X-API-Key": secret }) };
  return call("GET", path, { ...options, headers });
}
