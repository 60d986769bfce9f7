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

/**
 * `/v1/admin`: the server-to-server API the host backend calls (bearer `ADMIN_API_TOKEN`) to
 * tell the Worker about a user's permissions and deactivation. Each update is stamped when it
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

  mountAdminWebhookRoutes(admin);
  refuseOtherMethods(admin);
  return admin;
}

/** Compares digests of both tokens, so neither length nor content leaks through timing. */
async function tokensEqual(presented: string, expected: string, hashSecret: string): Promise<boolean> {
  return digestsEqual(await digestKey(presented, hashSecret), await digestKey(expected, hashSecret));
}
