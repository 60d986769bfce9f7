/** At most one sampled event (`key.ip_refused`, `key.canary_used`) per key in any such interval. */
const SAMPLE_INTERVAL_MS = 60_000;

/** Where a sampled occurrence came from: the client's address, user agent and request path, each null when unknown. */
export interface SampledOrigin {
  /** The client address (canonical), or null: none or an unparsable one. */
  ip: string | null;
  userAgent: string | null;
  path: string | null;
}

/** One event to write: the occurrences it stands for, and where the last of them came from. */
export interface SampledReport extends SampledOrigin {
  keyId: string;
  /** Occurrences since the key's previous event, this one included. */
  count: number;
}

/** The samplers a chain keeps, each in its own table: IP-allowlist refusals, and uses of canary keys. */
export type SampledKind = "ip_refusals" | "canary_uses";

interface SampleRow extends Record<string, SqlStorageValue> {
  key_id: string;
  reported_at: number;
  unreported: number;
  last_ip: string | null;
  last_user_agent: string | null;
  last_path: string | null;
}

/**
 * Samples the audit events of things that may come in floods at a key chain (refusals from
 * outside an IP allowlist, uses of a canary key), in the chain's Durable Object SQLite, so a
 * flood writes at most one event per key per minute while every occurrence is still accounted
 * for: the first after a quiet minute is reported at once; the ones that follow within the minute
 * are counted here, and reported together (`count: n`, with the origin of the last) by the next
 * event, which the object's alarm writes once the minute is over ({@link due}) or the next
 * occurrence after it. Synchronous, like every store of the object, so an occurrence is sampled
 * in the same block (and transaction) that decides it.
 *
 * @example
 * const sampler = new EventSampler(sql, "ip_refusals");
 * const sampled = sampler.record(keyId, { ip: "203.0.113.9", userAgent: null, path: null }, now);
 * if ("report" in sampled) enqueue(sampled.report); else scheduleAlarm(sampled.dueAt);
 */
export class EventSampler {
  constructor(
    private readonly sql: SqlStorage,
    private readonly table: SampledKind,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (
      key_id TEXT PRIMARY KEY, reported_at INTEGER NOT NULL, unreported INTEGER NOT NULL, last_ip TEXT,
      last_user_agent TEXT, last_path TEXT) WITHOUT ROWID`);
    // Tables created before the sampler kept user agents and paths (ip_refusals) lack the columns.
    const columns = new Set(sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray().map((c) => c.name));
    for (const column of ["last_user_agent", "last_path"]) {
      if (!columns.has(column)) sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} TEXT`);
    }
  }

  /**
   * Records one occurrence for `keyId` at `now`: the event to write now, or, when the key had one
   * within the last minute, when the occurrences held back are due to be reported.
   */
  record(keyId: string, origin: SampledOrigin, now: number): { report: SampledReport } | { dueAt: number } {
    const row = this.sql.exec<SampleRow>(`SELECT * FROM ${this.table} WHERE key_id = ?`, keyId).toArray()[0];
    if (row && now < row.reported_at + SAMPLE_INTERVAL_MS) {
      this.sql.exec(
        `UPDATE ${this.table} SET unreported = unreported + 1, last_ip = ?, last_user_agent = ?, last_path = ? WHERE key_id = ?`,
        origin.ip, origin.userAgent, origin.path, keyId,
      );
      return { dueAt: row.reported_at + SAMPLE_INTERVAL_MS };
    }
    this.markReported(keyId, now);
    return { report: { keyId, count: (row?.unreported ?? 0) + 1, ...origin } };
  }

  /** The held-back occurrences whose minute is over at `now`, each key's as one event, marked reported. */
  due(now: number): SampledReport[] {
    const rows = this.sql
      .exec<SampleRow>(`SELECT * FROM ${this.table} WHERE unreported > 0 AND reported_at <= ?`, now - SAMPLE_INTERVAL_MS)
      .toArray();
    for (const row of rows) this.markReported(row.key_id, now);
    return rows.map((row) => ({ keyId: row.key_id, count: row.unreported, ip: row.last_ip, userAgent: row.last_user_agent, path: row.last_path }));
  }

  /** When the next held-back occurrences are due, or null: none are. */
  nextDueAt(): number | null {
    const row = this.sql.exec<{ at: number | null }>(`SELECT min(reported_at) AS at FROM ${this.table} WHERE unreported > 0`).toArray()[0];
    return row?.at == null ? null : row.at + SAMPLE_INTERVAL_MS;
  }

  private markReported(keyId: string, at: number): void {
    this.sql.exec(
      `INSERT INTO ${this.table} (key_id, reported_at, unreported, last_ip, last_user_agent, last_path) VALUES (?, ?, 0, NULL, NULL, NULL)
       ON CONFLICT (key_id) DO UPDATE SET reported_at = excluded.reported_at, unreported = 0, last_ip = NULL, last_user_agent = NULL, last_path = NULL`,
      keyId, at,
    );
  }
}
