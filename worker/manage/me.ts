import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { POLICIES } from "../limiter/sliding-window";
import type { MeView } from "../users/user-schemas";

/**
 * Who the signed-in user is and what they may do: their effective permissions (what a key's
 * scopes may be chosen from), whether they are an org admin, and the limits of the deployment
 * (the active-key cap, the longest lifetime, the rate-limit policies). Nothing is read: the
 * principal already holds the user's stored state.
 *
 * @example
 * return c.json(describeMe(c.var.principal, c.var.config), 200);
 */
export function describeMe(principal: Principal, config: Config): MeView {
  return {
    user: { id: principal.userId, name: principal.name },
    org: { id: principal.orgId },
    permissions: [...principal.permissions],
    isAdmin: principal.isAdmin,
    limits: {
      maxActiveKeys: config.maxActiveKeysPerUser,
      maxKeyLifetimeDays: config.maxKeyLifetimeDays,
      rateLimits: POLICIES.map((p) => ({ name: p.name, limit: p.quota, windowSeconds: p.windowMs / 1000 })),
    },
  };
}
