import type { AuditRecord } from "../audit/audit-store";
import { AuditStore } from "../audit/audit-store";

/**
 * The D1 table `webhook_outbox`: the audit events some endpoint is owed, as the trigger of
 * migrations/0008_webhooks.sql wrote them, until the fan-out turns them into deliveries. All of
 * its SQL, with bound parameters only.
 *
 * @example
 * const owed = await new WebhookOutbox(env.DB).oldest(25);
 */
export class WebhookOutbox {
  constructor(private readonly db: D1Database) {}

  /**
   * A read to run at the end of the batch that appended `eventIds`: how many of them the
   * trigger marked as owed (`owed` in its first row). Costs no round trip of its own.
   */
  owedOf(eventIds: readonly string[]): D1PreparedStatement {
    const marks = eventIds.map(() => "?").join(", ");
    return this.db.prepare(`SELECT count(*) AS owed FROM webhook_outbox WHERE event_id IN (${marks})`).bind(...eventIds);
  }

  /** Whether any event waits for its fan-out. */
  async any(): Promise<boolean> {
    return (await this.db.prepare("SELECT 1 AS found FROM webhook_outbox LIMIT 1").first("found")) !== null;
  }

  /** The oldest owed events with what the audit log says of them (an id without its event is dropped by the fan-out). */
  async oldest(limit: number): Promise<{ eventId: string; event: AuditRecord | null }[]> {
    const { results } = await this.db
      .prepare("SELECT event_id FROM webhook_outbox ORDER BY queued_at, event_id LIMIT ?")
      .bind(limit)
      .all<{ event_id: string }>();
    if (results.length === 0) return [];
    const events = await new AuditStore(this.db).findMany(results.map((r) => r.event_id));
    return results.map((r) => ({ eventId: r.event_id, event: events.get(r.event_id) ?? null }));
  }

  /** The statement that settles events whose deliveries exist now. */
  clear(eventIds: readonly string[]): D1PreparedStatement {
    const marks = eventIds.map(() => "?").join(", ");
    return this.db.prepare(`DELETE FROM webhook_outbox WHERE event_id IN (${marks})`).bind(...eventIds);
  }
}
