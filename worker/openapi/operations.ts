import { z } from "zod";
import { EventListResponse } from "../audit/audit-schemas";
import type { FailureCode } from "../errors/failure";
import {
  CreatedKeyResponse,
  CreateKeyInput,
  KeyListResponse,
  KeyResponse,
  ListKeysQuery,
  PageQuery,
  RevokeKeyInput,
  RotatedKeyResponse,
  RotateKeyInput,
} from "../keys/key-schemas";
import { PutUserInput, UserResponse } from "../users/user-schemas";
import { HealthResponse, JwksResponse, WhoamiResponse } from "./edge-schemas";
import { VerifyInput, VerifyOutcome } from "./verify-contract";

/** How an operation is authenticated: a key of `components.securitySchemes`, or nothing. */
export type Security = "user" | "admin" | "apiKey" | "verifyToken" | "none";

/** An HTTP method as OpenAPI spells it. */
export type Method = "get" | "put" | "post" | "delete" | "options" | "head" | "patch";

/**
 * The methods documented for a route that takes any method (`/api/{path}`). TRACE is left out:
 * `fetch` refuses it, so it can never be forwarded.
 */
export const ANY_METHOD: readonly Method[] = ["get", "put", "post", "delete", "options", "head", "patch"];

/** A response header the document describes once, in `components.headers`. */
export type HeaderName = "RateLimit" | "RateLimit-Policy" | "Retry-After" | "WWW-Authenticate";

/** A documented non-problem response. */
export interface ResponseSpec {
  status: number | "default";
  description: string;
  /** Omitted for a body the document cannot describe (an upstream's answer). */
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
  headers?: HeaderName[];
}

/** A problem code the operation can answer, with an operation-specific meaning when the default is too vague. */
export type ProblemSpec = FailureCode | [code: FailureCode, meaning: string];

/** The operation groups, in the order the docs show them. */
export const TAGS = [
  { name: "Keys", description: "Manage the signed-in user's keys (an org admin's: the whole org's) with the host app's user token." },
  { name: "Audit", description: "What happened to keys and users, newest first." },
  { name: "Admin", description: "Server to server: the host backend tells the Worker about users, with ADMIN_API_TOKEN." },
  {
    name: "Key-protected API",
    description:
      "What integrations call with X-API-Key. Checks, cheapest first: the path, the client address's failed-attempt throttle, the key's format and checksum, its id tag, then one call to the key's Durable Object (status, expiry, the creator's active flag, the exact rate limits). Every admitted response carries RateLimit and RateLimit-Policy.",
  },
  {
    name: "Key verification",
    description:
      "For backends that receive keys themselves: check a key over HTTP, and verify the signed identity (X-Api-Assertion) that forwarded requests carry.",
  },
  { name: "Service", description: "Readiness and these docs." },
] as const;

export type Tag = (typeof TAGS)[number]["name"];

/** One documented operation. Zod schemas are the very ones the routes validate with, where the route has one. */
export interface Operation {
  /** `any`: every method in {@link ANY_METHOD}, documented as one operation each. */
  method: Method | "any";
  path: string;
  tag: Tag;
  summary: string;
  description?: string;
  security: Security;
  /** Description and example of each `{parameter}` of the path. */
  pathParameters?: Record<string, { description: string; example: string }>;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; required: boolean; example: unknown };
  responses: ResponseSpec[];
  errors: ProblemSpec[];
  /** Forwarded to `UPSTREAM_URL`: the document lists the headers the Worker adds upstream. */
  forwarded?: boolean;
}

const KEY_ID = { description: "The key's id (16 base62 characters, as in Key.id).", example: "xyTgkBnropzWXxy4" };

/** Errors every user-authenticated operation can answer. */
const SIGN_IN_ERRORS: ProblemSpec[] = ["unauthenticated", "user_deactivated", "identity_provider_unavailable"];
/** Errors of reading a JSON body. */
const BODY_ERRORS: ProblemSpec[] = ["malformed_json", "payload_too_large", "unsupported_media_type", "validation_failed"];
/** What the key check itself answers, on every `/api/*` operation. */
const KEY_CHECK_ERRORS: ProblemSpec[] = [
  "invalid_api_key",
  "api_key_revoked",
  "api_key_expired",
  ["user_deactivated", "The key's creator has been deactivated: none of their keys is admitted."],
  "rate_limited",
  "too_many_failed_attempts",
  "limiter_unavailable",
];
const NOT_FOUND_KEY: ProblemSpec = ["not_found", "No such key, or one you may not see (another org's is answered exactly like a missing one; another member's too unless you hold api_keys:admin)."];

/** The headers every response admitted by the key check carries. */
const RATE_LIMIT_FIELDS: HeaderName[] = ["RateLimit", "RateLimit-Policy"];

/**
 * Every documented operation, in the order the docs show them. test/worker/openapi-routes.test.ts
 * holds this list against the app's routes in both directions.
 *
 * @example
 * OPERATIONS.filter((op) => op.tag === "Keys").map((op) => `${op.method} ${op.path}`);
 */
export const OPERATIONS: Operation[] = [
  {
    method: "get", path: "/v1/keys", tag: "Keys", security: "user",
    summary: "List keys, newest first",
    description: "Your own keys; the whole org's if you hold `api_keys:admin`. Paginated: pass the previous page's `nextCursor` as `cursor`.",
    query: ListKeysQuery,
    responses: [{ status: 200, schema: KeyListResponse, description: "A page of keys." }],
    errors: ["invalid_cursor", ...SIGN_IN_ERRORS, ["validation_failed", "A query parameter is invalid or unknown; errors lists each one."]],
  },
  {
    method: "post", path: "/v1/keys", tag: "Keys", security: "user",
    summary: "Create a key",
    description: "The secret is in this response only (`Cache-Control: no-store`); only an HMAC digest of it is stored. The key works on its very first request.",
    body: { schema: CreateKeyInput, required: true, example: { name: "CRM Integration", expiresAt: "2027-03-01T00:00:00Z" } },
    responses: [{ status: 201, schema: CreatedKeyResponse, description: "The key and its secret." }],
    errors: [
      ...SIGN_IN_ERRORS,
      ...BODY_ERRORS.filter((e) => e !== "validation_failed"),
      ["validation_failed", "A field is invalid or unknown (an expiry in the past or beyond MAX_KEY_LIFETIME_DAYS, scopes you do not hold…); errors lists each one."],
      "active_key_limit",
    ],
  },
  {
    method: "get", path: "/v1/keys/{id}", tag: "Keys", security: "user",
    summary: "Read one key",
    description: "With its exact `lastUsedAt`, read from the key's Durable Object (the list's may lag up to a minute).",
    pathParameters: { id: KEY_ID },
    responses: [{ status: 200, schema: KeyResponse, description: "The key." }],
    errors: [...SIGN_IN_ERRORS, NOT_FOUND_KEY],
  },
  {
    method: "post", path: "/v1/keys/{id}/revoke", tag: "Keys", security: "user",
    summary: "Revoke a key",
    description: "At once: no request is admitted with the key once this has returned. Idempotent: revoking a revoked key returns it unchanged and records no new event. The body may be empty.",
    pathParameters: { id: KEY_ID },
    body: { schema: RevokeKeyInput, required: false, example: {} },
    responses: [{ status: 200, schema: KeyResponse, description: "The revoked key." }],
    errors: [...SIGN_IN_ERRORS, ...BODY_ERRORS, NOT_FOUND_KEY],
  },
  {
    method: "post", path: "/v1/keys/{id}/rotate", tag: "Keys", security: "user",
    summary: "Rotate a key",
    description:
      "Issues a successor with the same name, scopes, owner and lifetime; the old key keeps working for `graceSeconds` (never past its own expiry), or until revoked by hand when omitted. The successor belongs to the key's owner even when an admin rotates it. The body may be empty.",
    pathParameters: { id: KEY_ID },
    body: { schema: RotateKeyInput, required: false, example: { graceSeconds: 86400 } },
    responses: [{ status: 201, schema: RotatedKeyResponse, description: "The successor, its secret, and the old key." }],
    errors: [...SIGN_IN_ERRORS, "rotation_requires_owner", ...BODY_ERRORS, NOT_FOUND_KEY, "key_not_active", "active_key_limit"],
  },
  {
    method: "get", path: "/v1/audit-events", tag: "Audit", security: "user",
    summary: "List audit events, newest first",
    description:
      "Key and user events: your own; the whole org's if you hold `api_keys:admin`. `ip` and `userAgent` are null on events you did not perform yourself, unless you are an admin. Paginated like keys.",
    query: PageQuery,
    responses: [{ status: 200, schema: EventListResponse, description: "A page of events." }],
    errors: ["invalid_cursor", ...SIGN_IN_ERRORS, ["validation_failed", "A query parameter is invalid or unknown; errors lists each one."]],
  },
  {
    method: "put", path: "/v1/admin/orgs/{orgId}/users/{userId}", tag: "Admin", security: "admin",
    summary: "Set a user's permissions and active flag",
    description:
      "Call it from the host backend when a user's permissions change or they leave: every key of the user follows on its very next request. Stamped on arrival; it applies unless a newer state (a later update, or a token issued later) is already in place. `active: false` deactivates the user.",
    pathParameters: {
      orgId: { description: "The org id, as in the tokens' org claim.", example: "org_acme" },
      userId: { description: "The user id, as in the tokens' sub claim.", example: "u_ada" },
    },
    body: { schema: PutUserInput, required: true, example: { permissions: ["contacts:read"], active: true } },
    responses: [{ status: 200, schema: UserResponse, description: "The user's state as it now stands." }],
    errors: [
      ["unauthenticated", "The Authorization header does not carry ADMIN_API_TOKEN."],
      ["not_found", "The org or user id is not 1–255 printable ASCII characters."],
      ...BODY_ERRORS,
      ["limiter_unavailable", "The change is stored, but some of the user's keys could not be reached yet (retried every 10 s). Repeat the request to confirm."],
    ],
  },
  {
    method: "get", path: "/api/whoami", tag: "Key-protected API", security: "apiKey",
    summary: "Check a key: who it is and what it may do",
    description: "Counts against the key's limits like any `/api` request. The rotation wizard and integrators use it to check a new key.",
    responses: [{ status: 200, schema: WhoamiResponse, description: "The key, its org and creator, its effective permissions and its rate-limit state.", headers: RATE_LIMIT_FIELDS }],
    errors: KEY_CHECK_ERRORS,
  },
  {
    method: "any", path: "/api/{path}", tag: "Key-protected API", security: "apiKey", forwarded: true,
    summary: "Any other path: forwarded to UPSTREAM_URL",
    description:
      "Once the key is admitted, the request goes to `UPSTREAM_URL` with the path after `/api` appended (`UPSTREAM_URL=https://backend.internal/v2` makes `/api/deals/42` → `https://backend.internal/v2/deals/42`), with the same method, query and body. The key leaves the request (the header, and any key-shaped query value); every client header named `x-api-*`, the hop-by-hop headers, `Host`, and `Cookie` and `Authorization` unless `UPSTREAM_FORWARD_HEADERS` names them are dropped; then the Worker adds the identity headers listed below, which nothing a client sends can remove or replace.\n\n" +
      "`X-Api-Assertion` lets an upstream that is reachable some other way tell these headers from forged ones: verify it with the keys at `/.well-known/jwks.json` (see the table below for its claims).\n\n" +
      "Routes may require a permission of the key (in this repository's example, `/api/contacts` requires `contacts:read`).",
    pathParameters: { path: { description: "One or more path segments after /api/ (may contain /).", example: "contacts" } },
    responses: [
      {
        status: "default",
        description: "The upstream's answer: its status, headers and body, without hop-by-hop headers and, unless UPSTREAM_FORWARD_SET_COOKIE is true, without Set-Cookie. The Worker adds RateLimit and RateLimit-Policy.",
        contentType: "*/*",
        headers: RATE_LIMIT_FIELDS,
      },
    ],
    errors: [
      "invalid_path",
      ...KEY_CHECK_ERRORS,
      ["forbidden", "The route requires a permission the key lacks."],
      ["not_found", "No UPSTREAM_URL is configured (answered after the key check)."],
      "upstream_unavailable",
    ],
  },
  {
    method: "post", path: "/v1/verify", tag: "Key verification", security: "verifyToken",
    summary: "Verify a key from any backend",
    description:
      "The same check as `/api/*`, over HTTP, for backends that receive keys themselves (Workers can bind to the `KeyVerifier` entrypoint instead, with the same outcomes): an admitted key counts against its rate limits exactly like a request to `/api/*`. Every outcome, refusals included, is 200 with `valid` and `code`; only a problem with this call itself (token, body) is a problem response. The key is never echoed back, logged or stored.\n\n" +
      "Pass `clientAddress` so that invalid keys count against your client's failed-attempt throttle (a bucket of its own, apart from the addresses `/api/*` counts). The route exists only where `VERIFY_API_TOKEN` is set.",
    body: { schema: VerifyInput, required: true, example: { key: "ak_live_…", permission: "contacts:read", clientAddress: "203.0.113.7" } },
    responses: [{ status: 200, schema: VerifyOutcome, description: "The outcome: admitted with the key's identity and rate-limit state, or the reason for refusal. Cache-Control: no-store." }],
    errors: [
      ["unauthenticated", "The Authorization header does not carry VERIFY_API_TOKEN."],
      ["not_found", "VERIFY_API_TOKEN is not set: the route does not exist."],
      ...BODY_ERRORS,
    ],
  },
  {
    method: "get", path: "/.well-known/jwks.json", tag: "Key verification", security: "none",
    summary: "Public keys that sign X-Api-Assertion",
    description:
      "A JSON Web Key Set (RFC 7517) of the ES256 public keys behind `X-Api-Assertion`, the signed identity every forwarded request carries: the public halves of `UPSTREAM_SIGNING_KEYS`, newest first. Pick the key by the assertion's `kid`; during a rotation the set holds the previous key too. Cacheable for 5 minutes (`Cache-Control: public, max-age=300`).",
    responses: [{ status: 200, schema: JwksResponse, description: "The key set." }],
    errors: [["not_found", "No UPSTREAM_SIGNING_KEYS is configured (nothing is signed, and nothing is forwarded)."]],
  },
  {
    method: "get", path: "/healthz", tag: "Service", security: "none",
    summary: "Readiness",
    description:
      "Whether the Worker can serve: its configuration is usable and D1 answers with the migrated tables. It names the check that failed, never a setting's value; the Worker's log names each missing or unsafe setting. Answers even when the configuration is broken. `Cache-Control: no-store`.",
    responses: [
      { status: 200, schema: HealthResponse, description: "Ready: status is ok." },
      { status: 503, schema: HealthResponse, description: "Not ready: status is unavailable, and checks says which check failed." },
    ],
    errors: [],
  },
  {
    method: "get", path: "/v1/openapi.json", tag: "Service", security: "none",
    summary: "This OpenAPI 3.1 document",
    description: "Generated from the zod schemas the routes validate with.",
    responses: [
      {
        status: 200,
        schema: z.looseObject({ openapi: z.literal("3.1.0"), paths: z.record(z.string(), z.unknown()) }),
        description: "The OpenAPI document.",
      },
    ],
    errors: [],
  },
  {
    method: "get", path: "/docs", tag: "Service", security: "none",
    summary: "This reference, as HTML",
    description: "Rendered from the OpenAPI document by the Worker; it loads nothing else and runs no script.",
    responses: [{ status: 200, description: "The page.", contentType: "text/html" }],
    errors: [],
  },
];
