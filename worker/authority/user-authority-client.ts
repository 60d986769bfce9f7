import type { UserAuthority, UserRef } from "./user-authority";
import { userAuthorityName } from "./user-authority-name";

/**
 * The Durable Object of one user of one org.
 *
 * @example
 * const state = await userAuthorityFor(env, { orgId, userId }).state({ orgId, userId });
 */
export function userAuthorityFor(env: Env, ref: UserRef): DurableObjectStub<UserAuthority> {
  return env.USER_AUTHORITY.get(env.USER_AUTHORITY.idFromName(userAuthorityName(ref)));
}
