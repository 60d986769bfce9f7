import { displayName, ExternalId } from "../schemas/text";
import { readClaim, readPermissionList } from "./claims";
import { verifyJwt } from "./jwt-verify";

/** How this deployment verifies its users' tokens and where their claims live. */
export interface UserTokenPolicy {
  hsSecret: string | null;
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  orgClaim: string;
  nameClaim: string;
  permissionsClaim: string;
}

/** Who a verified token speaks for, and what it says about them. Nothing is stored yet. */
export interface TokenIdentity {
  orgId: string;
  userId: string;
  name: string | null;
  permissions: string[];
  /** The token's `iat` claim as sent (epoch seconds), or undefined. */
  issuedAt: unknown;
}

/** The outcome of verifying a user's token, as a value. */
export type TokenOutcome =
  | { ok: true; identity: TokenIdentity }
  | { ok: false; reason: "refused"; detail: string }
  | { ok: false; reason: "identity_provider_unavailable" };

const NameClaim = displayName(64, "Name");

/**
 * Verifies a user's token (jose, under the policy in jwt-verify.ts) and reads who it speaks for:
 * org and user only from its claims, name and permissions where the claim settings say. The
 * first half of signing in; recording what the token says is the user's coordinator's job
 * (manage/sign-in.ts).
 *
 * @example
 * const outcome = await verifyUserToken(token, policy, Date.now());
 * if (!outcome.ok) return refuse(outcome);
 */
export async function verifyUserToken(token: string, policy: UserTokenPolicy, nowMs: number): Promise<TokenOutcome> {
  const result = await verifyJwt(token, {
    hsSecret: policy.hsSecret,
    jwksUrl: policy.jwksUrl,
    issuer: policy.issuer,
    audience: policy.audience,
    nowSeconds: Math.floor(nowMs / 1000),
  });
  if (!result.ok) {
    if (result.reason === "jwks_unavailable") return { ok: false, reason: "identity_provider_unavailable" };
    return { ok: false, reason: "refused", detail: `The bearer token was refused (${result.reason.replace(/_/g, " ")}).` };
  }
  const claims = result.claims;
  const userId = ExternalId.safeParse(claims.sub);
  const orgId = ExternalId.safeParse(readClaim(claims, policy.orgClaim));
  if (!userId.success || !orgId.success) {
    return { ok: false, reason: "refused", detail: `The token must carry sub and ${policy.orgClaim} claims.` };
  }
  const name = NameClaim.safeParse(readClaim(claims, policy.nameClaim));
  return {
    ok: true,
    identity: {
      orgId: orgId.data,
      userId: userId.data,
      name: name.success ? name.data : null,
      permissions: readPermissionList(readClaim(claims, policy.permissionsClaim)),
      issuedAt: claims.iat,
    },
  };
}
