import type { Credits } from "../limiter/credits";
import type { CursorPosition } from "../paging/cursor";
import type { KeyLimit } from "./key-limits";
import type { KeyRecord, KeyRecordWithCreator } from "./key-record";
import type { KeyStatus } from "./key-status";
import type { DueExpiryNotice, ExpiryNotice } from "./expiry-notice";
import { type KeyMeta, metaColumn, metaOf } from "./key-meta";

interface KeyRow {
  id: string;
  org_id: string;
  created_by: string;
  name: string;
  hint: string;
  secret_digest: string;
  scopes: string | null;
  created_at: number;
  expires_at: number | null;
  lifetime_ms: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  rotated_from_id: string | null;
  rotated_to_id: string | null;
  region: string | null;
  placed_at: number | null;
  leaked_at: number | null;
  leaked_url: string | null;
  allowed_ips: string | null;
  enabled: number;
  description: string | null;
  meta: string | null;
  revoked_reason: string | null;
  canary: number;
  limits: string | null;
  credits: string | null;
  creator_name: string | null;
  creator_permissions: string | null;
}

const SELECT = `SELECT k.*, u.name AS creator_name, u.permissions AS creator_permissions FROM api_keys k
  LEFT JOIN users u ON u.org_id = k.org_id AND u.id = k.created_by`;

/**
 * SQL conditions equivalent to `keyStatus()` at a time bound to every `?`. They must stay in step
 * with that function (revocation wins over expiry; each takes effect at its instant);
 * test/worker/keys/key-store.test.ts checks that they agree on every combination.
 */
const STATUS_SQL: Record<KeyStatus, string> = {
  active: "(k.revoked_at IS NULL OR k.revoked_at > ?) AND (k.expires_at IS NULL OR k.expires_at > ?)",
  expired: "(k.revoked_at IS NULL OR k.revoked_at > ?) AND k.expires_at <= ?",
  revoked: "k.revoked_at <= ?",
};

/** Filters of a key listing: the org, optionally one owner and one status, and a page. */
export interface KeyListFilter {
  orgId: string;
  ownerId: string | null;
  status: KeyStatus | null;
  /** true: canary keys only; false: the others only; null: both. */
  canary?: boolean | null;
  now: number;
  after: CursorPosition | null;
  limit: number;
}

/**
 * The D1 table `api_keys`: all of its SQL, with bound parameters only.
 *
 * @example
 * const store = new KeyStore(env.DB);
 * const key = await store.find(orgId, id);
 */
export class KeyStore {
  constructor(private readonly db: D1Database) {}

  /** One key of an org, or null (another org's key is indistinguishable from none). */
  async find(orgId: string, id: string): Promise<KeyRecordWithCreator | null> {
    const row = await this.db.prepare(`${SELECT} WHERE k.org_id = ? AND k.id = ?`).bind(orgId, id).first<KeyRow>();
    return row ? fromRow(row) : null;
  }

  /**
   * A key by id alone, whatever its org: only for a caller that proves it holds the key (a leak
   * report carries the whole key, whose digest must then match the stored one).
   */
  async findById(id: string): Promise<KeyRecordWithCreator | null> {
    const row = await this.db.prepare(`${SELECT} WHERE k.id = ?`).bind(id).first<KeyRow>();
    return row ? fromRow(row) : null;
  }

  /** Records that a key was found in public; only the first report is kept (idempotent). */
  markLeaked(id: string, at: number, url: string): D1PreparedStatement {
    return this.db.prepare("UPDATE api_keys SET leaked_at = ?, leaked_url = ? WHERE id = ? AND leaked_at IS NULL").bind(at, url, id);
  }

  /** Newest first, `limit + 1` rows so the caller can tell whether another page exists. */
  async list(filter: KeyListFilter): Promise<KeyRecordWithCreator[]> {
    const where = ["k.org_id = ?"];
    const params: unknown[] = [filter.orgId];
    if (filter.ownerId !== null) {
      where.push("k.created_by = ?");
      params.push(filter.ownerId);
    }
    if (filter.status !== null) {
      const condition = STATUS_SQL[filter.status];
      where.push(condition);
      for (const _ of condition.matchAll(/\?/g)) params.push(filter.now);
    }
    if (filter.canary != null) {
      where.push("k.canary = ?");
      params.push(filter.canary ? 1 : 0);
    }
    if (filter.after) {
      where.push("(k.created_at < ? OR (k.created_at = ? AND k.id < ?))");
      params.push(filter.after.at, filter.after.at, filter.after.id);
    }
    const sql = `${SELECT} WHERE ${where.join(" AND ")} ORDER BY k.created_at DESC, k.id DESC LIMIT ?`;
    const { results } = await this.db.prepare(sql).bind(...params, filter.limit + 1).all<KeyRow>();
    return results.map(fromRow);
  }

  /**
   * A user's keys that are not revoked, with their expiry (their state must follow the user's),
   * canary keys left out: they never count against the cap and never act for the user.
   */
  async unrevokedOf(orgId: string, userId: string): Promise<{ id: string; expiresAt: number | null }[]> {
    const { results } = await this.db
      .prepare("SELECT id, expires_at FROM api_keys WHERE org_id = ? AND created_by = ? AND revoked_at IS NULL AND canary = 0")
      .bind(orgId, userId)
      .all<{ id: string; expires_at: number | null }>();
    return results.map((r) => ({ id: r.id, expiresAt: r.expires_at }));
  }

  /** Inserts a key; idempotent, so a retried write converges instead of failing. */
  insert(key: KeyRecord): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO api_keys (id, org_id, created_by, name, hint, secret_digest, scopes, created_at,
           expires_at, lifetime_ms, revoked_at, last_used_at, rotated_from_id, rotated_to_id, region, placed_at, allowed_ips,
           enabled, description, meta, canary, limits, credits)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .bind(
        key.id, key.orgId, key.createdBy, key.name, key.hint, key.secretDigest,
        key.scopes === null ? null : JSON.stringify(key.scopes),
        key.createdAt, key.expiresAt, key.lifetimeMs, key.revokedAt, key.lastUsedAt,
        key.rotatedFromId, key.rotatedToId, key.region, key.placedAt, allowedIpsColumn(key.allowedIps),
        // Absent in records written before these fields existed (an outbox op queued then): the defaults.
        key.enabled === false ? 0 : 1, key.description ?? null, metaColumn(key.meta), key.canary === true ? 1 : 0,
        jsonColumn(key.limits ?? null), jsonColumn(key.credits ?? null),
      );
  }

  /**
   * What a chain's Durable Object loads the first time it meets a key: the key's row by id, in
   * one statement on the primary database (never a read replica, so a create that returned is
   * seen), which also records that the chain holds the key now (`placed_at`, the first time
   * only) when `digest` is the key's (or is null: a management call). A wrong digest gets the
   * row back unchanged, so the object can remember it and the next attempt costs no query.
   */
  async loadForAuthority(id: string, digest: string | null, at: number): Promise<KeyRecord | null> {
    const session = this.db.withSession("first-primary");
    const row = await session
      .prepare(
        `UPDATE api_keys SET placed_at = CASE WHEN ?2 IS NULL OR secret_digest = ?2 THEN coalesce(placed_at, ?3) ELSE placed_at END
         WHERE id = ?1 RETURNING *, NULL AS creator_name, NULL AS creator_permissions`,
      )
      .bind(id, digest, at)
      .first<KeyRow>();
    return row ? fromRow(row) : null;
  }

  /** Marks a key revoked at `at`, for `reason` (or none), unless it already is (the first revocation's time and reason stand). */
  revoke(id: string, at: number, reason: string | null = null): D1PreparedStatement {
    return this.db.prepare("UPDATE api_keys SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL").bind(at, reason, id);
  }

  /** Pauses (`enabled` false) or resumes a key. Idempotent; replayed in order, the last word stands. */
  setEnabled(id: string, enabled: boolean): D1PreparedStatement {
    return this.db.prepare("UPDATE api_keys SET enabled = ? WHERE id = ?").bind(enabled ? 1 : 0, id);
  }

  /** Replaces a key's description and/or meta; `undefined` leaves one as it is, null removes it. Idempotent. */
  describe(id: string, changes: { description?: string | null; meta?: KeyMeta | null }): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE api_keys SET description = CASE WHEN ?1 THEN ?2 ELSE description END, meta = CASE WHEN ?3 THEN ?4 ELSE meta END
         WHERE id = ?5`,
      )
      .bind(
        changes.description === undefined ? 0 : 1, changes.description ?? null,
        changes.meta === undefined ? 0 : 1, changes.meta === undefined ? null : metaColumn(changes.meta), id,
      );
  }

  /** Links a rotated key to its successor and ends it at `expiresAt` (never later than it was). */
  markRotated(id: string, successorId: string, expiresAt: number | null): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE api_keys SET rotated_to_id = ?,
           expires_at = CASE WHEN ? IS NULL THEN expires_at WHEN expires_at IS NULL THEN ? ELSE min(expires_at, ?) END
         WHERE id = ?`,
      )
      .bind(successorId, expiresAt, expiresAt, expiresAt, id);
  }

  /**
   * Renames a key and/or moves its expiry earlier (never later: the earlier of the stored and
   * the given one stands), with its lifetime following the expiry, so a successor of a rotation
   * gets the shortened lifetime, and/or replaces its IP allowlist. Null leaves the name and
   * expiry as they are, `undefined` the allowlist (whose null means "any address"). Idempotent.
   */
  update(id: string, name: string | null, expiresAt: number | null, allowedIps?: string[] | null): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE api_keys SET name = coalesce(?, name),
           expires_at = CASE WHEN ? IS NULL THEN expires_at WHEN expires_at IS NULL THEN ? ELSE min(expires_at, ?) END,
           lifetime_ms = CASE WHEN ? IS NULL THEN lifetime_ms ELSE min(coalesce(expires_at, ?), ?) - created_at END,
           allowed_ips = CASE WHEN ? THEN ? ELSE allowed_ips END
         WHERE id = ?`,
      )
      .bind(
        name, expiresAt, expiresAt, expiresAt, expiresAt, expiresAt, expiresAt,
        allowedIps === undefined ? 0 : 1, allowedIps === undefined ? null : allowedIpsColumn(allowedIps), id,
      );
  }

  /**
   * The keys owed an expiry reminder at `now` (migration 0009's `expiry_notice_due_at` has come):
   * not revoked, with an expiry, and not yet told about the reminder they are in. Longest owed
   * first, at most `limit`; read through the partial index, so nothing due costs one empty lookup.
   */
  async dueExpiryNotices(now: number, limit: number): Promise<DueExpiryNotice[]> {
    const { results } = await this.db
      .prepare(
        `SELECT id, org_id, created_by, expires_at FROM api_keys INDEXED BY api_keys_by_expiry_notice
         WHERE expiry_notice_due_at <= ? ORDER BY expiry_notice_due_at, id LIMIT ?`,
      )
      .bind(now, limit)
      .all<{ id: string; org_id: string; created_by: string; expires_at: number }>();
    return results.map((r) => ({ id: r.id, orgId: r.org_id, ownerId: r.created_by, expiresAt: r.expires_at }));
  }

  /**
   * Records the reminders sent, in one statement: each key's `notice` about its `expiresAt`. Only
   * forward: nothing changes when the key's expiry is no longer `expiresAt` (an edit moved it in
   * between; it is owed a reminder about its new date) or it was already told a later reminder
   * about it (a concurrent run that read the key earlier).
   */
  recordExpiryNotices(sent: readonly { id: string; expiresAt: number; notice: ExpiryNotice }[]): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE api_keys SET expiry_notice = s.value ->> 2, expiry_notice_for = s.value ->> 1
         FROM json_each(?) AS s
         WHERE api_keys.id = s.value ->> 0 AND api_keys.expires_at = s.value ->> 1
           AND (api_keys.expiry_notice_for IS NOT api_keys.expires_at OR api_keys.expiry_notice > s.value ->> 2)`,
      )
      .bind(JSON.stringify(sent.map((n) => [n.id, n.expiresAt, n.notice])));
  }

  /**
   * Writes a chain's limits and/or credits (as its Durable Object holds them) to every key of the
   * chain; `undefined` leaves that column as it is. Idempotent.
   */
  setTerms(ids: readonly string[], limits: KeyLimit[] | null | undefined, credits: Credits | null | undefined): D1PreparedStatement {
    return this.db
      .prepare(
        `UPDATE api_keys SET limits = CASE WHEN ? THEN ? ELSE limits END, credits = CASE WHEN ? THEN ? ELSE credits END
         WHERE id IN (SELECT value FROM json_each(?))`,
      )
      .bind(
        limits === undefined ? 0 : 1, limits === undefined ? null : jsonColumn(limits),
        credits === undefined ? 0 : 1, credits === undefined ? null : jsonColumn(credits),
        JSON.stringify(ids),
      );
  }

  /** Records last use, only ever moving it forward. */
  touch(id: string, lastUsedAt: number): D1PreparedStatement {
    return this.db
      .prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
      .bind(lastUsedAt, id, lastUsedAt);
  }
}

function fromRow(row: KeyRow): KeyRecordWithCreator {
  return {
    id: row.id,
    orgId: row.org_id,
    createdBy: row.created_by,
    name: row.name,
    hint: row.hint,
    secretDigest: row.secret_digest,
    scopes: row.scopes === null ? null : (JSON.parse(row.scopes) as string[]),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lifetimeMs: row.lifetime_ms,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    rotatedFromId: row.rotated_from_id,
    rotatedToId: row.rotated_to_id,
    region: row.region,
    placedAt: row.placed_at,
    leak: row.leaked_at === null ? null : { at: row.leaked_at, url: row.leaked_url ?? "" },
    allowedIps: row.allowed_ips === null ? null : (JSON.parse(row.allowed_ips) as string[]),
    enabled: row.enabled !== 0,
    description: row.description,
    meta: metaOf(row.meta),
    revokedReason: row.revoked_reason,
    canary: row.canary === 1,
    limits: row.limits === null ? null : (JSON.parse(row.limits) as KeyLimit[]),
    credits: row.credits === null ? null : (JSON.parse(row.credits) as Credits),
    creatorName: row.creator_name,
    creatorPermissions: row.creator_permissions === null ? null : (JSON.parse(row.creator_permissions) as string[]),
  };
}

/** A JSON column: the value as JSON, or NULL. */
function jsonColumn(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** The `allowed_ips` column: a JSON array, or NULL for no restriction ([] included). */
function allowedIpsColumn(allowedIps: readonly string[] | null): string | null {
  return allowedIps === null || allowedIps.length === 0 ? null : JSON.stringify(allowedIps);
}
