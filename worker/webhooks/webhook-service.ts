import type { Config } from "../config";
import { randomBase62 } from "../crypto/base62";
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from "../paging/cursor";
import { type AttemptRecord, type DeliveryRecord, DeliveryStore } from "./delivery-store";
import { type EndpointChanges, type EndpointRecord, EndpointStore } from "./endpoint-store";
import { checkEndpointUrl } from "./endpoint-url";
import { WEBHOOK_EVENTS } from "./webhook-events";
import { queueDeliveries } from "./webhook-queue";
import type { CreateEndpointInput, DeliveryDetailView, DeliveryView, EndpointView, UpdateEndpointInput } from "./webhook-schemas";
import { newSecretSalt, signingSecret } from "./webhook-signature";

/** How many endpoints one org may register. */
export const MAX_ENDPOINTS_PER_ORG = 20;

/**
 * Why a webhook use case did not happen, as values; routes/webhook-routes.ts words them.
 *
 * - `not_found`: the org has no such endpoint or delivery (another org's is the same answer).
 * - `invalid_url`: the URL is refused (`reason` says why).
 * - `endpoint_limit`: the org has {@link MAX_ENDPOINTS_PER_ORG} endpoints already.
 * - `endpoint_disabled`: a resend to a disabled endpoint.
 */
export type WebhookRefusal =
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "invalid_url"; message: string }
  | { ok: false; reason: "endpoint_limit"; limit: number }
  | { ok: false; reason: "endpoint_disabled" };

type Outcome<T, R extends WebhookRefusal["reason"]> = ({ ok: true } & T) | Extract<WebhookRefusal, { reason: R }>;

/**
 * An org's webhook endpoints and their deliveries, as its admins manage them (through the user
 * API for admins and the host backend's admin API alike: callers decide who may act for which
 * org; every method is confined to `orgId`).
 *
 * @example
 * const created = await new WebhookService(env, config).create(orgId, { url: "https://hooks.example.com/keys" });
 * if (created.ok) show(created.endpoint, created.secret);
 */
export class WebhookService {
  private readonly endpoints: EndpointStore;
  private readonly deliveries: DeliveryStore;

  constructor(
    private readonly env: Pick<Env, "DB" | "WEBHOOK_QUEUE">,
    private readonly config: Config,
    private readonly clock: () => number = Date.now,
  ) {
    this.endpoints = new EndpointStore(env.DB);
    this.deliveries = new DeliveryStore(env.DB);
  }

  async list(orgId: string): Promise<EndpointView[]> {
    return (await this.endpoints.list(orgId)).map(endpointView);
  }

  /** Registers an endpoint listening for `events` (every type when omitted); its signing secret is in this answer only. */
  async create(orgId: string, input: CreateEndpointInput): Promise<Outcome<{ endpoint: EndpointView; secret: string }, "invalid_url" | "endpoint_limit">> {
    const url = this.checkUrl(input.url);
    if (!url.ok) return url;
    const now = this.clock();
    const record: EndpointRecord = {
      id: `whk_${randomBase62(24)}`,
      orgId,
      url: url.url,
      events: input.events ?? [...WEBHOOK_EVENTS],
      description: input.description ?? null,
      enabled: true,
      secretSalt: newSecretSalt(),
      createdAt: now,
      updatedAt: now,
    };
    if (!(await this.endpoints.insertWithin(record, MAX_ENDPOINTS_PER_ORG))) return { ok: false, reason: "endpoint_limit", limit: MAX_ENDPOINTS_PER_ORG };
    const secret = await signingSecret(this.config.keyHashSecret, record.id, record.secretSalt);
    return { ok: true, endpoint: endpointView(record), secret };
  }

  /** Changes the URL (checked as on create), the event types, the description or whether it is enabled. */
  async update(orgId: string, id: string, input: UpdateEndpointInput): Promise<Outcome<{ endpoint: EndpointView }, "not_found" | "invalid_url">> {
    const changes: EndpointChanges = { events: input.events, description: input.description, enabled: input.enabled };
    if (input.url !== undefined) {
      const url = this.checkUrl(input.url);
      if (!url.ok) return url;
      changes.url = url.url;
    }
    const updated = await this.endpoints.update(orgId, id, changes, this.clock());
    return updated ? { ok: true, endpoint: endpointView(updated) } : { ok: false, reason: "not_found" };
  }

  /** Deletes the endpoint, its deliveries and their attempts: nothing more is sent to it. */
  async remove(orgId: string, id: string): Promise<Outcome<object, "not_found">> {
    return (await this.endpoints.delete(orgId, id)) ? { ok: true } : { ok: false, reason: "not_found" };
  }

  /** The endpoint's deliveries, newest first, paginated. */
  async deliveriesOf(
    orgId: string,
    id: string,
    query: { limit?: number; cursor?: string },
  ): Promise<Outcome<{ deliveries: DeliveryView[]; nextCursor: string | null }, "not_found">> {
    if (!(await this.endpoints.find(orgId, id))) return { ok: false, reason: "not_found" };
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const scope = `webhook-deliveries:${orgId}:${id}`;
    const after = query.cursor ? await decodeCursor(query.cursor, scope, this.config.keyHashSecret) : null;
    const rows = await this.deliveries.list(id, after, limit);
    const page = await pageOf(rows, limit, (d) => ({ at: d.createdAt, id: d.id }), scope, this.config.keyHashSecret);
    return { ok: true, deliveries: page.items.map(deliveryView), nextCursor: page.nextCursor };
  }

  /** One delivery with every attempt. */
  async delivery(orgId: string, id: string, deliveryId: string): Promise<Outcome<{ delivery: DeliveryDetailView }, "not_found">> {
    const delivery = await this.deliveries.findOf(orgId, id, deliveryId);
    if (!delivery) return { ok: false, reason: "not_found" };
    const attempts = await this.deliveries.attempts(deliveryId);
    return { ok: true, delivery: { ...deliveryView(delivery), attemptLog: attempts.map(attemptView) } };
  }

  /**
   * Sends a delivery again, whatever its status: a new sequence of attempts with the whole retry
   * schedule, the same body and the same `webhook-id`. A sequence still running is replaced.
   */
  async resend(orgId: string, id: string, deliveryId: string): Promise<Outcome<{ delivery: DeliveryView }, "not_found" | "endpoint_disabled">> {
    const endpoint = await this.endpoints.find(orgId, id);
    if (!endpoint || !(await this.deliveries.findOf(orgId, id, deliveryId))) return { ok: false, reason: "not_found" };
    if (!endpoint.enabled) return { ok: false, reason: "endpoint_disabled" };
    const restarted = await this.deliveries.restart(deliveryId, this.clock());
    if (!restarted) return { ok: false, reason: "not_found" };
    // If the queue refuses, the delivery is due now and the sweep sends it.
    await queueDeliveries(this.env, [restarted]).catch((error: unknown) => console.error(`resend of ${deliveryId} not queued yet: ${(error as Error).message}`));
    return { ok: true, delivery: deliveryView(restarted) };
  }

  private checkUrl(raw: string): { ok: true; url: string } | Extract<WebhookRefusal, { reason: "invalid_url" }> {
    const checked = checkEndpointUrl(raw, { allowLocalhost: this.config.webhooks.allowLocalhost });
    return checked.ok ? checked : { ok: false, reason: "invalid_url", message: checked.reason };
  }
}

function endpointView(record: EndpointRecord): EndpointView {
  return {
    id: record.id,
    url: record.url,
    events: record.events,
    description: record.description,
    enabled: record.enabled,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

function deliveryView(record: DeliveryRecord): DeliveryView {
  return {
    id: record.id,
    eventId: record.eventId,
    eventType: record.eventType as DeliveryView["eventType"],
    status: record.status,
    attempts: record.attempts,
    lastAttemptAt: isoOrNull(record.lastAttemptAt),
    lastResponseStatus: record.lastResponseStatus,
    nextAttemptAt: isoOrNull(record.nextAttemptAt),
    createdAt: iso(record.createdAt),
  };
}

function attemptView(attempt: AttemptRecord): DeliveryDetailView["attemptLog"][number] {
  return { n: attempt.n, at: iso(attempt.at), responseStatus: attempt.responseStatus, durationMs: attempt.durationMs, error: attempt.error };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
