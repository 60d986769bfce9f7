// audit/: what the audit log records (types in audit-types.ts), the D1 audit store and its
// schemas, and the rule for who may see an event's IP address and user agent. Floor: imports
// paging/, limiter/, config, auth/ and below.

import type { Actor, RequestOrigin } from "./audit-types";
import type { CursorPosition } from "../paging/cursor";
import { derivedBase62, randomBase62 } from "../crypto/base62";

/** Every action the audit log records; the webhook events are a subset (key.* and user.deactivated). */
export const AUDIT_ACTIONS = [
  "key.created",
  "key.updated",
  "key.revoked",
  "key.rotated",
  "key.leaked",
  "key.expiring",
  "key.expired",
  "key.ip_refused",
  "key.grace_ended",
  "key.paused",
  "key.resumed",
  "key.canary_used",
  "user.updated",
  "user.deactivated",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** What an event says beyond its columns (a JSON object of plain values); never a secret. */
export type AuditDetail = Record<string, string | number | boolean | null>;

/** One audit event as stored. */
export interface AuditRecord {
  id: string;
  orgId: string;
  at: number;
  action: AuditAction;
  actor: Actor;
  /** The user whose key or account the event concerns: members see the events they own. */
  ownerId: string;
  keyId: string | null;
  origin: RequestOrigin;
  /** What the event says beyond its columns, or null. */
  detail?: AuditDetail | null;
}

interface AuditRow {
  id: string;
  org_id: string;
  at: number;
  action: AuditAction;
  actor_type: Actor["type"];
  actor_id: string;
  owner_id: string;
  key_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
}

/** Whose events a listing holds: an org's, optionally one owner's, optionally one key's. */
export interface AuditListFilter {
  orgId: string;
  ownerId: string | null;
  keyId: string | null;
}

/**
 * The D1 table `audit_events` (append-only): all of its SQL, with bound parameters only.
 *
 * @example
 * await env.DB.batch([audit.append(newAuditEvent({ ... }))]);
 */
export class AuditStore {
  constructor(private readonly db: D1Database) {}

  /** Appends an event; idempotent by event id, so a retried write does not duplicate it. */
  append(event: AuditRecord): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO audit_events (id, org_id, at, action, actor_type, actor_id, owner_id, key_id, ip, user_agent, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      )
      .bind(
        event.id, event.orgId, event.at, event.action, event.actor.type, event.actor.id,
        event.ownerId, event.keyId, event.origin.ip, event.origin.userAgent,
        event.detail ? JSON.stringify(event.detail) : null,
      );
  }

  /**
   * Appends many events in one statement (their rows travel as one JSON parameter, so a page of
   * hundreds stays one query within D1's limit of 100 bound parameters); idempotent by event id
   * like {@link append}.
   */
  appendAll(events: readonly AuditRecord[]): D1PreparedStatement {
    const rows = events.map((event) => [
      event.id, event.orgId, event.at, event.action, event.actor.type, event.actor.id,
      event.ownerId, event.keyId, event.origin.ip, event.origin.userAgent,
      event.detail ? JSON.stringify(event.detail) : null,
    ]);
    // "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT.
    return this.db
      .prepare(
        `INSERT INTO audit_events (id, org_id, at, action, actor_type, actor_id, owner_id, key_id, ip, user_agent, detail)
         SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
                value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10
         FROM json_each(?) WHERE true ON CONFLICT (id) DO NOTHING`,
      )
      .bind(JSON.stringify(rows));
  }

  /** The events with these ids, by id (those that do not exist are absent). */
  async findMany(ids: readonly string[]): Promise<Map<string, AuditRecord>> {
    const marks = ids.map(() => "?").join(", ");
    const { results } = await this.db.prepare(`SELECT * FROM audit_events WHERE id IN (${marks})`).bind(...ids).all<AuditRow>();
    return new Map(results.map((row) => [row.id, fromRow(row)]));
  }

  /** Newest first, `limit + 1` rows; `ownerId` null lists the whole org, `keyId` null every key's events and the users'. */
  async list(filter: AuditListFilter, after: CursorPosition | null, limit: number): Promise<AuditRecord[]> {
    const where = ["org_id = ?"];
    const params: unknown[] = [filter.orgId];
    if (filter.ownerId !== null) {
      where.push("owner_id = ?");
      params.push(filter.ownerId);
    }
    if (filter.keyId !== null) {
      where.push("key_id = ?");
      params.push(filter.keyId);
    }
    if (after) {
      where.push("(at < ? OR (at = ? AND id < ?))");
      params.push(after.at, after.at, after.id);
    }
    const sql = `SELECT * FROM audit_events WHERE ${where.join(" AND ")} ORDER BY at DESC, id DESC LIMIT ?`;
    const { results } = await this.db.prepare(sql).bind(...params, limit + 1).all<AuditRow>();
    return results.map(fromRow);
  }
}

/**
 * A new event with a fresh id.
 *
 * @example
 * newAuditEvent({ orgId, at: now, action: "key.created", actor, ownerId, keyId, origin });
 */
export function newAuditEvent(event: Omit<AuditRecord, "id">): AuditRecord {
  return { id: `evt_${randomBase62(20)}`, ...event };
}

/**
 * An event whose id is derived from `source` (what makes it unique, e.g. key, action, window and
 * expiry of a reminder): whoever writes the same event again, a retry or a concurrent run, writes
 * the same id, which {@link AuditStore.append} keeps only once. Ids look like random ones.
 *
 * @example
 * await derivedAuditEvent(`${keyId}|key.expired||${expiresAt}`, { orgId, at: now, action: "key.expired", ... });
 */
export async function derivedAuditEvent(source: string, event: Omit<AuditRecord, "id">): Promise<AuditRecord> {
  return { id: `evt_${await derivedBase62(source, 20)}`, ...event };
}

function fromRow(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    at: row.at,
    action: row.action,
    actor: { type: row.actor_type, id: row.actor_id } as Actor,
    ownerId: row.owner_id,
    keyId: row.key_id,
    origin: { ip: row.ip, userAgent: row.user_agent },
    detail: row.detail === null ? null : (JSON.parse(row.detail) as AuditDetail),
  };
}
