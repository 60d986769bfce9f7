import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { isLoopbackHostname } from "../config";
import { Failure } from "../errors/failure";
import { readJsonBody } from "../http/json-body";
import { displayName, ExternalId, PermissionList } from "../schemas/text";
import { signHs256 } from "./jwt-sign";

/** Lifetime of a development token. */
const DEV_TOKEN_SECONDS = 3600;

export const DevSessionInput = z.strictObject({
  userId: ExternalId,
  orgId: ExternalId,
  name: displayName(100, "Name").optional(),
  permissions: PermissionList.optional(),
});

/**
 * `POST /dev/session`: mints a short-lived HS256 token for any user, so the demo page and curl
 * can sign in locally. It exists only where `DEV_LOGIN` is `"true"` (the generated `.dev.vars`),
 * the request is addressed to a loopback host (localhost, 127.0.0.1, [::1]) and no
 * `AUTH_JWKS_URL` is set; everywhere else the path is an ordinary 404.
 *
 * @example
 * app.route("/dev", devSessionRoutes());
 */
export function devSessionRoutes() {
  const dev = new Hono<AppEnv>();
  dev.post("/session", async (c) => {
    const config = c.var.config;
    if (!devLoginAllowed(c)) throw new Failure("not_found", "No such route.");
    if (!config.jwtSecret) throw new Failure("server_misconfigured", "DEV_LOGIN needs AUTH_JWT_SECRET.");
    const input = await readJsonBody(c, DevSessionInput);
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      sub: input.userId,
      [config.orgClaim]: input.orgId,
      [config.permissionsClaim]: input.permissions ?? [],
      name: input.name,
      iat: now,
      exp: now + DEV_TOKEN_SECONDS,
    };
    if (config.issuer) claims.iss = config.issuer;
    if (config.audience) claims.aud = config.audience;
    const token = await signHs256(claims, config.jwtSecret);
    return c.json({ token, expiresAt: new Date((now + DEV_TOKEN_SECONDS) * 1000).toISOString() });
  });
  return dev;
}

// A deployment that signs in through an identity provider, or a request that reached us from
// beyond this machine, must never be able to mint tokens, even with DEV_LOGIN left on by mistake.
// The refusal is logged so that whoever turned DEV_LOGIN on can see why the route is missing.
function devLoginAllowed(c: Context<AppEnv>): boolean {
  const config = c.var.config;
  if (!config.devLogin) return false;
  if (config.jwksUrl) {
    console.error(`[${c.var.requestId}] configuration: DEV_LOGIN is ignored because AUTH_JWKS_URL is set`);
    return false;
  }
  const hostname = new URL(c.req.url).hostname;
  if (!isLoopbackHostname(hostname)) {
    console.warn(`[${c.var.requestId}] DEV_LOGIN: POST /dev/session refused for non-loopback host ${hostname}`);
    return false;
  }
  return true;
}
