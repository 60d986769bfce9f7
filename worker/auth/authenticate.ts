import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { ExternalId, Permission } from "../schemas/text";
import { UserService } from "../users/user-service";
import { verifyJwt } from "./jwt-verify";
import { ADMIN_PERMISSION, type Principal } from "./principal";
import { requestOrigin } from "./request-origin";

/**
 * Signs in the host app's user from `Authorization: Bearer <JWT>`: verifies the token, takes org
 * and user only from its claims, refreshes the stored user, refuses deactivated users, and puts
 * the {@link Principal} on the context.
 *
 * @example
 * keys.use(authenticate());
 * keys.get("/", (c) => c.json(c.var.principal));
 */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async function authenticateHandler(c, next) {
    const config = c.var.config;
    const token = bearerToken(c.req.header("Authorization"));
    if (!token) throw unauthenticated("Send the signed-in user's token as Authorization: Bearer <JWT>.");
    const result = await verifyJwt(token, {
      hsSecret: config.jwtSecret,
      jwksUrl: config.jwksUrl,
      issuer: config.issuer,
      audience: config.audience,
      nowSeconds: Math.floor(Date.now() / 1000),
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
    const orgId = ExternalId.safeParse(claims[config.orgClaim]);
    if (!userId.success || !orgId.success) {
      throw unauthenticated(`The token must carry sub and ${config.orgClaim} claims.`);
    }
    const permissions = readPermissions(claims[config.permissionsClaim]);
    const name = typeof claims.name === "string" && claims.name.length <= 200 ? claims.name : null;
    const user = await new UserService(c.env).record(
      { orgId: orgId.data, id: userId.data, name, permissions },
      { type: "user", id: userId.data },
      requestOrigin(c.req.raw),
    );
    if (!user.active) throw new Failure("user_deactivated", "This user has been deactivated.");
    const principal: Principal = {
      orgId: orgId.data,
      userId: userId.data,
      name,
      permissions,
      isAdmin: permissions.includes(ADMIN_PERMISSION),
    };
    c.set("principal", principal);
    await next();
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header?.trim() ?? "");
  return match?.[1] ?? null;
}

/** Permissions that are not well-formed strings are dropped rather than trusted. */
function readPermissions(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const valid = value.filter((p): p is string => Permission.safeParse(p).success);
  return [...new Set(valid)].slice(0, 200);
}

function unauthenticated(detail: string): Failure {
  return new Failure("unauthenticated", detail, { headers: { "WWW-Authenticate": 'Bearer realm="api-keys"' } });
}
