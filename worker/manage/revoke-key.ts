import type { Actor, RequestOrigin } from "../audit/audit-types";
import { newAuditEvent } from "../audit/audit-store";
import { authorityFor } from "../authority/key-authority-client";
import { userAuthorityFor } from "../authority/user-authority-client";
import type { KeyRecord } from "../keys/key-record";

/**
 * Revokes a key from this instant on, as every revocation does (by its owner or an admin, or by
 * a leak report): the key's object commits first, so the edge refuses the key once this returns,
 * with D1's revocation and the `key.revoked` event in its outbox; then the owner's coordinator
 * stops counting the key against the cap. Idempotent: a key revoked already keeps its first time
 * and gets no second event. Returns the revocation time that stands.
 *
 * @example
 * const revokedAt = await revokeKey(env, record, Date.now(), { type: "user", id: userId }, origin);
 */
export async function revokeKey(env: Env, key: KeyRecord, at: number, actor: Actor, origin: RequestOrigin): Promise<number> {
  const event = newAuditEvent({ orgId: key.orgId, at, action: "key.revoked", actor, ownerId: key.createdBy, keyId: key.id, origin });
  const { revokedAt } = await authorityFor(env, key.id).revoke(key.id, at, [
    { op: "revokeKey", id: key.id, at },
    { op: "appendAudit", event },
  ]);
  const owner = { orgId: key.orgId, userId: key.createdBy };
  await userAuthorityFor(env, owner).keyRevoked(owner, key.id, revokedAt);
  return revokedAt;
}
