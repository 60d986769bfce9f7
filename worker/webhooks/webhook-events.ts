// webhooks/: an org's webhook endpoints and everything that reaches them: the events (a subset of
// the audit log, owed by a D1 trigger), the URL rule against SSRF, the signing secret, the fan-out
// into one delivery per event and endpoint, the signed attempts through Cloudflare Queues with
// their backoff and dead letters, and the sweep that re-kicks what a lost message left behind.
// Floor: imports keys/, users/, audit/, config, net/, crypto/, errors/ and below.

import type { AuditAction } from "../audit/audit-store";

/**
 * The audit actions that are webhook events, in the order the docs list them. The D1 trigger
 * (last recreated by migrations/0015_webhook_events_of_key_controls.sql) names the same list.
 */
export const WEBHOOK_EVENTS = [
  "key.created",
  "key.revoked",
  "key.rotated",
  "key.leaked",
  "key.expiring",
  "key.expired",
  "user.deactivated",
  "key.paused",
  "key.resumed",
  "key.canary_used",
  "key.grace_ended",
] as const satisfies readonly AuditAction[];

/** One webhook event type. */
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/**
 * Whether an audit action is sent to webhooks.
 *
 * @example
 * events.filter((e) => isWebhookEvent(e.action));
 */
export function isWebhookEvent(action: string): action is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(action);
}
