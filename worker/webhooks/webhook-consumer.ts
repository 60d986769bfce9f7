import { type Config, readConfig } from "../config";
import { attemptDelivery, type AttemptResult } from "./delivery-attempt";
import { type AttemptOutcome, DeliveryStore } from "./delivery-store";
import { EndpointStore } from "./endpoint-store";
import { fanOut } from "./fan-out";
import { WEBHOOK_DEAD_LETTER_QUEUE, type WebhookMessage } from "./webhook-queue";

/** How long a message whose handling threw (D1 unreachable…) waits before it is tried again. */
const ERROR_RETRY_SECONDS = 5;

/**
 * The Worker's `queue()` handler for both webhook queues. Every message of a batch is handled on
 * its own, concurrently, and acknowledged or retried on its own, so a slow endpoint (bounded by
 * `WEBHOOK_TIMEOUT_SECONDS`) holds up no other delivery:
 *
 * - `api-keys-webhooks`: `fan_out` turns owed events into deliveries ({@link fanOut});
 *   `deliver` makes one attempt and records it in D1 before the message is acknowledged or
 *   retried (at least once: a crash after the attempt repeats it, under the same `webhook-id`).
 *   A failed attempt is retried after the next delay of `WEBHOOK_RETRY_DELAYS`; after the last,
 *   the retry sends the message to the dead-letter queue.
 * - `api-keys-webhooks-dlq`: the delivery is marked failed (unless a resend started a new
 *   sequence meanwhile). A resend can still deliver it.
 *
 * @example
 * export default { fetch: app.fetch, queue: handleWebhookBatch };
 */
export async function handleWebhookBatch(batch: MessageBatch<unknown>, env: Env, clock: () => number = Date.now): Promise<void> {
  const handle = batch.queue === WEBHOOK_DEAD_LETTER_QUEUE ? deadLetter : (msg: Message<unknown>) => handleMessage(msg, env, readConfig(env), clock);
  await Promise.all(
    batch.messages.map(async (msg) => {
      try {
        await handle(msg, env);
      } catch (error) {
        console.error(`webhook message ${msg.id} on ${batch.queue} failed, retried in ${ERROR_RETRY_SECONDS} s: ${(error as Error).message}`);
        msg.retry({ delaySeconds: ERROR_RETRY_SECONDS });
      }
    }),
  );
}

async function handleMessage(msg: Message<unknown>, env: Env, config: Config, clock: () => number): Promise<void> {
  const body = msg.body as WebhookMessage;
  if (body.kind === "fan_out") await fanOut(env, clock());
  else if (body.kind === "deliver") return deliver(msg, body, env, config, clock);
  msg.ack();
}

async function deliver(msg: Message<unknown>, body: Extract<WebhookMessage, { kind: "deliver" }>, env: Env, config: Config, clock: () => number): Promise<void> {
  const deliveries = new DeliveryStore(env.DB);
  const delivery = await deliveries.find(body.deliveryId);
  // Gone with its endpoint, delivered or failed already, or replaced by a newer sequence.
  if (!delivery || delivery.generation !== body.generation || delivery.status === "delivered" || delivery.status === "failed") return msg.ack();
  const endpoint = await new EndpointStore(env.DB).find(delivery.orgId, delivery.endpointId);
  if (!endpoint) return msg.ack();
  const at = clock();
  const result = await attemptDelivery(delivery, endpoint, config, clock);
  const retryIn = result.outcome === "failed" ? config.webhooks.retryDelaysSeconds[msg.attempts - 1] : undefined;
  await deliveries.recordAttempt(delivery.id, delivery.generation, outcomeOf(result, at, retryIn));
  if (result.outcome !== "failed") return msg.ack();
  // Past the last delay the retry is the one that Queues sends to the dead-letter queue.
  msg.retry({ delaySeconds: retryIn ?? 0 });
}

function outcomeOf(result: AttemptResult, at: number, retryIn: number | undefined): AttemptOutcome {
  switch (result.outcome) {
    case "delivered":
      return { at, responseStatus: result.responseStatus, durationMs: result.durationMs, error: null, status: "delivered", nextAttemptAt: null };
    case "refused":
      return { at, responseStatus: null, durationMs: 0, error: result.error, status: "failed", nextAttemptAt: null };
    case "failed":
      return {
        at,
        responseStatus: result.responseStatus,
        durationMs: result.durationMs,
        error: result.error,
        status: "retrying",
        // Null once the retries are used up: the dead letter decides next.
        nextAttemptAt: retryIn === undefined ? null : at + result.durationMs + retryIn * 1000,
      };
  }
}

async function deadLetter(msg: Message<unknown>, env: Env): Promise<void> {
  const body = msg.body as WebhookMessage;
  // A fan-out that kept failing is not lost: its events stay in the outbox for the sweep.
  if (body.kind === "deliver") await new DeliveryStore(env.DB).markFailed(body.deliveryId, body.generation);
  msg.ack();
}
