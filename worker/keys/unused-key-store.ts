/** Days between the announcement of an unused key's revocation and the revocation. */
export const UNUSED_NOTICE_DAYS = 7;
const DAY_MS = 86_400_000;

/** A key of an org with `revokeUnusedAfterDays`, idle long enough to be announced or revoked. */
export interface IdleKey {
  id: string;
  orgId: string;
  ownerId: string;
  /** Its last use as D1 knows it (up to 30 s behind the key's Durable Object), or its creation if never used. */
  idleSince: number;
  /** The org's revokeUnusedAfterDays. */
  days: number;
  /** For a key being revoked: the revocation time announced. */
  revokeAt: number;
}

interface IdleRow {
  id: string;
  org_id: string;
  created_by: string;
  idle_since: number;
  days: number;
  revoke_at: number;
}

const fromRow = (r: IdleRow): IdleKey => ({ id: r.id, orgId: r.org_id, ownerId: r.created_by, idleSince: r.idle_since, days: r.days, revokeAt: r.revoke_at });

// Live keys (not revoked, not rotated away, not expired at ?now) of orgs with the policy, read
// through the partial index api_keys_by_idle (migration 0014_unused_key_notices).
const IDLE_KEYS = `
  FROM org_policies p JOIN api_keys k INDEXED BY api_keys_by_idle ON k.org_id = p.org_id
  WHERE p.revoke_unused_after_days IS NOT NULL AND k.revoked_at IS NULL AND k.rotated_to_id IS NULL AND k.canary = 0`;

/**
 * The D1 side of revoking unused keys: which keys are owed an announcement, which are due for
 * revocation, and the record of announcements sent. Bound parameters only.
 *
 * @example
 * const due = await new UnusedKeyStore(env.DB).dueNotices(now, 500);
 */
export class UnusedKeyStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Keys idle for at least `days − 7` days at `now` and not yet announced for this idle basis,
   * that would not expire by themselves before the revocation they are announced. `revokeAt` is
   * when they will be revoked: `days` after the basis, but never sooner than 7 days from `now`.
   * Longest idle first, at most `limit`.
   */
  async dueNotices(now: number, limit: number): Promise<IdleKey[]> {
    const { results } = await this.db
      .prepare(
        `SELECT * FROM (
           SELECT k.id, k.org_id, k.created_by, coalesce(k.last_used_at, k.created_at) AS idle_since, p.revoke_unused_after_days AS days,
             max(coalesce(k.last_used_at, k.created_at) + p.revoke_unused_after_days * ${DAY_MS}, ?1 + ${UNUSED_NOTICE_DAYS * DAY_MS}) AS revoke_at,
             k.expires_at, k.unused_notice_for
           ${IDLE_KEYS}
             AND coalesce(k.last_used_at, k.created_at) <= ?1 - (p.revoke_unused_after_days - ${UNUSED_NOTICE_DAYS}) * ${DAY_MS})
         WHERE unused_notice_for IS NOT idle_since AND (expires_at IS NULL OR expires_at > revoke_at)
         ORDER BY idle_since, id LIMIT ?2`,
      )
      .bind(now, limit)
      .all<IdleRow>();
    return results.map(fromRow);
  }

  /**
   * Records announcements, in one statement: each key's idle basis and revocation time. Nothing
   * changes for a key used since it was read (its basis moved: it is owed a new announcement
   * later) or announced already for this basis (a concurrent run).
   */
  recordNotices(sent: readonly IdleKey[]): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE api_keys SET unused_notice_for = s.value ->> 1, unused_revoke_at = s.value ->> 2
         FROM json_each(?) AS s
         WHERE api_keys.id = s.value ->> 0 AND coalesce(api_keys.last_used_at, api_keys.created_at) = s.value ->> 1
           AND api_keys.unused_notice_for IS NOT s.value ->> 1`,
      )
      .bind(JSON.stringify(sent.map((k) => [k.id, k.idleSince, k.revokeAt])));
  }

  /**
   * Announced keys whose revocation is due at `now`: unused since the basis they were announced
   * for (as D1 knows it), idle for the org's `days` as they are now (a longer setting since the
   * announcement waits longer), and past the time announced. Longest idle first, at most `limit`.
   */
  async dueRevocations(now: number, limit: number): Promise<IdleKey[]> {
    const { results } = await this.db
      .prepare(
        `SELECT k.id, k.org_id, k.created_by, k.unused_notice_for AS idle_since, p.revoke_unused_after_days AS days, k.unused_revoke_at AS revoke_at
         ${IDLE_KEYS}
           AND coalesce(k.last_used_at, k.created_at) <= ?1 - p.revoke_unused_after_days * ${DAY_MS}
           AND k.unused_notice_for = coalesce(k.last_used_at, k.created_at) AND k.unused_revoke_at <= ?1
           AND (k.expires_at IS NULL OR k.expires_at > ?1)
         ORDER BY idle_since, k.id LIMIT ?2`,
      )
      .bind(now, limit)
      .all<IdleRow>();
    return results.map(fromRow);
  }
}
