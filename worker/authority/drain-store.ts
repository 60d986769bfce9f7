/** A rotated key's grace period as its chain's object tracks it (drain-aware rotation). */
export interface Drain {
  /** The rotated (old) key. */
  keyId: string;
  successorId: string;
  rotatedAt: number;
  /** Admitted requests of the old key since the rotation. */
  uses: number;
  /** `graceUntilIdle.idleSeconds` in ms, or null: the grace ends only at its fixed end (or a revoke). */
  idleMs: number | null;
  /** The successor's first admitted request, or null: not used yet. */
  successorUsedAt: number | null;
  /** When the grace ended because the old key was idle (its expiry was set to this), or null. */
  endedAt: number | null;
}

interface DrainRow extends Record<string, SqlStorageValue> {
  key_id: string;
  successor_id: string;
  rotated_at: number;
  uses: number;
  idle_ms: number | null;
  successor_used_at: number | null;
  ended_at: number | null;
  closed: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS drains (
    key_id TEXT PRIMARY KEY, successor_id TEXT NOT NULL, rotated_at INTEGER NOT NULL,
    uses INTEGER NOT NULL DEFAULT 0, idle_ms INTEGER, successor_used_at INTEGER, ended_at INTEGER,
    closed INTEGER NOT NULL DEFAULT 0);
`;

const fromRow = (r: DrainRow): Drain => ({
  keyId: r.key_id,
  successorId: r.successor_id,
  rotatedAt: r.rotated_at,
  uses: r.uses,
  idleMs: r.idle_ms,
  successorUsedAt: r.successor_used_at,
  endedAt: r.ended_at,
});

/**
 * The grace periods of a chain's rotated keys, in the chain object's SQLite (its own table, so
 * chains placed before drain-aware rotation simply get it). A drain is open from the rotation
 * until the old key stops working (its grace ends, by idleness or at its fixed end, or it is
 * revoked): while open, the old key's admissions are counted and the successor's first one noted.
 * The open drains' ids are kept in memory, so a chain without any costs its requests nothing.
 * Every method is synchronous.
 *
 * @example
 * const drains = new DrainStore(ctx.storage.sql);
 * drains.start(oldId, successorId, now, 3_600_000);
 */
export class DrainStore {
  /** Old key id → successor id, of the open drains. */
  private readonly open = new Map<string, string>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
    for (const row of sql.exec<{ key_id: string; successor_id: string }>("SELECT key_id, successor_id FROM drains WHERE closed = 0")) {
      this.open.set(row.key_id, row.successor_id);
    }
  }

  /** Opens the drain of a rotation. */
  start(keyId: string, successorId: string, rotatedAt: number, idleMs: number | null): void {
    this.sql.exec(
      "INSERT INTO drains (key_id, successor_id, rotated_at, idle_ms) VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING",
      keyId, successorId, rotatedAt, idleMs,
    );
    this.open.set(keyId, successorId);
  }

  find(keyId: string): Drain | null {
    const row = this.sql.exec<DrainRow>("SELECT * FROM drains WHERE key_id = ?", keyId).toArray()[0];
    return row ? fromRow(row) : null;
  }

  /** The open drain of the old key `keyId`, or null (no memory read when there is none). */
  openOf(keyId: string): Drain | null {
    return this.open.has(keyId) ? this.find(keyId) : null;
  }

  /** Every open drain with an idle rule. */
  openIdle(): Drain[] {
    if (this.open.size === 0) return [];
    return this.sql.exec<DrainRow>("SELECT * FROM drains WHERE closed = 0 AND idle_ms IS NOT NULL").toArray().map(fromRow);
  }

  /**
   * Notes an admitted request of `keyId`: one more use if it is an old key in its grace, the
   * successor's first use if it is the successor of one. Returns the drain whose successor was
   * used for the first time (its end may now be known), or null.
   */
  noteAdmission(keyId: string, at: number): Drain | null {
    if (this.open.size === 0) return null;
    if (this.open.has(keyId)) this.sql.exec("UPDATE drains SET uses = uses + 1 WHERE key_id = ?", keyId);
    for (const [oldId, successorId] of this.open) {
      if (successorId !== keyId) continue;
      const row = this.sql
        .exec<DrainRow>("UPDATE drains SET successor_used_at = ? WHERE key_id = ? AND successor_used_at IS NULL RETURNING *", at, oldId)
        .toArray()[0];
      return row ? fromRow(row) : null;
    }
    return null;
  }

  /** Ends a drain because the old key was idle: it stops at `at`. */
  endByIdle(keyId: string, at: number): void {
    this.sql.exec("UPDATE drains SET ended_at = ?, closed = 1 WHERE key_id = ?", at, keyId);
    this.open.delete(keyId);
  }

  /** Closes a drain whose old key stopped working otherwise (its fixed end, a revoke): nothing more to track. */
  close(keyId: string): void {
    this.sql.exec("UPDATE drains SET closed = 1 WHERE key_id = ?", keyId);
    this.open.delete(keyId);
  }
}

/**
 * When an old key's grace ends by idleness, if it does: once the successor has been used and the
 * old key has not been used for `idleMs` since the rotation (its last admitted use counts only
 * from the rotation on), at the later of those two instants. Null when the drain has no idle
 * rule or the successor was never used.
 *
 * @example
 * const end = idleEndOf(drain, oldKey.lastUsedAt); // e.g. successor used at 10:00, old idle since 09:30, 1 h → 10:30
 */
export function idleEndOf(drain: Drain, oldLastUsedAt: number | null): number | null {
  if (drain.idleMs === null || drain.successorUsedAt === null) return null;
  const idleSince = Math.max(oldLastUsedAt ?? drain.rotatedAt, drain.rotatedAt);
  return Math.max(drain.successorUsedAt, idleSince + drain.idleMs);
}
