// orgs/: each org's own policies (what overrides the deployment's defaults for one org): the D1
// store, the rule that resolves them against the configuration, and their schemas. Floor: imports
// config, schemas/ and below.

import type { Config, LeakPolicy } from "../config";
import type { FieldError } from "../errors/failure";

/** One entry of a key-limit ceiling: at most `limit` requests in any `windowSeconds`. */
export interface LimitCeiling {
  windowSeconds: number;
  limit: number;
}

/**
 * The ceiling for per-key rate limits when an org sets none: the fixed policies every key had
 * before per-key limits (SPEC §6, the help article's numbers), 10 in any second and 100 in any
 * minute. A test keeps it equal to limiter/'s POLICIES.
 */
export const DEFAULT_KEY_LIMIT_CEILING: readonly LimitCeiling[] = [
  { windowSeconds: 1, limit: 10 },
  { windowSeconds: 60, limit: 100 },
];

/**
 * Who may set a key's own rate limits and credits: `owners`, the key's owner and the org's admins
 * (within the ceiling); `operator`, only the host backend (ADMIN_API_TOKEN), so a product can meter
 * its plans with credits no member can lift or top up.
 */
export type KeyTermsSetBy = "owners" | "operator";

/** What an org set for itself; null: the deployment's default applies. */
export interface OrgPolicySettings {
  leakPolicy: LeakPolicy | null;
  /** true: every new key must expire (a create may not ask for "never"). */
  requireExpiry: boolean | null;
  /** The latest expiry a new key may get, in days from its creation. */
  maxKeyLifetimeDays: number | null;
  /** The expiry a create that omits `expiresAt` gets, in days. */
  defaultExpiryDays: number | null;
  /** The exact cap on a user's active keys. */
  maxActiveKeysPerUser: number | null;
  /** The most a key's own rate limits may allow, per window. */
  keyLimitCeiling: LimitCeiling[] | null;
  /** false: only the org's admins create keys. */
  membersMayCreateKeys: boolean | null;
  /** The daily cron revokes keys unused for this many days. */
  revokeUnusedAfterDays: number | null;
  /** Who may set a key's own limits and credits. */
  keyTermsSetBy: KeyTermsSetBy | null;
}

/** An org's policies as they apply: its own settings, or the deployment's defaults in their place. */
export interface EffectivePolicy {
  leakPolicy: LeakPolicy;
  requireExpiry: boolean;
  maxKeyLifetimeDays: number;
  /** null: a create that omits `expiresAt` gets a key that never expires (unless `requireExpiry`, which then refuses it). */
  defaultExpiryDays: number | null;
  maxActiveKeysPerUser: number;
  keyLimitCeiling: LimitCeiling[];
  membersMayCreateKeys: boolean;
  /** null: unused keys are never revoked automatically. */
  revokeUnusedAfterDays: number | null;
  keyTermsSetBy: KeyTermsSetBy;
}

/** An org's stored policy row: its settings and when the update that wrote them arrived (null: never set). */
export interface OrgPolicyRecord {
  orgId: string;
  settings: OrgPolicySettings;
  updatedAt: number | null;
}

/** Settings of an org that set nothing: every field follows the deployment's default. */
export const UNSET_POLICY: Readonly<OrgPolicySettings> = {
  leakPolicy: null,
  requireExpiry: null,
  maxKeyLifetimeDays: null,
  defaultExpiryDays: null,
  maxActiveKeysPerUser: null,
  keyLimitCeiling: null,
  membersMayCreateKeys: null,
  revokeUnusedAfterDays: null,
  keyTermsSetBy: null,
};

interface OrgPolicyRow {
  org_id: string;
  leak_policy: LeakPolicy | null;
  require_expiry: number | null;
  max_key_lifetime_days: number | null;
  default_expiry_days: number | null;
  max_active_keys_per_user: number | null;
  key_limit_ceiling: string | null;
  members_may_create_keys: number | null;
  revoke_unused_after_days: number | null;
  key_terms_set_by: KeyTermsSetBy | null;
  updated_at: number;
}

const flag = (value: number | null): boolean | null => (value === null ? null : value === 1);
const bit = (value: boolean | null): number | null => (value === null ? null : value ? 1 : 0);

function settingsOf(row: OrgPolicyRow): OrgPolicySettings {
  return {
    leakPolicy: row.leak_policy,
    requireExpiry: flag(row.require_expiry),
    maxKeyLifetimeDays: row.max_key_lifetime_days,
    defaultExpiryDays: row.default_expiry_days,
    maxActiveKeysPerUser: row.max_active_keys_per_user,
    keyLimitCeiling: row.key_limit_ceiling === null ? null : (JSON.parse(row.key_limit_ceiling) as LimitCeiling[]),
    membersMayCreateKeys: flag(row.members_may_create_keys),
    revokeUnusedAfterDays: row.revoke_unused_after_days,
    keyTermsSetBy: row.key_terms_set_by,
  };
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
    return row ? { orgId, settings: settingsOf(row), updatedAt: row.updated_at } : { orgId, settings: { ...UNSET_POLICY }, updatedAt: null };
  }

  /**
   * Replaces the org's settings with those of an update that arrived at `receivedAt`, unless an
   * update that arrived later is already stored (then that one stands). Returns the row as it
   * now stands, from the same statement.
   */
  async put(orgId: string, settings: OrgPolicySettings, receivedAt: number): Promise<OrgPolicyRecord> {
    const row = await this.db
      .prepare(
        `INSERT INTO org_policies (org_id, leak_policy, require_expiry, max_key_lifetime_days, default_expiry_days,
           max_active_keys_per_user, key_limit_ceiling, members_may_create_keys, revoke_unused_after_days, key_terms_set_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (org_id) DO UPDATE SET leak_policy = excluded.leak_policy, require_expiry = excluded.require_expiry,
           max_key_lifetime_days = excluded.max_key_lifetime_days, default_expiry_days = excluded.default_expiry_days,
           max_active_keys_per_user = excluded.max_active_keys_per_user, key_limit_ceiling = excluded.key_limit_ceiling,
           members_may_create_keys = excluded.members_may_create_keys, revoke_unused_after_days = excluded.revoke_unused_after_days,
           key_terms_set_by = excluded.key_terms_set_by, updated_at = excluded.updated_at
           WHERE excluded.updated_at >= org_policies.updated_at
         RETURNING *`,
      )
      .bind(
        orgId,
        settings.leakPolicy,
        bit(settings.requireExpiry),
        settings.maxKeyLifetimeDays,
        settings.defaultExpiryDays,
        settings.maxActiveKeysPerUser,
        settings.keyLimitCeiling === null ? null : JSON.stringify(settings.keyLimitCeiling),
        bit(settings.membersMayCreateKeys),
        settings.revokeUnusedAfterDays,
        settings.keyTermsSetBy,
        receivedAt,
      )
      .first<OrgPolicyRow>();
    // No row returned: a later update stands; read it.
    return row ? { orgId, settings: settingsOf(row), updatedAt: row.updated_at } : this.get(orgId);
  }
}

/**
 * An org's policies as they apply: each setting it made, else the deployment's default
 * (`LEAK_POLICY`, `MAX_KEY_LIFETIME_DAYS`, `MAX_ACTIVE_KEYS_PER_USER`; the others default to
 * unrestricted: expiry optional, no default expiry, the fixed 10/1 s and 100/60 s ceiling, members
 * create keys, nothing revoked for disuse, owners set their keys' limits and credits).
 *
 * @example
 * effectivePolicy(UNSET_POLICY, config).maxActiveKeysPerUser; // config.maxActiveKeysPerUser
 */
export function effectivePolicy(settings: OrgPolicySettings, config: Config): EffectivePolicy {
  return {
    leakPolicy: settings.leakPolicy ?? config.leaks.policy,
    requireExpiry: settings.requireExpiry ?? false,
    maxKeyLifetimeDays: settings.maxKeyLifetimeDays ?? config.maxKeyLifetimeDays,
    defaultExpiryDays: settings.defaultExpiryDays,
    maxActiveKeysPerUser: settings.maxActiveKeysPerUser ?? config.maxActiveKeysPerUser,
    keyLimitCeiling: settings.keyLimitCeiling ?? DEFAULT_KEY_LIMIT_CEILING.map((entry) => ({ ...entry })),
    membersMayCreateKeys: settings.membersMayCreateKeys ?? true,
    revokeUnusedAfterDays: settings.revokeUnusedAfterDays,
    keyTermsSetBy: settings.keyTermsSetBy ?? "owners",
  };
}

/**
 * The rules between fields that the body's schema cannot check alone, against the deployment's
 * defaults: a default expiry within the maximum lifetime (the org's, or `MAX_KEY_LIFETIME_DAYS`).
 * Empty when the settings hold together.
 *
 * @example
 * const errors = policyConflicts(settings, config);
 * if (errors.length > 0) throw new Failure("validation_failed", "The request body has invalid fields.", { errors });
 */
export function policyConflicts(settings: OrgPolicySettings, config: Config): FieldError[] {
  const errors: FieldError[] = [];
  const max = settings.maxKeyLifetimeDays ?? config.maxKeyLifetimeDays;
  if (settings.defaultExpiryDays !== null && settings.defaultExpiryDays > max) {
    const whose = settings.maxKeyLifetimeDays === null ? "the deployment's MAX_KEY_LIFETIME_DAYS" : "maxKeyLifetimeDays";
    errors.push({ field: "defaultExpiryDays", message: `defaultExpiryDays must be at most ${max} (${whose}).` });
  }
  return errors;
}
