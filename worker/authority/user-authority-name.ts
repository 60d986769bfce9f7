/**
 * The name of the Durable Object of one user of one org (unambiguous: ids may contain any
 * printable character but not a newline). Apart from the client so that `KeyAuthority`, which
 * asks a user's object for their state when its chain is placed, needn't import that class.
 *
 * @example
 * env.USER_AUTHORITY.get(env.USER_AUTHORITY.idFromName(userAuthorityName({ orgId, userId })));
 */
export function userAuthorityName(ref: { orgId: string; userId: string }): string {
  return `${ref.orgId}\n${ref.userId}`;
}
