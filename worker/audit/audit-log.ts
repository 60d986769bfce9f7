import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { decodeCursor, encodeCursor } from "../http/cursor";
import type { EventView } from "./audit-schemas";
import { type AuditRecord, AuditStore } from "./audit-store";

const DEFAULT_PAGE_SIZE = 50;

/**
 * One page of audit events a principal may read: their own, or the whole org's for an admin.
 *
 * @example
 * const page = await listAuditEvents(env.DB, config, principal, { limit: 20 });
 */
export async function listAuditEvents(
  db: D1Database,
  config: Config,
  principal: Principal,
  query: { limit?: number; cursor?: string },
): Promise<{ events: EventView[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const scope = `audit:${principal.orgId}`;
  const after = query.cursor ? await decodeCursor(query.cursor, scope, config.keyHashSecret) : null;
  const rows = await new AuditStore(db).list(principal.orgId, principal.isAdmin ? null : principal.userId, after, limit);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last ? await encodeCursor({ at: last.at, id: last.id }, scope, config.keyHashSecret) : null;
  return { events: page.map(toEventView), nextCursor };
}

function toEventView(record: AuditRecord): EventView {
  return {
    id: record.id,
    at: new Date(record.at).toISOString(),
    action: record.action,
    actor: record.actor,
    keyId: record.keyId,
    ip: record.origin.ip,
    userAgent: record.origin.userAgent,
  };
}
