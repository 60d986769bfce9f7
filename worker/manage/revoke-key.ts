import type { Actor, RequestOrigin } from "../audit/audit-types";
import { newAuditEvent } from "../audit/audit-store";
import { authorityFor } from "../authority/key-authority-client";
import { userAuthorityFor } from "../authority/user-authority-client";
import type { KeyRecord } from "../keys/key-record";
import { KeyStore } from "../keys/key-store";

/**
 * Revokes a key from this instant on, as every revocation does (by its owner or an admin, or by
 * a leak report): the key's object commits first, so the edge refuses the key once this returns,
 * with D1's revocation and the `key.revoked` event in its outbox; then the owner's coordinator
 * stops counting the key against the cap. `reason` (optional) is stored with the revocation and
 * is the `key.revoked` event's `detail: { reason }`. Idempotent: a key revoked already keeps its
 * first time and reason and gets no second event. Returns the revocation time and reason that
 * stand.
 *
 * @example
 * const { revokedAt } = await revokeKey(env, record, Date.now(), { type: "user", id: userId }, origin, "Integration retired");
 */
export async function revokeKey(
  env: Env,
  key: KeyRecord,
  at: number,
  actor: Actor,
  origin: RequestOrigin,
  reason: string | null = null,
): Promise<{ revokedAt: number; reason: string | null }> {
  const event = newAuditEvent({
    orgId: key.orgId,
    at,
    action: "key.revoked",
    actor,
    ownerId: key.createdBy,
    keyId: key.id,
    origin,
    detail: reason === null ? null : { reason },
  });
  const revoked = await authorityFor(env, key.id).revoke(key.id, at, [
    { op: "revokeKey", id: key.id, at, reason },
    { op: "appendAudit", event },
  ]);
  const owner = { orgId: key.orgId, userId: key.createdBy };
  await userAuthorityFor(env, owner).keyRevoked(owner, key.id, revoked.revokedAt);
  if (revoked.changed) return { revokedAt: revoked.revokedAt, reason };
  // Another revocation came first: its reason stands (D1 has it once the object has synced).
  const stored = await new KeyStore(env.DB).find(key.orgId, key.id);
  return { revokedAt: revoked.revokedAt, reason: stored?.revokedReason ?? null };
}

/** A key the scheduled run revokes for disuse: who it belongs to, and since when D1 saw it unused. */
export interface UnusedKeyRef {
  id: string;
  orgId: string;
  ownerId: string;
  /** Its last use as D1 knew it, or its creation. */
  idleSince: number;
  /** The org's revokeUnusedAfterDays. */
  days: number;
}

/**
 * Revokes a key unused for its org's `revokeUnusedAfterDays`, through the path of every
 * revocation (the key's object first, so the edge refuses it once this returns; D1 and the
 * `key.revoked` event by `system`/`cron` with detail `{ reason: "unused", idleSince, days }` in its
 * outbox; then the owner's coordinator), unless the key's object has seen a use after
 * `idleSince` (KeyAuthority.revokeUnused). Exactly once: the object revokes a key once, however
 * many runs ask. Returns whether this call revoked it.
 *
 * @example
 * if (await revokeUnusedKey(env, key, now)) revoked += 1;
 */
export async function revokeUnusedKey(env: Env, key: UnusedKeyRef, at: number): Promise<boolean> {
  const event = newAuditEvent({
    orgId: key.orgId,
    at,
    action: "key.revoked",
    actor: { type: "system", id: "cron" },
    ownerId: key.ownerId,
    keyId: key.id,
    origin: { ip: null, userAgent: null },
    detail: { reason: "unused", idleSince: new Date(key.idleSince).toISOString(), days: key.days },
  });
  const result = await authorityFor(env, key.id).revokeUnused(key.id, key.idleSince, at, [
    { op: "revokeKey", id: key.id, at, reason: "unused" },
    { op: "appendAudit", event },
  ]);
  if (!result.revoked) return false;
  const owner = { orgId: key.orgId, userId: key.ownerId };
  await userAuthorityFor(env, owner).keyRevoked(owner, key.id, result.revokedAt);
  return true;
}
