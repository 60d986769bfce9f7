import type { AuditRecord } from "../audit/audit-store";
import { isWebhookEvent } from "./webhook-events";
import { WebhookOutbox } from "./webhook-outbox";

/**
 * Where a delivery whose every retry failed ends up (the dead-letter queue of `api-keys-webhooks`,
 * which wrangler.toml binds as `WEBHOOK_QUEUE`); its consumer marks the delivery failed.
 */
export const WEBHOOK_DEAD_LETTER_QUEUE = "api-keys-webhooks-dlq";

/**
 * A message of the webhook queue: turn owed events into deliveries (`fan_out`), or attempt one
 * delivery (`deliver`) in the sequence `generation` (a message of an older sequence is dropped).
 */
export type WebhookMessage = { kind: "fan_out" } | { kind: "deliver"; deliveryId: string; generation: number };

/** What writing audit events needs to owe webhooks: the database and the queue. */
export type WebhookBindings = Pick<Env, "DB" | "WEBHOOK_QUEUE">;

/**
 * Runs `statements` as one D1 batch, and when `events` (appended by that batch) include webhook
 * events that an endpoint is owed (the D1 trigger marked them), asks the queue for their fan-out.
 * The question rides at the end of the same batch, so an org without endpoints pays no round
 * trip and sends no message. A lost kick (the queue refused, the isolate died) costs only time:
 * the sweep ({@link sweepWebhooks}) kicks whatever the outbox still holds.
 *
 * @example
 * await batchWithWebhooks(env, outboxStatements(env.DB, ops), [event]);
 */
export async function batchWithWebhooks(env: WebhookBindings, statements: D1PreparedStatement[], events: readonly AuditRecord[]): Promise<void> {
  const ids = events.filter((e) => isWebhookEvent(e.action)).map((e) => e.id);
  if (ids.length === 0) {
    await env.DB.batch(statements);
    return;
  }
  const results = await env.DB.batch([...statements, new WebhookOutbox(env.DB).owedOf(ids)]);
  const owed = (results.at(-1)!.results[0] as { owed: number } | undefined)?.owed ?? 0;
  if (owed > 0) await kickFanOut(env);
}

/**
 * Asks the queue to fan owed events out; a failure is logged, and the sweep makes up for it.
 *
 * @example
 * await kickFanOut(env);
 */
export async function kickFanOut(env: Pick<Env, "WEBHOOK_QUEUE">): Promise<void> {
  try {
    await env.WEBHOOK_QUEUE.send({ kind: "fan_out" } satisfies WebhookMessage, { contentType: "json" });
  } catch (error) {
    console.error(`webhook fan-out not queued (the sweep will): ${(error as Error).message}`);
  }
}

/**
 * Queues the attempts of these deliveries (at most 100 messages a call, as Queues takes them).
 *
 * @example
 * await queueDeliveries(env, [{ id: "whd_…", generation: 0 }]);
 */
export async function queueDeliveries(env: Pick<Env, "WEBHOOK_QUEUE">, due: readonly { id: string; generation: number }[]): Promise<void> {
  for (let i = 0; i < due.length; i += 100) {
    await env.WEBHOOK_QUEUE.sendBatch(
      due.slice(i, i + 100).map((d) => ({ body: { kind: "deliver", deliveryId: d.id, generation: d.generation } satisfies WebhookMessage, contentType: "json" as const })),
    );
  }
}
