// routes/: the /v1 management routes (keys, me, audit events, admin, verify), readiness, the element's
// module, and the local-development routes (/dev, the demo page), each defined once with its
// schemas and documentation. Floor: imports edge/, http/ and below.

import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { authenticate, SIGN_IN_PROBLEMS } from "../http/authenticate";
import { BODY_PROBLEMS } from "../http/json-body";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { keyRefusalProblem } from "../http/outcome-problems";
import { type ProblemSpec, problemResponses } from "../http/problem-docs";
import { requestOrigin } from "../http/request-origin";
import { defineRoute } from "../http/route-definition";
import {
  CreatedKeyResponse,
  CreateKeyInput,
  KeyListResponse,
  KeyResponse,
  KeyWithDrainResponse,
  ListKeysQuery,
  RevokeKeyInput,
  RotatedKeyResponse,
  RotateKeyInput,
  UpdateKeyInput,
} from "../keys/key-schemas";
import { KeyService } from "../manage/key-service";
import { readKeyUsage } from "../manage/key-usage";
import { KeyUsageResponse, UsageQuery } from "../keys/usage-schemas";

/** A key's id in a path. Not checked here: an id that names no key is the service's 404. */
export const keyIdParam = z.string().meta({ param: { description: "The key's id (16 base62 characters, as in Key.id).", example: "xyTgkBnropzWXxy4" } });

/** `{id}` of the key routes. */
const KeyIdPath = z.object({ id: keyIdParam });

const NOT_FOUND_KEY: ProblemSpec = [
  "not_found",
  "No such key, or one you may not see (another org's is answered exactly like a missing one; another member's too unless you hold api_keys:admin).",
];
const INVALID_QUERY: ProblemSpec = ["validation_failed", "A query parameter is invalid or unknown; errors lists each one."];
const USER = [{ user: [] }];

const listKeys = createRoute({
  method: "get",
  path: "/",
  tags: ["Keys"],
  security: USER,
  summary: "List keys, newest first",
  description:
    "Your own keys; the whole org's if you hold `api_keys:admin`. Paginated: pass the previous page's `nextCursor` as `cursor`. `canary=true` lists only canary keys, `canary=false` only the others.",
  request: { query: ListKeysQuery },
  responses: {
    200: { description: "A page of keys.", content: { "application/json": { schema: KeyListResponse } } },
    ...problemResponses(["invalid_cursor", ...SIGN_IN_PROBLEMS, INVALID_QUERY]),
  },
});

const createKey = createRoute({
  method: "post",
  path: "/",
  tags: ["Keys"],
  security: USER,
  summary: "Create a key",
  description:
    "The secret is in this response only (`Cache-Control: no-store`); only an HMAC digest of it is stored. The key works on its very first request. Its chain's Durable Object is created by that first request, near the integration, unless `region` places it now.",
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: CreateKeyInput, example: { name: "CRM Integration", expiresAt: "2027-03-01T00:00:00Z" } } },
    },
  },
  responses: {
    201: { description: "The key and its secret.", content: { "application/json": { schema: CreatedKeyResponse } } },
    ...problemResponses([
      ...SIGN_IN_PROBLEMS,
      ...BODY_PROBLEMS.filter((e) => e !== "validation_failed"),
      [
        "validation_failed",
        "A field is invalid or unknown (an expiry in the past or beyond the org's maximum lifetime, no expiry where the org requires one, scopes you do not hold, an allowedIps entry that is not an address or CIDR or has host bits set, more than 50 of them, a description over 500 characters, a meta that is not a JSON object or is over 4 KiB or 8 levels deep, a canary key with enabled: false or an allowlist…); errors lists each one (allowedIps.3: the fourth entry).",
      ],
      ["forbidden", "Your org's policy lets only its admins create keys (membersMayCreateKeys: false; GET /v1/org/policy)."],
      "active_key_limit",
      "storage_unavailable",
    ]),
  },
});

const getKey = createRoute({
  method: "get",
  path: "/{id}",
  tags: ["Keys"],
  security: USER,
  summary: "Read one key",
  description:
    "With its exact `lastUsedAt`, read from the key's Durable Object (the list's lags by up to 30 s); a key no request has used yet is read from D1 alone, so reading it never creates its object. For a rotated key, `drain` shows its grace period exactly, from the same object: its uses since the rotation, its last use, when the grace ends, and with graceUntilIdle when it ends if the key stays idle.",
  request: { params: KeyIdPath },
  responses: {
    200: { description: "The key, and its grace period if it was rotated.", content: { "application/json": { schema: KeyWithDrainResponse } } },
    ...problemResponses([...SIGN_IN_PROBLEMS, NOT_FOUND_KEY]),
  },
});

const keyUsage = createRoute({
  method: "get",
  path: "/{id}/usage",
  tags: ["Keys"],
  security: USER,
  summary: "A key's usage over time",
  description:
    "Counts of the key's requests in UTC-aligned buckets, oldest first, zeros included, and their totals: `admitted` (the limiter let the request through), `rateLimited` (429) and `refused` (the right secret of a revoked or expired key, of a deactivated creator's, or from outside the key's IP allowlist). A wrong secret is never counted against the key. Each key of a rotation counts its own requests. Kept by the key's Durable Object: minutes for 24 hours, hours for 30 days. A 429 that an edge location answered from memory is counted within about a second. Visible like the key itself.",
  request: { params: KeyIdPath, query: UsageQuery },
  responses: {
    200: { description: "The key's usage.", content: { "application/json": { schema: KeyUsageResponse } } },
    ...problemResponses([
      ...SIGN_IN_PROBLEMS,
      ["validation_failed", "window or resolution is invalid or unknown, or resolution is minute with a window other than 24h; errors lists each one."],
      NOT_FOUND_KEY,
      ["limiter_unavailable", "The key's Durable Object, which alone holds its usage, did not answer; Retry-After says when to try again."],
    ]),
  },
});

const updateKey = createRoute({
  method: "patch",
  path: "/{id}",
  tags: ["Keys"],
  security: USER,
  summary: "Rename, pause or resume a key, shorten its life, set its IP allowlist, description or meta",
  description:
    "Send `name`, `expiresAt`, `allowedIps`, `enabled`, `description`, `meta` or any of them together. `allowedIps` replaces the list (null or [] lifts it); `description` and `meta` replace what the key had (null removes it; meta is never merged). `enabled: false` pauses the key: once this returns, its right secret is refused with 401 `api_key_disabled` until `enabled: true` resumes it; each pause and resume that changes the key records `key.paused` / `key.resumed`. The expiry may only move earlier: never later, never removed (`null` is refused), at least one minute ahead; for a key without expiry any instant up to MAX_KEY_LIFETIME_DAYS ahead is earlier. At once: the key's next request sees the new name (`/api/whoami`), expiry and allowlist. Only an active key can be edited, by its owner or an org admin (as for revoke). Each edit that changes something records a `key.updated` event; one that changes nothing records none.",
  request: {
    params: KeyIdPath,
    body: { required: true, content: { "application/json": { schema: UpdateKeyInput, example: { name: "CRM Integration (EU)", enabled: false, meta: { plan: "pro" } } } } },
  },
  responses: {
    200: { description: "The edited key.", content: { "application/json": { schema: KeyResponse } } },
    ...problemResponses([
      ...SIGN_IN_PROBLEMS,
      ...BODY_PROBLEMS.filter((e) => e !== "validation_failed"),
      [
        "validation_failed",
        "A field is invalid or unknown, or none is sent (an expiry later than the key's, null, in the past, less than a minute ahead or beyond MAX_KEY_LIFETIME_DAYS; an allowedIps entry that is not an address or CIDR; a description or meta breaking the rules of create; enabled: false or an allowlist for a canary key…); errors lists each one.",
      ],
      NOT_FOUND_KEY,
      ["key_not_active", "The key is expired or revoked: only an active key can be edited."],
    ]),
  },
});

const revokeKey = createRoute({
  method: "post",
  path: "/{id}/revoke",
  tags: ["Keys"],
  security: USER,
  summary: "Revoke a key",
  description:
    "At once: no request is admitted with the key once this has returned. Idempotent: revoking a revoked key returns it unchanged (its first time and reason stand) and records no new event. The body may be empty, or give a `reason`: it is stored (the key's `revokedReason`) and is the `key.revoked` event's `detail.reason`.",
  request: {
    params: KeyIdPath,
    body: { required: false, content: { "application/json": { schema: RevokeKeyInput, example: { reason: "Integration retired" } } } },
  },
  responses: {
    200: { description: "The revoked key.", content: { "application/json": { schema: KeyResponse } } },
    ...problemResponses([
      ...SIGN_IN_PROBLEMS,
      ...BODY_PROBLEMS.filter((e) => e !== "validation_failed"),
      ["validation_failed", "reason is not 1–500 characters of text, or another field is sent; errors lists each one."],
      NOT_FOUND_KEY,
    ]),
  },
});

const rotateKey = createRoute({
  method: "post",
  path: "/{id}/rotate",
  tags: ["Keys"],
  security: USER,
  summary: "Rotate a key",
  description:
    "Issues a successor with the same name, scopes, owner, lifetime (capped by the org's policy as it is now) and IP allowlist; the old key keeps working for `graceSeconds` (never past its own expiry), or until revoked by hand when omitted. With `graceUntilIdle` (recommended) its grace also ends by itself once the successor has been used and the old key has been idle for `idleSeconds`; GET /v1/keys/{id} of the old key shows the drain. The successor belongs to the key's owner even when an admin rotates it. The body may be empty.",
  request: {
    params: KeyIdPath,
    body: { required: false, content: { "application/json": { schema: RotateKeyInput, example: { graceSeconds: 86400 } } } },
  },
  responses: {
    201: { description: "The successor, its secret, and the old key.", content: { "application/json": { schema: RotatedKeyResponse } } },
    ...problemResponses([
      ...SIGN_IN_PROBLEMS,
      "rotation_requires_owner",
      ...BODY_PROBLEMS,
      NOT_FOUND_KEY,
      ["key_not_active", "Only an active key that has not been rotated yet can be rotated, and never a canary key."],
      "active_key_limit",
    ]),
  },
});

/**
 * `/v1/keys`: list, create, read, edit, revoke and rotate keys for the signed-in user, and read
 * a key's usage.
 * Responses that carry a secret are `Cache-Control: no-store` (as is every `/v1` response).
 *
 * @example
 * app.route("/v1/keys", keyRoutes());
 */
export function keyRoutes() {
  const keys = new OpenAPIHono<AppEnv>();
  const service = (c: { env: Env; var: AppEnv["Variables"] }) => new KeyService(c.env, c.var.config);

  keys.use(authenticate());

  defineRoute(keys, listKeys, async (c) => {
    return c.json(await service(c).list(c.var.principal, c.req.valid("query")), 200);
  });

  defineRoute(keys, createKey, async (c) => {
    const created = await service(c).create(c.var.principal, c.req.valid("json"), requestOrigin(c.req.raw));
    if (!created.ok) throw keyRefusalProblem(created);
    return c.json({ key: created.key, secret: created.secret }, 201);
  });

  defineRoute(keys, getKey, async (c) => {
    const found = await service(c).get(c.var.principal, c.req.valid("param").id);
    if (!found.ok) throw keyRefusalProblem(found);
    return c.json({ key: found.key, drain: found.drain }, 200);
  });

  defineRoute(keys, keyUsage, async (c) => {
    const read = await readKeyUsage(c.env, c.var.principal, c.req.valid("param").id, c.req.valid("query"));
    if (!read.ok) throw keyRefusalProblem(read);
    return c.json(read.usage, 200);
  });

  defineRoute(keys, updateKey, async (c) => {
    const updated = await service(c).update(c.var.principal, c.req.valid("param").id, c.req.valid("json"), requestOrigin(c.req.raw));
    if (!updated.ok) throw keyRefusalProblem(updated);
    return c.json({ key: updated.key }, 200);
  });

  defineRoute(keys, revokeKey, async (c) => {
    const reason = c.req.valid("json")?.reason ?? null;
    const revoked = await service(c).revoke(c.var.principal, c.req.valid("param").id, requestOrigin(c.req.raw), reason);
    if (!revoked.ok) throw keyRefusalProblem(revoked);
    return c.json({ key: revoked.key }, 200);
  });

  defineRoute(keys, rotateKey, async (c) => {
    const input = c.req.valid("json");
    const rotated = await service(c).rotate(c.var.principal, c.req.valid("param").id, input.graceSeconds, requestOrigin(c.req.raw), input.graceUntilIdle);
    if (!rotated.ok) throw keyRefusalProblem(rotated);
    return c.json({ key: rotated.key, secret: rotated.secret, previous: rotated.previous }, 201);
  });

  refuseOtherMethods(keys);
  return keys;
}
