import { DeliveryStore } from "./delivery-store";
import { WebhookOutbox } from "./webhook-outbox";
import { kickFanOut, queueDeliveries } from "./webhook-queue";

/** A delivery this long past its due time has lost its queue message (Queues delivers in seconds). */
export const STUCK_AFTER_MS = 15 * 60 * 1000;
/** Finished deliveries and their attempts are kept this long. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
const PER_SWEEP = 500;

/** What one sweep did. */
export interface SweepReport {
  fanOutKicked: boolean;
  restarted: number;
  pruned: number;
}

/**
 * The webhooks' safety net, run by the scheduled handler (every few minutes): kicks the fan-out
 * when the outbox holds events (their kick was lost), restarts deliveries more than
 * {@link STUCK_AFTER_MS} past their due time (their message was lost; the new sequence makes any
 * late copy of the old one a no-op), fails those whose retries were used up but whose dead
 * letter never came, and deletes finished deliveries older than 30 days.
 *
 * @example
 * export default { scheduled: (_controller, env) => sweepWebhooks(env, Date.now()) };
 */
export async function sweepWebhooks(env: Pick<Env, "DB" | "WEBHOOK_QUEUE">, now: number): Promise<SweepReport> {
  const fanOutKicked = await new WebhookOutbox(env.DB).any();
  if (fanOutKicked) await kickFanOut(env);
  const deliveries = new DeliveryStore(env.DB);
  const restarted = await deliveries.restartStuck(now - STUCK_AFTER_MS, now, PER_SWEEP);
  await queueDeliveries(env, restarted);
  const pruned = await deliveries.prune(now - DELIVERY_RETENTION_MS, PER_SWEEP);
  return { fanOutKicked, restarted: restarted.length, pruned };
}
