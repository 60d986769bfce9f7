import type { Config } from "../config";
import type { DeliveryRecord } from "./delivery-store";
import { checkEndpointUrl } from "./endpoint-url";
import type { EndpointRecord } from "./endpoint-store";
import { signingSecret, signWebhook } from "./webhook-signature";

/** What one attempt came to. */
export type AttemptResult =
  | { outcome: "delivered"; responseStatus: number; durationMs: number }
  | { outcome: "failed"; responseStatus: number | null; durationMs: number; error: string | null }
  /** Not worth retrying until someone changes the endpoint: its URL is refused now, or it is disabled. */
  | { outcome: "refused"; error: string };

/** Sent with every attempt, so a receiver can tell our calls apart in its logs. */
const USER_AGENT = "api-keys-webhooks/1 (+https://www.standardwebhooks.com/)";

/**
 * Makes one signed attempt of a delivery: `POST` of its stored body to the endpoint's URL
 * (checked again now: the endpoint may have changed since it was saved) with the Standard
 * Webhooks headers (`webhook-id`: the audit event's id, the same on every attempt and resend;
 * `webhook-timestamp`: now, in seconds; `webhook-signature`). A 2xx answer is delivered;
 * anything else fails the attempt: another status (a redirect too: none is followed, so a
 * redirect cannot lead into a private network), no answer within `config.webhooks.timeoutMs`,
 * or a network error.
 *
 * @example
 * const result = await attemptDelivery(delivery, endpoint, config, Date.now);
 */
export async function attemptDelivery(delivery: DeliveryRecord, endpoint: EndpointRecord, config: Config, clock: () => number): Promise<AttemptResult> {
  if (!endpoint.enabled) return { outcome: "refused", error: "The endpoint is disabled." };
  const checked = checkEndpointUrl(endpoint.url, { allowLocalhost: config.webhooks.allowLocalhost });
  if (!checked.ok) return { outcome: "refused", error: checked.reason };
  const secret = await signingSecret(config.keyHashSecret, endpoint.id, endpoint.secretSalt);
  const started = clock();
  const timestamp = Math.floor(started / 1000);
  const headers = {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "webhook-id": delivery.eventId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": await signWebhook(secret, delivery.eventId, timestamp, delivery.payload),
  };
  try {
    const response = await fetch(checked.url, {
      method: "POST",
      headers,
      body: delivery.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(config.webhooks.timeoutMs),
    });
    // The answer's body says nothing we keep; release it rather than read it.
    await response.body?.cancel().catch(() => undefined);
    const durationMs = Math.max(0, clock() - started);
    if (response.status >= 200 && response.status < 300) return { outcome: "delivered", responseStatus: response.status, durationMs };
    const error = response.status >= 300 && response.status < 400 ? "Redirects are not followed." : null;
    return { outcome: "failed", responseStatus: response.status, durationMs, error };
  } catch (error) {
    const durationMs = Math.max(0, clock() - started);
    const name = (error as Error).name;
    const message =
      name === "TimeoutError" || name === "AbortError"
        ? `No answer within ${config.webhooks.timeoutMs / 1000} s.`
        : `Network error: ${(error as Error).message}`;
    return { outcome: "failed", responseStatus: null, durationMs, error: message };
  }
}
