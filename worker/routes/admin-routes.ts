import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { requestOrigin } from "../http/request-origin";
import { Failure } from "../errors/failure";
import { readJsonBody } from "../http/json-body";
import { methodNotAllowed } from "../http/method-not-allowed";
import { digestKey, digestsEqual } from "../crypto/hmac";
import { ExternalId } from "../schemas/text";
import { PutUserInput } from "../users/user-schemas";
import { userAuthorityFor } from "../authority/user-authority-client";

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
  const admin = new Hono<AppEnv>();

  admin.use(async function requireAdminToken(c, next) {
    const expected = c.var.config.adminApiToken;
    const presented = /^Bearer (.+)$/.exec(c.req.header("Authorization") ?? "")?.[1];
    if (!expected || !presented || !(await tokensEqual(presented, expected, c.var.config.keyHashSecret))) {
      throw new Failure("unauthenticated", "Send the admin API token as Authorization: Bearer <ADMIN_API_TOKEN>.", {
        headers: { "WWW-Authenticate": 'Bearer realm="api-keys-admin"' },
      });
    }
    await next();
  });

  admin.put("/orgs/:orgId/users/:userId", async (c) => {
    // Stamped on arrival: a request that arrives later wins, however its delivery races.
    const stamp = Date.now();
    const orgId = ExternalId.safeParse(c.req.param("orgId"));
    const userId = ExternalId.safeParse(c.req.param("userId"));
    if (!orgId.success || !userId.success) throw new Failure("not_found", "No such org or user id.");
    const input = await readJsonBody(c, PutUserInput);
    const ref = { orgId: orgId.data, userId: userId.data };
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
    return c.json({
      user: { orgId: user.orgId, id: user.userId, name: user.name, permissions: user.permissions, active: user.active, updatedAt: new Date(user.version).toISOString() },
    });
  });

  admin.all("/orgs/:orgId/users/:userId", methodNotAllowed("PUT"));
  return admin;
}

/** Compares digests of both tokens, so neither length nor content leaks through timing. */
async function tokensEqual(presented: string, expected: string, hashSecret: string): Promise<boolean> {
  return digestsEqual(await digestKey(presented, hashSecret), await digestKey(expected, hashSecret));
}
