import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { type Config, ConfigError, isLoopbackHostname } from "../config";
import { Failure } from "../errors/failure";
import { readJsonBody } from "../http/json-body";
import { displayName, ExternalId, PermissionList } from "../schemas/text";
import { writeClaim } from "../auth/claims";
import { devSigningKey } from "../auth/dev-signing-key";
import { signEs256, signHs256 } from "../auth/jwt-sign";

/** Lifetime of a development token. */
const DEV_TOKEN_SECONDS = 3600;

export const DevSessionInput = z.strictObject({
  userId: ExternalId,
  orgId: ExternalId,
  name: displayName(100, "Name").optional(),
  permissions: PermissionList.optional(),
});

/**
 * Local sign-in, mounted only by worker/dev.ts and answering only where `DEV_LOGIN` is `"true"`
 * (the generated `.dev.vars`), the request is addressed to a loopback host (localhost,
 * 127.0.0.1, [::1]) and `AUTH_JWKS_URL` is unset or on a loopback host too; everywhere else
 * both paths are an ordinary 404.
 *
 * - `POST /dev/session` mints a one-hour token for any user, shaped by the claim settings
 *   (`AUTH_ORG_CLAIM="o.id"` nests the org as the verifier reads it). With `AUTH_JWKS_URL` set
 *   (JWKS mode) it is ES256 under the dev key's kid, else HS256 with `AUTH_JWT_SECRET`.
 * - `GET /dev/jwks.json` publishes the dev key, so `AUTH_JWKS_URL=http://127.0.0.1:8787/dev/jwks.json`
 *   runs the RS256/ES256 path (download, cache, kid lookup, signature) locally.
 *
 * @example
 * app.route("/dev", devSessionRoutes());
 */
export function devSessionRoutes() {
  const dev = new Hono<AppEnv>();
  dev.post("/session", async (c) => {
    if (!devLoginAllowed(c)) throw new Failure("not_found", "No such route.");
    const config = c.var.config;
    const sign = signerFor(config);
    const input = await readJsonBody(c, DevSessionInput);
    const now = Math.floor(Date.now() / 1000);
    const token = await sign(sessionClaims(config, input, now));
    return c.json({ token, expiresAt: new Date((now + DEV_TOKEN_SECONDS) * 1000).toISOString() });
  });
  dev.get("/jwks.json", async (c) => {
    if (!devLoginAllowed(c)) throw new Failure("not_found", "No such route.");
    const { jwks } = await devSigningKey();
    // A restarted Worker has a new key: nothing may keep serving the old one.
    return c.json(jwks, 200, { "Cache-Control": "no-store" });
  });
  return dev;
}

type Signer = (claims: Record<string, unknown>) => Promise<string>;

function signerFor(config: Config): Signer {
  if (config.jwksUrl) {
    return async (claims) => {
      const { kid, privateKey } = await devSigningKey();
      return signEs256(claims, privateKey, kid);
    };
  }
  const secret = config.jwtSecret;
  if (secret) return (claims) => signHs256(claims, secret);
  throw new ConfigError("DEV_LOGIN needs AUTH_JWT_SECRET, or AUTH_JWKS_URL set to this Worker's /dev/jwks.json");
}

function sessionClaims(config: Config, input: z.infer<typeof DevSessionInput>, now: number): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const placed =
    writeClaim(claims, config.orgClaim, input.orgId) &&
    writeClaim(claims, config.permissionsClaim, input.permissions ?? []) &&
    (input.name === undefined || writeClaim(claims, config.nameClaim, input.name));
  if (!placed) {
    throw new ConfigError("AUTH_ORG_CLAIM, AUTH_PERMISSIONS_CLAIM and AUTH_NAME_CLAIM must name claims that do not contain one another");
  }
  // Last, so a claim setting can never displace the registered claims.
  Object.assign(claims, { sub: input.userId, iat: now, exp: now + DEV_TOKEN_SECONDS });
  if (config.issuer) claims.iss = config.issuer;
  if (config.audience) claims.aud = config.audience;
  return claims;
}

/**
 * Whether a local-development route may answer this request. A deployment that signs in through
 * a real identity provider, or a request that reached us from beyond this machine, must never be
 * able to mint tokens (or reach any other `/dev` route), even with DEV_LOGIN left on by mistake.
 * A loopback AUTH_JWKS_URL is local development's JWKS mode: it can only ever reach a key set on
 * the developer's own machine. The refusal is logged so that whoever turned DEV_LOGIN on can see
 * why the route is missing.
 *
 * @example
 * if (!devLoginAllowed(c)) throw new Failure("not_found", "No such route.");
 */
export function devLoginAllowed(c: Context<AppEnv>): boolean {
  const config = c.var.config;
  if (!config.devLogin) return false;
  if (config.jwksUrl && !isLoopbackHostname(new URL(config.jwksUrl).hostname)) {
    console.error(`[${c.var.requestId}] configuration: DEV_LOGIN is ignored because AUTH_JWKS_URL is not on a loopback host`);
    return false;
  }
  const hostname = new URL(c.req.url).hostname;
  if (!isLoopbackHostname(hostname)) {
    console.warn(`[${c.var.requestId}] DEV_LOGIN: ${c.req.method} ${new URL(c.req.url).pathname} refused for non-loopback host ${hostname}`);
    return false;
  }
  return true;
}
