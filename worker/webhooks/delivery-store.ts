import type { CursorPosition } from "../paging/cursor";

/** Where a delivery stands. */
export type DeliveryStatus = "pending" | "delivered" | "retrying" | "failed";

/** One delivery of one event to one endpoint. */
export interface DeliveryRecord {
  id: string;
  endpointId: string;
  orgId: string;
  eventId: string;
  eventType: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  generation: number;
  lastAttemptAt: number | null;
  lastResponseStatus: number | null;
  nextAttemptAt: number | null;
  createdAt: number;
}

/** One attempt of a delivery. */
export interface AttemptRecord {
  n: number;
  at: number;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
}

/** What an attempt did and what follows it. */
export interface AttemptOutcome {
  at: number;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  /** The delivery's status after this attempt (unless a newer sequence replaced the one it belongs to). */
  status: DeliveryStatus;
  nextAttemptAt: number | null;
}

/** A delivery to make now: its id and the attempt sequence it belongs to. */
export interface DueDelivery {
  id: string;
  generation: number;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  org_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: DeliveryStatus;
  attempts: number;
  generation: number;
  last_attempt_at: number | null;
  last_response_status: number | null;
  next_attempt_at: number | null;
  created_at: number;
}

interface AttemptRow {
  n: number;
  at: number;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
}

/** At most this many characters of an attempt's error are kept. */
const MAX_ERROR_LENGTH = 200;

/**
 * The D1 tables `webhook_deliveries` and `webhook_attempts`: all of their SQL, with bound
 * parameters only.
 *
 * @example
 * const delivery = await new DeliveryStore(env.DB).find(deliveryId);
 */
export class DeliveryStore {
  constructor(private readonly db: D1Database) {}

  /**
   * The statement that creates the delivery of an event to an endpoint, due now, unless that pair
   * has one already (UNIQUE (event_id, endpoint_id)). It returns the new row's id and generation
   * only when it created it, so of two fan-outs racing over one event exactly one sends it.
   */
  create(delivery: Pick<DeliveryRecord, "id" | "endpointId" | "orgId" | "eventId" | "eventType" | "payload" | "createdAt">): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO webhook_deliveries (id, endpoint_id, org_id, event_id, event_type, payload, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id, generation`,
      )
      .bind(delivery.id, delivery.endpointId, delivery.orgId, delivery.eventId, delivery.eventType, delivery.payload, delivery.createdAt, delivery.createdAt);
  }

  async find(id: string): Promise<DeliveryRecord | null> {
    const row = await this.db.prepare("SELECT * FROM webhook_deliveries WHERE id = ?").bind(id).first<DeliveryRow>();
    return row ? fromRow(row) : null;
  }

  /** A delivery of one of the org's endpoints, or null. */
  async findOf(orgId: string, endpointId: string, id: string): Promise<DeliveryRecord | null> {
    const row = await this.db
      .prepare("SELECT * FROM webhook_deliveries WHERE org_id = ? AND endpoint_id = ? AND id = ?")
      .bind(orgId, endpointId, id)
      .first<DeliveryRow>();
    return row ? fromRow(row) : null;
  }

  /** Newest first, `limit + 1` rows. */
  async list(endpointId: string, after: CursorPosition | null, limit: number): Promise<DeliveryRecord[]> {
    const where = ["endpoint_id = ?"];
    const params: unknown[] = [endpointId];
    if (after) {
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      params.push(after.at, after.at, after.id);
    }
    const { results } = await this.db
      .prepare(`SELECT * FROM webhook_deliveries WHERE ${where.join(" AND ")} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .bind(...params, limit + 1)
      .all<DeliveryRow>();
    return results.map(fromRow);
  }

  async attempts(deliveryId: string): Promise<AttemptRecord[]> {
    const { results } = await this.db
      .prepare("SELECT n, at, response_status, duration_ms, error FROM webhook_attempts WHERE delivery_id = ? ORDER BY n")
      .bind(deliveryId)
      .all<AttemptRow>();
    return results.map((r) => ({ n: r.n, at: r.at, responseStatus: r.response_status, durationMs: r.duration_ms, error: r.error }));
  }

  /**
   * Records one attempt (numbered after the ones before it) in one batch with the delivery's
   * counters. The status and next attempt change only while `generation` is still the
   * delivery's: an attempt of a sequence that a resend replaced is logged, and decides nothing.
   */
  async recordAttempt(id: string, generation: number, outcome: AttemptOutcome): Promise<void> {
    const error = outcome.error === null ? null : outcome.error.slice(0, MAX_ERROR_LENGTH);
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO webhook_attempts (delivery_id, n, at, response_status, duration_ms, error)
           SELECT id, attempts + 1, ?, ?, ?, ? FROM webhook_deliveries WHERE id = ?`,
        )
        .bind(outcome.at, outcome.responseStatus, outcome.durationMs, error, id),
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = ?, last_response_status = ?,
             status = CASE WHEN generation = ? THEN ? ELSE status END,
             next_attempt_at = CASE WHEN generation = ? THEN ? ELSE next_attempt_at END
           WHERE id = ?`,
        )
        .bind(outcome.at, outcome.responseStatus, generation, outcome.status, generation, outcome.nextAttemptAt, id),
    ]);
  }

  /** Marks the delivery failed if `generation` is still its sequence and it has not succeeded; true when it did. */
  async markFailed(id: string, generation: number): Promise<boolean> {
    const result = await this.db
      .prepare(
        "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL WHERE id = ? AND generation = ? AND status IN ('pending', 'retrying')",
      )
      .bind(id, generation)
      .run();
    return result.meta.changes === 1;
  }

  /** Starts a new sequence of attempts now (a resend, or the sweep); the delivery as it now stands. */
  async restart(id: string, at: number): Promise<DeliveryRecord | null> {
    const row = await this.db
      .prepare("UPDATE webhook_deliveries SET status = 'pending', generation = generation + 1, next_attempt_at = ? WHERE id = ? RETURNING *")
      .bind(at, id)
      .first<DeliveryRow>();
    return row ? fromRow(row) : null;
  }

  /**
   * Deliveries whose next attempt was due before `before` and never came (its queue message was
   * lost), oldest first: each gets a new sequence, due now. Those whose retries were all used up
   * and whose dead letter never came are marked failed instead.
   */
  async restartStuck(before: number, at: number, limit: number): Promise<DueDelivery[]> {
    const [, restarted] = await this.db.batch<DueDelivery>([
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET status = 'failed' WHERE id IN (
             SELECT id FROM webhook_deliveries WHERE status = 'retrying' AND next_attempt_at IS NULL AND last_attempt_at < ? LIMIT ?)`,
        )
        .bind(before, limit),
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET status = 'pending', generation = generation + 1, next_attempt_at = ? WHERE id IN (
             SELECT id FROM webhook_deliveries WHERE status IN ('pending', 'retrying') AND next_attempt_at < ? ORDER BY next_attempt_at LIMIT ?)
           RETURNING id, generation`,
        )
        .bind(at, before, limit),
    ]);
    return restarted!.results;
  }

  /** Deletes finished deliveries (delivered or failed) created before `before`, with their attempts; how many went. */
  async prune(before: number, limit: number): Promise<number> {
    const old = "SELECT id FROM webhook_deliveries WHERE created_at < ? AND status IN ('delivered', 'failed') ORDER BY created_at, id LIMIT ?";
    const [, deleted] = await this.db.batch([
      this.db.prepare(`DELETE FROM webhook_attempts WHERE delivery_id IN (${old})`).bind(before, limit),
      this.db.prepare(`DELETE FROM webhook_deliveries WHERE id IN (${old})`).bind(before, limit),
    ]);
    return deleted!.meta.changes;
  }
}

function fromRow(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    orgId: row.org_id,
    eventId: row.event_id,
    eventType: row.event_type,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    generation: row.generation,
    lastAttemptAt: row.last_attempt_at,
    lastResponseStatus: row.last_response_status,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
  };
}
