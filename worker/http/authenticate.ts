import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { ConfigError, userSignInProblem } from "../config";
import { Failure } from "../errors/failure";
import { displayName, ExternalId } from "../schemas/text";
import { userAuthorityFor } from "../authority/user-authority-client";
import { tokenStamp } from "../users/user-state";
import { readClaim, readPermissionList } from "../auth/claims";
import { verifyJwt } from "../auth/jwt-verify";
import type { Principal } from "../auth/principal";
import type { ProblemSpec } from "./problem-docs";
import { requestOrigin } from "./request-origin";

/** What signing a user in can answer, for the documented problems of every route behind {@link authenticate}. */
export const SIGN_IN_PROBLEMS: ProblemSpec[] = ["unauthenticated", "user_deactivated", "identity_provider_unavailable"];

/**
 * Signs in the host app's user from `Authorization: Bearer <JWT>`: verifies the token, takes org
 * and user only from its claims, and hands the claims to the user's `UserAuthority`, which
 * applies them only if the token is newer than the state it holds (`iat`). The request is then
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
    const result = await verifyJwt(token, {
      hsSecret: config.jwtSecret,
      jwksUrl: config.jwksUrl,
      issuer: config.issuer,
      audience: config.audience,
      nowSeconds: Math.floor(receivedAt / 1000),
    });
    if (!result.ok) {
      if (result.reason === "jwks_unavailable") {
        throw new Failure("identity_provider_unavailable", "The identity provider's signing keys could not be fetched.", {
          retryAfterSeconds: 5,
        });
      }
      throw unauthenticated(`The bearer token was refused (${result.reason.replace(/_/g, " ")}).`);
    }
    const claims = result.claims;
    const userId = ExternalId.safeParse(claims.sub);
    const orgId = ExternalId.safeParse(readClaim(claims, config.orgClaim));
    if (!userId.success || !orgId.success) {
      throw unauthenticated(`The token must carry sub and ${config.orgClaim} claims.`);
    }
    const ref = { orgId: orgId.data, userId: userId.data };
    const stamp = tokenStamp(claims.iat, receivedAt);
    const update = stamp === null
      ? null
      : {
          source: "token" as const,
          stamp,
          name: readName(readClaim(claims, config.nameClaim)),
          permissions: readPermissionList(readClaim(claims, config.permissionsClaim)),
        };
    const user = await userAuthorityFor(c.env, ref).signIn(ref, update, requestOrigin(c.req.raw));
    if (!user.active) throw new Failure("user_deactivated", "This user has been deactivated.");
    const principal: Principal = {
      orgId: ref.orgId,
      userId: ref.userId,
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

const NameClaim = displayName(64, "Name");

/** The `name` claim under the key-name rules (trimmed, NFC, visible, ≤ 64), else null. */
function readName(value: unknown): string | null {
  const parsed = NameClaim.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function unauthenticated(detail: string): Failure {
  return new Failure("unauthenticated", detail, { realm: "api-keys" });
}
