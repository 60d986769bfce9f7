import type { RequestOrigin } from "./audit-types";
import type { Principal } from "../auth/principal";
import type { AuditRecord } from "./audit-store";

/** Who reads the audit log: only their org, id and admin flag matter to the rule. */
export type AuditReader = Pick<Principal, "orgId" | "userId" | "isAdmin">;

const HIDDEN: RequestOrigin = { ip: null, userAgent: null };

/**
 * The IP and user agent of an event as the reader may see them. An IP and a user agent are
 * personal data of whoever acted, so a member sees them only for what they did themselves; an
 * admin of the event's org sees them for every event. Anything else reads as null: a member
 * still sees that an admin or the admin API acted on their key or account, not from where.
 *
 * @example
 * visibleOrigin(event, member); // { ip: null, userAgent: null } when an admin revoked the key
 */
export function visibleOrigin(event: AuditRecord, reader: AuditReader): RequestOrigin {
  if (event.orgId !== reader.orgId) return HIDDEN;
  const actedThemselves = event.actor.type === "user" && event.actor.id === reader.userId;
  return reader.isAdmin || actedThemselves ? event.origin : HIDDEN;
}
