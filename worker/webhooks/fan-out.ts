import type { AuditRecord } from "../audit/audit-store";
import { randomBase62 } from "../crypto/base62";
import { KeyStore } from "../keys/key-store";
import { UserStore } from "../users/user-store";
import { DeliveryStore, type DueDelivery } from "./delivery-store";
import { EndpointStore, type EndpointRecord } from "./endpoint-store";
import { isWebhookEvent, type WebhookEvent } from "./webhook-events";
import { WebhookOutbox } from "./webhook-outbox";
import { webhookBody } from "./webhook-payload";
import { kickFanOut, queueDeliveries } from "./webhook-queue";

/** How many owed events one fan-out takes; more wait for the next one, which it kicks. */
const EVENTS_PER_FAN_OUT = 25;

/**
 * Turns the events the outbox holds into deliveries: one per event and enabled endpoint of its
 * org that listens for its type and existed when it happened, each with the body it will send.
 * The deliveries and the outbox's release are one D1 batch, and a delivery is created at most
 * once per event and endpoint (UNIQUE, `ON CONFLICT DO NOTHING RETURNING`), so a fan-out run
 * twice (a duplicated kick, a redelivered message, a racing sweep) queues each delivery once:
 * only the run that created a delivery queues it. A crash between the batch and the queue
 * leaves deliveries due and unsent, which the sweep restarts.
 *
 * @example
 * await fanOut(env, Date.now());
 */
export async function fanOut(env: Pick<Env, "DB" | "WEBHOOK_QUEUE">, now: number): Promise<void> {
  const outbox = new WebhookOutbox(env.DB);
  const owed = await outbox.oldest(EVENTS_PER_FAN_OUT);
  if (owed.length === 0) return;
  const deliveries = new DeliveryStore(env.DB);
  const endpoints = new EndpointStore(env.DB);
  const byOrg = new Map<string, Promise<EndpointRecord[]>>();
  const creates: D1PreparedStatement[] = [];
  for (const { event: stored } of owed) {
    const action = stored?.action;
    if (!stored || !action || !isWebhookEvent(action)) continue;
    const event = { ...stored, action };
    let list = byOrg.get(event.orgId);
    if (!list) byOrg.set(event.orgId, (list = endpoints.list(event.orgId)));
    const listening = (await list).filter((e) => e.enabled && e.createdAt <= event.at && e.events.includes(action));
    if (listening.length === 0) continue;
    const payload = await bodyOf(env.DB, event, now);
    for (const endpoint of listening) {
      creates.push(
        deliveries.create({
          id: `whd_${randomBase62(24)}`,
          endpointId: endpoint.id,
          orgId: event.orgId,
          eventId: event.id,
          eventType: event.action,
          payload,
          createdAt: now,
        }),
      );
    }
  }
  const results = await env.DB.batch([...creates, outbox.clear(owed.map((o) => o.eventId))]);
  const created = results.slice(0, creates.length).flatMap((r) => r.results as DueDelivery[]);
  await queueDeliveries(env, created).catch((error: unknown) => {
    console.error(`${created.length} webhook deliveries not queued (the sweep will): ${(error as Error).message}`);
  });
  if (owed.length === EVENTS_PER_FAN_OUT) await kickFanOut(env);
}

async function bodyOf(db: D1Database, event: AuditRecord & { action: WebhookEvent }, now: number): Promise<string> {
  const key = event.keyId === null ? null : await new KeyStore(db).findById(event.keyId);
  const user = event.action === "user.deactivated" ? await new UserStore(db).find(event.orgId, event.ownerId) : null;
  return webhookBody(event, key, user, now);
}
