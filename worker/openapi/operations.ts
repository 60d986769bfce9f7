import { z } from "zod";
import { EventListResponse } from "../audit/audit-schemas";
import { DevSessionInput } from "../auth/dev-session-routes";
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

/** How an operation is authenticated. */
export type Security = "user" | "admin" | "none";

/** One documented operation. The schemas are the very ones the routes validate with. */
export interface Operation {
  method: "get" | "post" | "put";
  path: string;
  summary: string;
  security: Security;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: { status: number; schema: z.ZodType; description: string };
  errors: number[];
}

const KEY_ERRORS = [401, 403, 404, 422];
const WRITE_ERRORS = [400, 401, 403, 404, 409, 413, 415, 422];

/**
 * The management API's operations, in the order the docs show them.
 */
export const OPERATIONS: Operation[] = [
  {
    method: "get", path: "/v1/keys", summary: "List keys (your own; the org's for api_keys:admin), newest first",
    security: "user", query: ListKeysQuery, errors: [400, 401, 403, 422],
    success: { status: 200, schema: KeyListResponse, description: "A page of keys" },
  },
  {
    method: "post", path: "/v1/keys", summary: "Create a key; the secret is in this response only",
    security: "user", body: CreateKeyInput, errors: WRITE_ERRORS,
    success: { status: 201, schema: CreatedKeyResponse, description: "The key and its secret" },
  },
  {
    method: "get", path: "/v1/keys/{id}", summary: "Read one key, with its exact lastUsedAt",
    security: "user", errors: KEY_ERRORS,
    success: { status: 200, schema: KeyResponse, description: "The key" },
  },
  {
    method: "post", path: "/v1/keys/{id}/revoke", summary: "Revoke a key at once (idempotent)",
    security: "user", body: RevokeKeyInput, errors: WRITE_ERRORS,
    success: { status: 200, schema: KeyResponse, description: "The revoked key" },
  },
  {
    method: "post", path: "/v1/keys/{id}/rotate", summary: "Issue a successor; the old key works for graceSeconds",
    security: "user", body: RotateKeyInput, errors: WRITE_ERRORS,
    success: { status: 201, schema: RotatedKeyResponse, description: "The successor, its secret, and the old key" },
  },
  {
    method: "get", path: "/v1/audit-events", summary: "Audit events (your own; the org's for api_keys:admin), newest first",
    security: "user", query: PageQuery, errors: [400, 401, 403, 422],
    success: { status: 200, schema: EventListResponse, description: "A page of events" },
  },
  {
    method: "put", path: "/v1/admin/orgs/{orgId}/users/{userId}", summary: "Set a user's permissions and active flag (server to server)",
    security: "admin", body: PutUserInput, errors: [400, 401, 404, 413, 415, 422],
    success: { status: 200, schema: UserResponse, description: "The user as now recorded" },
  },
  {
    method: "get", path: "/v1/openapi.json", summary: "This OpenAPI 3.1 document",
    security: "none", errors: [],
    success: {
      status: 200,
      schema: z.looseObject({ openapi: z.literal("3.1.0"), paths: z.record(z.string(), z.unknown()) }),
      description: "The OpenAPI document of the management API",
    },
  },
  {
    method: "post", path: "/dev/session", summary: "Local development only (DEV_LOGIN=true, a loopback host, no AUTH_JWKS_URL): mint a short-lived user token",
    security: "none", body: DevSessionInput, errors: [404, 415, 422],
    success: {
      status: 200,
      schema: z.object({ token: z.string(), expiresAt: z.string() }),
      description: "A bearer token for the management API",
    },
  },
];
