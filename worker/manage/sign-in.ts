import type { RequestOrigin } from "../audit/audit-types";
import type { TokenIdentity } from "../auth/user-token";
import { userAuthorityFor } from "../authority/user-authority-client";
import { tokenStamp, type UserState } from "../users/user-state";

/**
 * Records a sign-in with the user's coordinator (their `UserAuthority`): the token's name and
 * permissions apply only if it was issued after the state it holds (`iat`, never later than
 * `receivedAt`), and a token without `iat` changes nothing. Returns the user's effective state,
 * which decides the request. The second half of signing in, after `verifyUserToken`.
 *
 * @example
 * const user = await recordSignIn(env, identity, receivedAt, requestOrigin(request));
 * if (!user.active) refuse();
 */
export function recordSignIn(env: Env, identity: TokenIdentity, receivedAt: number, origin: RequestOrigin): Promise<UserState> {
  const ref = { orgId: identity.orgId, userId: identity.userId };
  const stamp = tokenStamp(identity.issuedAt, receivedAt);
  const update = stamp === null ? null : { source: "token" as const, stamp, name: identity.name, permissions: identity.permissions };
  return userAuthorityFor(env, ref).signIn(ref, update, origin);
}
