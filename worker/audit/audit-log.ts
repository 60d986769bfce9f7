import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from "../paging/cursor";
import type { EventView } from "./audit-schemas";
import { type AuditRecord, AuditStore } from "./audit-store";
import { type AuditReader, visibleOrigin } from "./visible-origin";

/**
 * One page of audit events a principal may read: their own, or the whole org's for an admin.
 * IP and user agent follow {@link visibleOrigin}: a member sees them only for their own actions.
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
  const page = await pageOf(rows, limit, (e) => ({ at: e.at, id: e.id }), scope, config.keyHashSecret);
  return { events: page.items.map((record) => toEventView(record, principal)), nextCursor: page.nextCursor };
}

function toEventView(record: AuditRecord, reader: AuditReader): EventView {
  const origin = visibleOrigin(record, reader);
  return {
    id: record.id,
    at: new Date(record.at).toISOString(),
    action: record.action,
    actor: record.actor,
    keyId: record.keyId,
    ip: origin.ip,
    userAgent: origin.userAgent,
  };
}
