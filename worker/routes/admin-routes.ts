import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { userAuthorityFor } from "../authority/user-authority-client";
import { digestKey, digestsEqual } from "../crypto/hmac";
import { Failure } from "../errors/failure";
import { BODY_PROBLEMS } from "../http/json-body";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { problemResponses } from "../http/problem-docs";
import { requestOrigin } from "../http/request-origin";
import { defineRoute } from "../http/route-definition";
import { ExternalId } from "../schemas/text";
import { PutUserInput, UserResponse } from "../users/user-schemas";
import { effectivePolicy, type OrgPolicyRecord, type OrgPolicySettings, OrgPolicyStore, policyConflicts } from "../orgs/org-policy";
import { OrgPolicyResponse, type OrgPolicyView, PutOrgPolicyInput } from "../orgs/org-policy-schemas";
import type { Config } from "../config";
import { keyRefusalProblem } from "../http/outcome-problems";
import { KeyResponse, KeyTermsInput } from "../keys/key-schemas";
import { KeyService } from "../manage/key-service";
import { keyIdParam } from "./key-routes";
import { mountAdminWebhookRoutes } from "./webhook-routes";

/** A path id under the id rules; anything else names no org or user (404 with this message). */
function pathId(description: string, example: string) {
  return z
    .string()
    .refine((value) => ExternalId.safeParse(value).success, "No such org or user id.")
    .meta({ param: { description, example } });
}

/** Stamps the update on arrival, before its body is read: a request that arrives later wins, however its delivery races. */
const stampArrival = createMiddleware<{ Variables: { receivedAt: number } }>(async function stampArrival(c, next) {
  c.set("receivedAt", Date.now());
  await next();
});

const putUser = createRoute({
  method: "put",
  path: "/orgs/{orgId}/users/{userId}",
  tags: ["Admin"],
  security: [{ admin: [] }],
  summary: "Set a user's permissions and active flag",
  middleware: [stampArrival] as const,
  description:
    "Call it from the host backend when a user's permissions change or they leave: every key of the user follows on its very next request. Stamped on arrival; it applies unless a newer state (a later update, or a token issued later) is already in place. `active: false` deactivates the user.",
  request: {
    params: z.object({
      orgId: pathId("The org id, as in the tokens' org claim.", "org_acme"),
      userId: pathId("The user id, as in the tokens' sub claim.", "u_ada"),
    }),
    body: { required: true, content: { "application/json": { schema: PutUserInput, example: { permissions: ["contacts:read"], active: true } } } },
  },
  responses: {
    200: { description: "The user's state as it now stands.", content: { "application/json": { schema: UserResponse } } },
    ...problemResponses([
      ["unauthenticated", "The Authorization header does not carry ADMIN_API_TOKEN."],
      ["not_found", "The org or user id is not 1–255 printable ASCII characters."],
      ...BODY_PROBLEMS,
      ["limiter_unavailable", "The change is stored, but some of the user's keys could not be reached yet (retried every 10 s). Repeat the request to confirm."],
    ]),
  },
});

const orgParams = z.object({ orgId: pathId("The org id, as in the tokens' org claim.", "org_acme") });

const setKeyTerms = createRoute({
  method: "patch",
  path: "/orgs/{orgId}/keys/{id}",
  tags: ["Admin"],
  security: [{ admin: [] }],
  summary: "Set a key's rate limits and credits (the operator's plans)",
  description:
    "The host backend fits a key to the org's plan: its own rate limits (within the org's keyLimitCeiling) and its credits ({ remaining, refill? } sets the balance, { add } tops it up atomically, null lifts credits), with the semantics of PATCH /v1/keys/{id}. This is the only way to change them when the org's policy has keyTermsSetBy: operator (then members and the org's admins get 403 for limits and credits); a typical backend sets them when it receives the key.created webhook. Recorded as key.updated with actor admin_api. Only an active key of that org.",
  request: {
    params: z.object({
      orgId: pathId("The org id, as in the tokens' org claim.", "org_acme"),
      id: keyIdParam,
    }),
    body: {
      required: true,
      content: { "application/json": { schema: KeyTermsInput, example: { credits: { remaining: 10_000, refill: { amount: 10_000, interval: "month" } } } } },
    },
  },
  responses: {
    200: { description: "The key with its new terms.", content: { "application/json": { schema: KeyResponse } } },
    ...problemResponses([
      ["unauthenticated", "The Authorization header does not carry ADMIN_API_TOKEN."],
      ...BODY_PROBLEMS.filter((e) => e !== "validation_failed"),
      ["validation_failed", "A field is invalid or unknown, or neither is sent; limits above the org's ceiling (limits.N); a top-up of a key without credits (credits.add)."],
      ["not_found", "No key with that id in that org (another org's is answered exactly like a missing one)."],
      ["key_not_active", "The key is expired or revoked: only an active key can be edited."],
    ]),
  },
});

const getOrgPolicy = createRoute({
  method: "get",
  path: "/orgs/{orgId}/policy",
  tags: ["Admin"],
  security: [{ admin: [] }],
  summary: "Read an org's policies",
  description: "The org's own settings (null where it follows the deployment's default) and the policies as they apply. An org that never set anything answers its defaults.",
  request: { params: orgParams },
  responses: {
    200: { description: "The org's policies.", content: { "application/json": { schema: OrgPolicyResponse } } },
    ...problemResponses([
      ["unauthenticated", "The Authorization header does not carry ADMIN_API_TOKEN."],
      ["not_found", "The org id is not 1–255 printable ASCII characters."],
    ]),
  },
});

const putOrgPolicy = createRoute({
  method: "put",
  path: "/orgs/{orgId}/policy",
  tags: ["Admin"],
  security: [{ admin: [] }],
  summary: "Set an org's policies",
  middleware: [stampArrival] as const,
  description:
    "Replaces the org's policies with the body: an omitted or null field follows the deployment's default (LEAK_POLICY, MAX_KEY_LIFETIME_DAYS, MAX_ACTIVE_KEYS_PER_USER; the others unrestricted). Applies from the next request on (a leak report or a create arriving after this answer uses it); which policies also reach existing keys is documented per field in the README. A refused body (422, each field named) changes nothing. Stamped on arrival: of two racing updates, the one that arrived later stands.",
  request: {
    params: orgParams,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: PutOrgPolicyInput,
          example: { leakPolicy: "flag", requireExpiry: true, maxKeyLifetimeDays: 90, defaultExpiryDays: 30, maxActiveKeysPerUser: 10, membersMayCreateKeys: false, revokeUnusedAfterDays: 60 },
        },
      },
    },
  },
  responses: {
    200: { description: "The org's policies as they now stand.", content: { "application/json": { schema: OrgPolicyResponse } } },
    ...problemResponses([
      ["unauthenticated", "The Authorization header does not carry ADMIN_API_TOKEN."],
      ["not_found", "The org id is not 1–255 printable ASCII characters."],
      ...BODY_PROBLEMS.filter((e) => e !== "validation_failed"),
      ["validation_failed", "A field is invalid or unknown, or defaultExpiryDays exceeds the maximum lifetime (the org's, or MAX_KEY_LIFETIME_DAYS); errors lists each one."],
    ]),
  },
});

function orgPolicyView(record: OrgPolicyRecord, config: Config): OrgPolicyView {
  return {
    orgId: record.orgId,
    settings: record.settings,
    effective: effectivePolicy(record.settings, config),
    updatedAt: record.updatedAt === null ? null : new Date(record.updatedAt).toISOString(),
  };
}

/**
 * `/v1/admin`: the server-to-server API the host backend calls (bearer `ADMIN_API_TOKEN`) to
 * tell the Worker about a user's permissions and deactivation, and to set an org's policies. Each update is stamped when it
 * arrives and applies unless a newer state (a later update, or a token issued later) is already
 * in place; the response shows the user's state as it now stands.
 *
 * @example
 * app.route("/v1/admin", adminRoutes());
 */
export function adminRoutes() {
  const admin = new OpenAPIHono<AppEnv>();

  admin.use(async function requireAdminToken(c, next) {
    const expected = c.var.config.adminApiToken;
    const presented = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    if (!expected || !presented || !(await tokensEqual(presented, expected, c.var.config.keyHashSecret))) {
      throw new Failure("unauthenticated", "Send the admin API token as Authorization: Bearer <ADMIN_API_TOKEN>.", { realm: "api-keys-admin" });
    }
    await next();
  });

  defineRoute(admin, putUser, async (c) => {
    const stamp = c.var.receivedAt;
    const input = c.req.valid("json");
    const ref = c.req.valid("param");
    const { user, synced } = await userAuthorityFor(c.env, ref).adminUpdate(
      ref,
      { source: "admin_api", stamp, name: input.name, permissions: input.permissions, active: input.active },
      requestOrigin(c.req.raw),
    );
    if (!synced) {
      throw new Failure("limiter_unavailable", "The change is stored, but some of the user's keys could not be reached yet; they are retried every 10 s. Repeat the request to confirm.", {
        retryAfterSeconds: 10,
      });
    }
    return c.json(
      {
        user: { orgId: user.orgId, id: user.userId, name: user.name, permissions: user.permissions, active: user.active, updatedAt: new Date(user.version).toISOString() },
      },
      200,
    );
  });

  defineRoute(admin, getOrgPolicy, async (c) => {
    const { orgId } = c.req.valid("param");
    return c.json(orgPolicyView(await new OrgPolicyStore(c.env.DB).get(orgId), c.var.config), 200);
  });

  defineRoute(admin, putOrgPolicy, async (c) => {
    const { orgId } = c.req.valid("param");
    const input = c.req.valid("json");
    const settings: OrgPolicySettings = {
      leakPolicy: input.leakPolicy ?? null,
      requireExpiry: input.requireExpiry ?? null,
      maxKeyLifetimeDays: input.maxKeyLifetimeDays ?? null,
      defaultExpiryDays: input.defaultExpiryDays ?? null,
      maxActiveKeysPerUser: input.maxActiveKeysPerUser ?? null,
      // Stored shortest window first, so equal ceilings read back alike.
      keyLimitCeiling: input.keyLimitCeiling ? [...input.keyLimitCeiling].sort((a, b) => a.windowSeconds - b.windowSeconds) : null,
      membersMayCreateKeys: input.membersMayCreateKeys ?? null,
      revokeUnusedAfterDays: input.revokeUnusedAfterDays ?? null,
      keyTermsSetBy: input.keyTermsSetBy ?? null,
    };
    const errors = policyConflicts(settings, c.var.config);
    if (errors.length > 0) throw new Failure("validation_failed", "The request body has invalid fields.", { errors });
    const record = await new OrgPolicyStore(c.env.DB).put(orgId, settings, c.var.receivedAt);
    return c.json(orgPolicyView(record, c.var.config), 200);
  });

  defineRoute(admin, setKeyTerms, async (c) => {
    const { orgId, id } = c.req.valid("param");
    // The operator acts for the org: as its admin, it sees every key of the org and only those.
    const operator = { orgId, userId: "admin_api", name: null, permissions: [], isAdmin: true };
    const updated = await new KeyService(c.env, c.var.config).update(operator, id, c.req.valid("json"), requestOrigin(c.req.raw), "operator");
    if (!updated.ok) throw keyRefusalProblem(updated);
    return c.json({ key: updated.key }, 200);
  });

  mountAdminWebhookRoutes(admin);
  refuseOtherMethods(admin);
  return admin;
}

/** Compares digests of both tokens, so neither length nor content leaks through timing. */
async function tokensEqual(presented: string, expected: string, hashSecret: string): Promise<boolean> {
  return digestsEqual(await digestKey(presented, hashSecret), await digestKey(expected, hashSecret));
}
