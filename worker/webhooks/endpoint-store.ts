import type { WebhookEvent } from "./webhook-events";

/** A webhook endpoint as stored (the signing secret is not: only its salt). */
export interface EndpointRecord {
  id: string;
  orgId: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  enabled: boolean;
  secretSalt: string;
  createdAt: number;
  updatedAt: number;
}

/** What an update may change. */
export interface EndpointChanges {
  url?: string;
  events?: WebhookEvent[];
  description?: string | null;
  enabled?: boolean;
}

interface EndpointRow {
  id: string;
  org_id: string;
  url: string;
  events: string;
  description: string | null;
  enabled: number;
  secret_salt: string;
  created_at: number;
  updated_at: number;
}

/**
 * The D1 table `webhook_endpoints`: all of its SQL, with bound parameters only. Every read and
 * write names the org, so an id of another org's endpoint finds nothing.
 *
 * @example
 * const endpoints = await new EndpointStore(env.DB).list(orgId);
 */
export class EndpointStore {
  constructor(private readonly db: D1Database) {}

  /** The org's endpoints, oldest first. */
  async list(orgId: string): Promise<EndpointRecord[]> {
    const { results } = await this.db
      .prepare("SELECT * FROM webhook_endpoints WHERE org_id = ? ORDER BY created_at, id")
      .bind(orgId)
      .all<EndpointRow>();
    return results.map(fromRow);
  }

  async find(orgId: string, id: string): Promise<EndpointRecord | null> {
    const row = await this.db.prepare("SELECT * FROM webhook_endpoints WHERE org_id = ? AND id = ?").bind(orgId, id).first<EndpointRow>();
    return row ? fromRow(row) : null;
  }

  /**
   * Inserts the endpoint unless its org already has `limit` of them; false when the limit
   * refused it. One statement, so concurrent inserts cannot pass the limit together.
   */
  async insertWithin(endpoint: EndpointRecord, limit: number): Promise<boolean> {
    const result = await this.db
      .prepare(
        `INSERT INTO webhook_endpoints (id, org_id, url, events, description, enabled, secret_salt, created_at, updated_at)
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE (SELECT count(*) FROM webhook_endpoints WHERE org_id = ?) < ?`,
      )
      .bind(
        endpoint.id, endpoint.orgId, endpoint.url, JSON.stringify(endpoint.events), endpoint.description, endpoint.enabled ? 1 : 0,
        endpoint.secretSalt, endpoint.createdAt, endpoint.updatedAt, endpoint.orgId, limit,
      )
      .run();
    return result.meta.changes === 1;
  }

  /** Applies the changes given; the endpoint as it now stands, or null when the org has no such endpoint. */
  async update(orgId: string, id: string, changes: EndpointChanges, at: number): Promise<EndpointRecord | null> {
    const sets = ["updated_at = ?"];
    const params: unknown[] = [at];
    if (changes.url !== undefined) sets.push("url = ?"), params.push(changes.url);
    if (changes.events !== undefined) sets.push("events = ?"), params.push(JSON.stringify(changes.events));
    if (changes.description !== undefined) sets.push("description = ?"), params.push(changes.description);
    if (changes.enabled !== undefined) sets.push("enabled = ?"), params.push(changes.enabled ? 1 : 0);
    const row = await this.db
      .prepare(`UPDATE webhook_endpoints SET ${sets.join(", ")} WHERE org_id = ? AND id = ? RETURNING *`)
      .bind(...params, orgId, id)
      .first<EndpointRow>();
    return row ? fromRow(row) : null;
  }

  /** Deletes the endpoint with its deliveries and their attempts; false when the org has no such endpoint. */
  async delete(orgId: string, id: string): Promise<boolean> {
    const owned = "SELECT id FROM webhook_endpoints WHERE org_id = ? AND id = ?";
    const results = await this.db.batch([
      this.db
        .prepare(`DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE endpoint_id IN (${owned}))`)
        .bind(orgId, id),
      this.db.prepare(`DELETE FROM webhook_deliveries WHERE endpoint_id IN (${owned})`).bind(orgId, id),
      this.db.prepare("DELETE FROM webhook_endpoints WHERE org_id = ? AND id = ?").bind(orgId, id),
    ]);
    return results[2]!.meta.changes === 1;
  }
}

function fromRow(row: EndpointRow): EndpointRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    url: row.url,
    events: JSON.parse(row.events) as WebhookEvent[],
    description: row.description,
    enabled: row.enabled === 1,
    secretSalt: row.secret_salt,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
