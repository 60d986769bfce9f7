/** At most one `key.ip_refused` event per key in any such interval. */
export const IP_REFUSAL_SAMPLE_MS = 60_000;

/** One `key.ip_refused` event to write: the refusals it stands for, and the address of the last. */
export interface IpRefusalReport {
  keyId: string;
  /** Refusals since the key's previous event, this one included. */
  refused: number;
  /** The refused client address (canonical), or null: none or an unparsable one. */
  ip: string | null;
}

interface SampleRow extends Record<string, SqlStorageValue> {
  key_id: string;
  reported_at: number;
  unreported: number;
  last_ip: string | null;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS ip_refusals (
  key_id TEXT PRIMARY KEY, reported_at INTEGER NOT NULL, unreported INTEGER NOT NULL, last_ip TEXT) WITHOUT ROWID`;

/**
 * Samples the audit events of a key chain's IP-allowlist refusals, in the chain's Durable Object
 * SQLite, so a flood from outside an allowlist writes at most one `key.ip_refused` event per key
 * per minute while every refusal is still accounted for: the first refusal after a quiet minute
 * is reported at once; the ones that follow within the minute are counted here, and reported
 * together (`refused: n`) by the next event, which the object's alarm writes once the minute is
 * over ({@link due}) or the next refusal after it. Synchronous, like every store of the object,
 * so a refusal is sampled in the same block (and transaction) that decides it.
 *
 * @example
 * const sampled = sampler.record(keyId, "203.0.113.9", now);
 * if ("report" in sampled) enqueue(sampled.report); else scheduleAlarm(sampled.dueAt);
 */
export class IpRefusalSampler {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  /**
   * Records one refusal of `keyId` at `now`: the event to write now, or, when the key had one
   * within the last minute, when the refusals held back are due to be reported.
   */
  record(keyId: string, ip: string | null, now: number): { report: IpRefusalReport } | { dueAt: number } {
    const row = this.sql.exec<SampleRow>("SELECT * FROM ip_refusals WHERE key_id = ?", keyId).toArray()[0];
    if (row && now < row.reported_at + IP_REFUSAL_SAMPLE_MS) {
      this.sql.exec("UPDATE ip_refusals SET unreported = unreported + 1, last_ip = ? WHERE key_id = ?", ip, keyId);
      return { dueAt: row.reported_at + IP_REFUSAL_SAMPLE_MS };
    }
    this.markReported(keyId, now);
    return { report: { keyId, refused: (row?.unreported ?? 0) + 1, ip } };
  }

  /** The held-back refusals whose minute is over at `now`, each as one event, marked reported. */
  due(now: number): IpRefusalReport[] {
    const rows = this.sql
      .exec<SampleRow>("SELECT * FROM ip_refusals WHERE unreported > 0 AND reported_at <= ?", now - IP_REFUSAL_SAMPLE_MS)
      .toArray();
    for (const row of rows) this.markReported(row.key_id, now);
    return rows.map((row) => ({ keyId: row.key_id, refused: row.unreported, ip: row.last_ip }));
  }

  /** When the next held-back refusals are due, or null: none are. */
  nextDueAt(): number | null {
    const row = this.sql.exec<{ at: number | null }>("SELECT min(reported_at) AS at FROM ip_refusals WHERE unreported > 0").toArray()[0];
    return row?.at == null ? null : row.at + IP_REFUSAL_SAMPLE_MS;
  }

  private markReported(keyId: string, at: number): void {
    this.sql.exec(
      `INSERT INTO ip_refusals (key_id, reported_at, unreported, last_ip) VALUES (?, ?, 0, NULL)
       ON CONFLICT (key_id) DO UPDATE SET reported_at = excluded.reported_at, unreported = 0, last_ip = NULL`,
      keyId, at,
    );
  }
}
