import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { type Config, ConfigError, userSignInProblem } from "../config";
import { Failure } from "../errors/failure";
import { type UserTokenPolicy, verifyUserToken } from "../auth/user-token";
import { recordSignIn } from "../manage/sign-in";
import type { Principal } from "../auth/principal";
import type { ProblemSpec } from "./problem-docs";
import { requestOrigin } from "./request-origin";

/** What signing a user in can answer, for the documented problems of every route behind {@link authenticate}. */
export const SIGN_IN_PROBLEMS: ProblemSpec[] = ["unauthenticated", "user_deactivated", "identity_provider_unavailable"];

/**
 * Signs in the host app's user from `Authorization: Bearer <JWT>` in two steps: verifying the
 * token (`verifyUserToken`, auth/user-token.ts: org and user only from its claims) and recording
 * what it says (`recordSignIn`, manage/sign-in.ts: the user's `UserAuthority` applies it only if
 * the token is newer than the state it holds, by `iat`). The request is then
 * decided by the user's effective state, not by the token alone: deactivated users are refused,
 * and permissions (`api_keys:admin`, or `AUTH_ADMIN_PERMISSION`, included) are the stored ones.
 * Org, permissions and name are read where the claim settings say (worker/auth/claims.ts).
 * Puts the {@link Principal} on the context.
 *
 * A deployment with neither `AUTH_JWT_SECRET` nor `AUTH_JWKS_URL` cannot verify any token, so
 * every request that signs a user in answers 500 `server_misconfigured` (the log says why)
 * instead of a 401 that blames the token; routes that need no user (`/api/*`) keep working.
 *
 * @example
 * keys.use(authenticate());
 * keys.get("/", (c) => c.json(c.var.principal));
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateHandler(c, next) {
    const config = c.var.config;
    const problem = userSignInProblem(config);
    if (problem) {
      console.error(`[${c.var.requestId}] configuration: ${problem}`);
      throw new ConfigError(problem);
    }
    const receivedAt = Date.now();
    const token = bearerToken(c.req.header("Authorization"));
    if (!token) throw unauthenticated("Send the signed-in user's token as Authorization: Bearer <JWT>.");
    const verified = await verifyUserToken(token, userTokenPolicy(config), receivedAt);
    if (!verified.ok) {
      if (verified.reason === "identity_provider_unavailable") {
        throw new Failure("identity_provider_unavailable", "The identity provider's signing keys could not be fetched.", {
          retryAfterSeconds: 5,
        });
      }
      throw unauthenticated(verified.detail);
    }
    const { identity } = verified;
    const user = await recordSignIn(c.env, identity, receivedAt, requestOrigin(c.req.raw));
    if (!user.active) throw new Failure("user_deactivated", "This user has been deactivated.");
    const principal: Principal = {
      orgId: identity.orgId,
      userId: identity.userId,
      name: user.name,
      permissions: user.permissions,
      isAdmin: user.permissions.includes(config.adminPermission),
    };
    c.set("principal", principal);
    await next();
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header?.trim() ?? "");
  return match?.[1] ?? null;
}

/** The token settings of the deployment, as auth/ takes them (it never reads Config). */
function userTokenPolicy(config: Config): UserTokenPolicy {
  const { jwtSecret, jwksUrl, issuer, audience, orgClaim, nameClaim, permissionsClaim } = config;
  return { hsSecret: jwtSecret, jwksUrl, issuer, audience, orgClaim, nameClaim, permissionsClaim };
}

function unauthenticated(detail: string): Failure {
  return new Failure("unauthenticated", detail, { realm: "api-keys" });
}
