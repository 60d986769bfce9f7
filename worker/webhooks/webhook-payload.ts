import type { AuditRecord } from "../audit/audit-store";
import type { KeyRecordWithCreator } from "../keys/key-record";
import { keyStatus } from "../keys/key-status";
import type { UserRecord } from "../users/user-store";
import type { WebhookEvent } from "./webhook-events";

/** The key as a webhook shows it: what the management API shows, never a secret or a digest. */
export interface WebhookKey {
  id: string;
  orgId: string;
  name: string;
  hint: string;
  status: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  owner: { id: string; name: string | null };
  scopes: string[] | null;
  rotatedFromId: string | null;
  rotatedToId: string | null;
  leak: { at: string; url: string } | null;
}

/** The body of every webhook message (Standard Webhooks: `type`, `timestamp`, `data`). */
export interface WebhookBody {
  type: WebhookEvent;
  /** When the event happened. */
  timestamp: string;
  data: {
    eventId: string;
    orgId: string;
    actor: { type: string; id: string };
    /** key.* events: the key as it stood when the event was fanned out. */
    key?: WebhookKey | { id: string };
    /** key.rotated: the key that replaces it. */
    successorId?: string | null;
    /** key.leaked: where the key was found. */
    url?: string | null;
    /** user.deactivated: the user. */
    user?: { id: string; name: string | null; active: boolean };
    /** key.canary_used: who used the honeytoken (the address and user agent of the last use the event stands for). */
    origin?: { ip: string | null; userAgent: string | null };
    /** What the event says beyond its columns (key.expiring: `window`), when it says anything. */
    detail?: Record<string, string | number | boolean | null>;
  };
}

/**
 * The JSON body sent for an audit event, built once when the event is fanned out and sent
 * unchanged on every attempt and resend. Keys appear as their public view and users as id, name
 * and active flag: no secret or digest ever leaves in a webhook, and an IP address and user agent
 * only in key.canary_used, where they are the alarm (whoever used the honeytoken), never a user's.
 *
 * @example
 * const body = webhookBody(event, await keys.findById(event.keyId), null, Date.now());
 */
export function webhookBody(event: AuditRecord & { action: WebhookEvent }, key: KeyRecordWithCreator | null, user: UserRecord | null, now: number): string {
  const data: WebhookBody["data"] = { eventId: event.id, orgId: event.orgId, actor: { type: event.actor.type, id: event.actor.id } };
  if (event.keyId !== null) {
    data.key = key ? webhookKey(key, now) : { id: event.keyId };
    if (event.action === "key.rotated") data.successorId = key?.rotatedToId ?? null;
    if (event.action === "key.leaked") data.url = key?.leak?.url ?? null;
  }
  if (event.action === "key.canary_used") data.origin = { ip: event.origin.ip, userAgent: event.origin.userAgent };
  if (event.action === "user.deactivated") data.user = { id: event.ownerId, name: user?.name ?? null, active: user?.active ?? false };
  if (event.detail) data.detail = event.detail;
  const body: WebhookBody = { type: event.action, timestamp: new Date(event.at).toISOString(), data };
  return JSON.stringify(body);
}

function webhookKey(key: KeyRecordWithCreator, now: number): WebhookKey {
  return {
    id: key.id,
    orgId: key.orgId,
    name: key.name,
    hint: key.hint,
    status: keyStatus(key, now),
    createdAt: iso(key.createdAt),
    expiresAt: key.expiresAt === null ? null : iso(key.expiresAt),
    revokedAt: key.revokedAt === null ? null : iso(key.revokedAt),
    owner: { id: key.createdBy, name: key.creatorName },
    scopes: key.scopes,
    rotatedFromId: key.rotatedFromId,
    rotatedToId: key.rotatedToId,
    leak: key.leak === null ? null : { at: iso(key.leak.at), url: key.leak.url },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
