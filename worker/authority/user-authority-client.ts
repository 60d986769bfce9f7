import type { UserAuthority, UserRef } from "./user-authority";

/**
 * The Durable Object of one user of one org (the name is unambiguous: ids may contain any
 * printable character but not a newline).
 *
 * @example
 * const state = await userAuthorityFor(env, { orgId, userId }).state({ orgId, userId });
 */
export function userAuthorityFor(env: Env, ref: UserRef): DurableObjectStub<UserAuthority> {
  return env.USER_AUTHORITY.get(env.USER_AUTHORITY.idFromName(`${ref.orgId}\n${ref.userId}`));
}
