// orgs/: each org's own policies (what overrides the deployment's defaults for one org): the D1
// store, the rule that resolves them against the configuration, and their schemas. Floor: imports
// config, schemas/ and below.

import type { Config, LeakPolicy } from "../config";

/** What an org set for itself; null: the deployment's default applies. */
export interface OrgPolicySettings {
  leakPolicy: LeakPolicy | null;
}

/** An org's policies as they apply: its own settings, or the deployment's defaults in their place. */
export interface EffectivePolicy {
  leakPolicy: LeakPolicy;
}

/** An org's stored policy row: its settings and when the update that wrote them arrived (null: never set). */
export interface OrgPolicyRecord {
  orgId: string;
  settings: OrgPolicySettings;
  updatedAt: number | null;
}

const UNSET: OrgPolicySettings = { leakPolicy: null };

interface OrgPolicyRow {
  org_id: string;
  leak_policy: LeakPolicy | null;
  updated_at: number;
}

/**
 * The D1 table `org_policies`: all of its SQL, with bound parameters only. An org without a row
 * has set nothing.
 *
 * @example
 * const record = await new OrgPolicyStore(env.DB).get("org_acme");
 * const { leakPolicy } = effectivePolicy(record.settings, config);
 */
export class OrgPolicyStore {
  constructor(private readonly db: D1Database) {}

  /** The org's settings; every field null when it never set any. */
  async get(orgId: string): Promise<OrgPolicyRecord> {
    const row = await this.db.prepare("SELECT * FROM org_policies WHERE org_id = ?").bind(orgId).first<OrgPolicyRow>();
    return row ? { orgId, settings: { leakPolicy: row.leak_policy }, updatedAt: row.updated_at } : { orgId, settings: { ...UNSET }, updatedAt: null };
  }

  /**
   * Replaces the org's settings with those of an update that arrived at `receivedAt`, unless an
   * update that arrived later is already stored (then that one stands). Returns the row as it
   * now stands, from the same statement.
   */
  async put(orgId: string, settings: OrgPolicySettings, receivedAt: number): Promise<OrgPolicyRecord> {
    const row = await this.db
      .prepare(
        `INSERT INTO org_policies (org_id, leak_policy, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (org_id) DO UPDATE SET leak_policy = excluded.leak_policy, updated_at = excluded.updated_at
           WHERE excluded.updated_at >= org_policies.updated_at
         RETURNING *`,
      )
      .bind(orgId, settings.leakPolicy, receivedAt)
      .first<OrgPolicyRow>();
    // No row returned: a later update stands; read it.
    return row ? { orgId, settings: { leakPolicy: row.leak_policy }, updatedAt: row.updated_at } : this.get(orgId);
  }
}

/**
 * An org's policies as they apply: each setting it made, else the deployment's default.
 *
 * @example
 * effectivePolicy({ leakPolicy: null }, config); // { leakPolicy: config.leaks.policy }
 */
export function effectivePolicy(settings: OrgPolicySettings, config: Config): EffectivePolicy {
  return { leakPolicy: settings.leakPolicy ?? config.leaks.policy };
}
