import type { Principal } from "../auth/principal";
import type { Config } from "../config";
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from "../paging/cursor";
import type { EventView } from "./audit-schemas";
import { type AuditRecord, AuditStore } from "./audit-store";
import { type AuditReader, visibleOrigin } from "./visible-origin";

/**
 * One page of audit events a principal may read: their own, or the whole org's for an admin;
 * with `keyId`, only that key's events among them. A key id the principal may not see (another
 * org's, another member's) or that names no key gives an empty page, as a filter that matches
 * nothing does: it is not a lookup, so it answers no 404 and tells nothing apart. The cursor is
 * bound to the filter: a page of one key's events continues with that key's events only.
 * IP and user agent follow {@link visibleOrigin}: a member sees them only for their own actions.
 *
 * @example
 * const page = await listAuditEvents(env.DB, config, principal, { limit: 20, keyId });
 */
export async function listAuditEvents(
  db: D1Database,
  config: Config,
  principal: Principal,
  query: { limit?: number; cursor?: string; keyId?: string },
): Promise<{ events: EventView[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const keyId = query.keyId ?? null;
  const scope = keyId === null ? `audit:${principal.orgId}` : `audit:${principal.orgId}:key:${keyId}`;
  const after = query.cursor ? await decodeCursor(query.cursor, scope, config.keyHashSecret) : null;
  const filter = { orgId: principal.orgId, ownerId: principal.isAdmin ? null : principal.userId, keyId };
  const rows = await new AuditStore(db).list(filter, after, limit);
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
    detail: record.detail ?? null,
  };
}
