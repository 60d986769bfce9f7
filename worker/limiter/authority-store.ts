import type { OutboxOp } from "./outbox";

/** What a key's Durable Object knows of one key of its rotation chain. */
export interface AuthorityKey {
  id: string;
  orgId: string;
  name: string;
  secretDigest: string;
  scopes: string[] | null;
  expiresAt: number | null;
  revokedAt: number | null;
  rotatedToId: string | null;
  lastUsedAt: number | null;
}

/** The creator of the chain's keys, as the object last heard of them. */
export interface Creator {
  orgId: string;
  userId: string;
  name: string | null;
  permissions: string[];
  active: boolean;
  /** The order of this state (users/user-state.ts); the object keeps the newest it has seen. */
  version: number;
}

interface KeyRow extends Record<string, SqlStorageValue> {
  id: string;
  org_id: string;
  name: string;
  secret_digest: string;
  scopes: string | null;
  expires_at: number | null;
  revoked_at: number | null;
  rotated_to_id: string | null;
  last_used_at: number | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, secret_digest TEXT NOT NULL,
    scopes TEXT, expires_at INTEGER, revoked_at INTEGER, rotated_to_id TEXT,
    last_used_at INTEGER, flushed_last_used_at INTEGER);
  CREATE TABLE IF NOT EXISTS creator (
    only INTEGER PRIMARY KEY CHECK (only = 1), org_id TEXT NOT NULL, user_id TEXT NOT NULL,
    name TEXT, permissions TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS admissions (at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL);
`;

/**
 * The SQLite storage of one `KeyAuthority` Durable Object. Every method is synchronous, so a
 * caller can read, decide and write without yielding to another request in between.
 *
 * @example
 * const store = new AuthorityStore(ctx.storage.sql);
 * store.findKey(id);
 */
export class AuthorityStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
    // Objects created before user states had an order: their creator row gains version 0, so
    // any ordered state replaces it.
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(creator)").toArray();
    if (!columns.some((c) => c.name === "version")) sql.exec("ALTER TABLE creator ADD COLUMN version INTEGER NOT NULL DEFAULT 0");
  }

  findKey(id: string): AuthorityKey | null {
    const row = this.sql.exec<KeyRow>("SELECT * FROM keys WHERE id = ?", id).toArray()[0];
    return row ? fromRow(row) : null;
  }

  putKey(key: AuthorityKey): void {
    this.sql.exec(
      `INSERT INTO keys (id, org_id, name, secret_digest, scopes, expires_at, revoked_at, rotated_to_id, last_used_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, revoked_at = excluded.revoked_at,
         rotated_to_id = excluded.rotated_to_id`,
      key.id, key.orgId, key.name, key.secretDigest, key.scopes === null ? null : JSON.stringify(key.scopes),
      key.expiresAt, key.revokedAt, key.rotatedToId, key.lastUsedAt,
    );
  }

  touchKey(id: string, at: number): void {
    this.sql.exec("UPDATE keys SET last_used_at = ? WHERE id = ?", at, id);
  }

  /** Last uses not yet written to D1. */
  unflushedUses(): { id: string; at: number }[] {
    return this.sql
      .exec<{ id: string; at: number }>(
        "SELECT id, last_used_at AS at FROM keys WHERE last_used_at IS NOT NULL AND last_used_at > coalesce(flushed_last_used_at, 0)",
      )
      .toArray();
  }

  markUsesFlushed(uses: readonly { id: string; at: number }[]): void {
    for (const use of uses) {
      this.sql.exec("UPDATE keys SET flushed_last_used_at = max(coalesce(flushed_last_used_at, 0), ?) WHERE id = ?", use.at, use.id);
    }
  }

  creator(): Creator | null {
    const row = this.sql
      .exec<{ org_id: string; user_id: string; name: string | null; permissions: string; active: number; version: number }>("SELECT * FROM creator")
      .toArray()[0];
    if (!row) return null;
    return {
      orgId: row.org_id,
      userId: row.user_id,
      name: row.name,
      permissions: JSON.parse(row.permissions) as string[],
      active: row.active === 1,
      version: row.version,
    };
  }

  putCreator(creator: Creator): void {
    this.sql.exec(
      `INSERT INTO creator (only, org_id, user_id, name, permissions, active, version) VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (only) DO UPDATE SET name = excluded.name, permissions = excluded.permissions, active = excluded.active,
         version = excluded.version`,
      creator.orgId, creator.userId, creator.name, JSON.stringify(creator.permissions), creator.active ? 1 : 0, creator.version,
    );
  }

  /** Admission times within the longest window, ascending. */
  admissions(): number[] {
    return this.sql.exec<{ at: number }>("SELECT at FROM admissions ORDER BY at").toArray().map((r) => r.at);
  }

  /** Records one admission and forgets those older than `keepAfter`. */
  admit(at: number, keepAfter: number): void {
    this.sql.exec("INSERT INTO admissions (at) VALUES (?)", at);
    this.sql.exec("DELETE FROM admissions WHERE at <= ?", keepAfter);
  }

  enqueue(ops: readonly OutboxOp[]): void {
    for (const op of ops) this.sql.exec("INSERT INTO outbox (op) VALUES (?)", JSON.stringify(op));
  }

  pending(): { seq: number; op: OutboxOp }[] {
    return this.sql
      .exec<{ seq: number; op: string }>("SELECT seq, op FROM outbox ORDER BY seq")
      .toArray()
      .map((r) => ({ seq: r.seq, op: JSON.parse(r.op) as OutboxOp }));
  }

  clearPending(upToSeq: number): void {
    this.sql.exec("DELETE FROM outbox WHERE seq <= ?", upToSeq);
  }
}

function fromRow(row: KeyRow): AuthorityKey {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    secretDigest: row.secret_digest,
    scopes: row.scopes === null ? null : (JSON.parse(row.scopes) as string[]),
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    rotatedToId: row.rotated_to_id,
    lastUsedAt: row.last_used_at,
  };
}
