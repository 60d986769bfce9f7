import type { Credits } from "../limiter/credits";
import type { Bucket, Policy } from "../limiter/sliding-window";
import type { UserState } from "../users/user-state";
import { UserStateRow } from "../users/user-state-row";

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
  /** The IP allowlist (canonical CIDR texts), or null: any address. */
  allowedIps: string[] | null;
  /** False while the key is paused. */
  enabled: boolean;
  description: string | null;
  /** The key's meta as its compact JSON text (parsed only where it is forwarded), or null. */
  meta: string | null;
  /** A honeytoken: its right secret is answered like an unknown key, and the use reported. */
  canary: boolean;
  /**
   * The key's owner, to whom a canary's use is reported (a canary chain asks no coordinator for
   * the creator's state). Null only for keys a chain took on before the object kept it.
   */
  createdBy: string | null;
}

/**
 * What a chain's keys are held to, shared by a key and its rotated successors like the limiter's
 * admissions: their own rate-limit policies (null: the defaults) and their credits balance
 * (null: none, every request is free).
 */
export interface ChainTerms {
  policies: Policy[] | null;
  credits: Credits | null;
}

/** What placed a chain: its first use, a management call before that, or a region chosen at creation. */
export type PlacementCause = "use" | "revoke" | "edit" | "rotate" | "region" | "simulation";

/** The object's own record of its creation: when, by what, with which location hint, for which key. */
export interface Placement {
  at: number;
  cause: PlacementCause;
  /** The location hint the object was asked for with (`region` at creation), or null. */
  hint: string | null;
  keyId: string;
}

/** The creator of the chain's keys, as the object last heard of them: a copy of their user state. */
export type Creator = UserState;

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
  allowed_ips: string | null;
  enabled: number;
  description: string | null;
  meta: string | null;
  canary: number;
  created_by: string | null;
}

/** The columns the key controls added to the keys table, for chains created before them. */
const KEY_CONTROL_COLUMNS = [
  ["enabled", "INTEGER NOT NULL DEFAULT 1"],
  ["description", "TEXT"],
  ["meta", "TEXT"],
  ["canary", "INTEGER NOT NULL DEFAULT 0"],
  ["created_by", "TEXT"],
] as const;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, name TEXT NOT NULL, secret_digest TEXT NOT NULL,
    scopes TEXT, expires_at INTEGER, revoked_at INTEGER, rotated_to_id TEXT,
    last_used_at INTEGER, flushed_last_used_at INTEGER, allowed_ips TEXT,
    enabled INTEGER NOT NULL DEFAULT 1, description TEXT, meta TEXT, canary INTEGER NOT NULL DEFAULT 0, created_by TEXT);
  CREATE TABLE IF NOT EXISTS admissions (at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS limiter_buckets (
    width INTEGER NOT NULL, start INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (width, start)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS chain_terms (
    one INTEGER PRIMARY KEY CHECK (one = 1), policies TEXT, credits TEXT, flushed_credits TEXT);
  CREATE TABLE IF NOT EXISTS placement (
    one INTEGER PRIMARY KEY CHECK (one = 1), at INTEGER NOT NULL, cause TEXT NOT NULL, hint TEXT, key_id TEXT NOT NULL);
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
  private readonly creatorRow: UserStateRow;

  /** Creates the tables (if missing): call only when a key is registered. */
  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
    // Chains placed before IP allowlists existed have a keys table without the column: NULL
    // there is "any address", which is what D1 holds for those keys too (migration 0007).
    const columns = sql.exec<{ name: string }>("PRAGMA table_info(keys)").toArray();
    if (!columns.some((column) => column.name === "allowed_ips")) sql.exec("ALTER TABLE keys ADD COLUMN allowed_ips TEXT");
    // ...and without the key controls (issue 14): enabled, no description or meta, not a canary,
    // as D1 holds those keys too (migration 0012).
    for (const [column, definition] of KEY_CONTROL_COLUMNS) {
      if (!columns.some((c) => c.name === column)) sql.exec(`ALTER TABLE keys ADD COLUMN ${column} ${definition}`);
    }
    this.creatorRow = new UserStateRow(sql, "creator");
  }

  /** Whether this object's tables exist, i.e. a key was ever registered here. Reads only. */
  static exists(sql: SqlStorage): boolean {
    return sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'keys'").toArray().length > 0;
  }

  findKey(id: string): AuthorityKey | null {
    const row = this.sql.exec<KeyRow>("SELECT * FROM keys WHERE id = ?", id).toArray()[0];
    return row ? fromRow(row) : null;
  }

  putKey(key: AuthorityKey): void {
    this.sql.exec(
      `INSERT INTO keys (id, org_id, name, secret_digest, scopes, expires_at, revoked_at, rotated_to_id, last_used_at, allowed_ips,
         enabled, description, meta, canary, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, expires_at = excluded.expires_at, revoked_at = excluded.revoked_at,
         rotated_to_id = excluded.rotated_to_id, allowed_ips = excluded.allowed_ips,
         enabled = excluded.enabled, description = excluded.description, meta = excluded.meta`,
      key.id, key.orgId, key.name, key.secretDigest, key.scopes === null ? null : JSON.stringify(key.scopes),
      key.expiresAt, key.revokedAt, key.rotatedToId, key.lastUsedAt,
      key.allowedIps === null || key.allowedIps.length === 0 ? null : JSON.stringify(key.allowedIps),
      key.enabled ? 1 : 0, key.description, key.meta, key.canary ? 1 : 0, key.createdBy,
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

  /** Records how the chain was placed; only the first record stands. */
  recordPlacement(placement: Placement): void {
    this.sql.exec(
      "INSERT INTO placement (one, at, cause, hint, key_id) VALUES (1, ?, ?, ?, ?) ON CONFLICT (one) DO NOTHING",
      placement.at, placement.cause, placement.hint, placement.keyId,
    );
  }

  placement(): Placement | null {
    const row = this.sql
      .exec<{ at: number; cause: PlacementCause; hint: string | null; key_id: string }>("SELECT at, cause, hint, key_id FROM placement")
      .toArray()[0];
    return row ? { at: row.at, cause: row.cause, hint: row.hint, keyId: row.key_id } : null;
  }

  creator(): Creator | null {
    return this.creatorRow.get();
  }

  putCreator(creator: Creator): void {
    this.creatorRow.put(creator);
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

  /** The limiter's bucket tracks (width → buckets, ascending). */
  buckets(): Map<number, Bucket[]> {
    const tracks = new Map<number, Bucket[]>();
    for (const row of this.sql.exec<{ width: number; start: number; n: number }>("SELECT width, start, n FROM limiter_buckets ORDER BY width, start")) {
      const track = tracks.get(row.width) ?? [];
      track.push({ start: row.start, count: row.n });
      tracks.set(row.width, track);
    }
    return tracks;
  }

  /** Stores a track's newest bucket as the limiter counted it; a new bucket also forgets those of the track at or before `keepAfter`. */
  putBucket(width: number, bucket: Bucket, isNew: boolean, keepAfter: number): void {
    this.sql.exec(
      "INSERT INTO limiter_buckets (width, start, n) VALUES (?, ?, ?) ON CONFLICT (width, start) DO UPDATE SET n = excluded.n",
      width, bucket.start, bucket.count,
    );
    if (isNew) this.sql.exec("DELETE FROM limiter_buckets WHERE width = ? AND start <= ?", width, keepAfter);
  }

  /** Replaces the tracks (after the policies changed): drops those not in `tracks`, writes those new. */
  replaceTracks(tracks: ReadonlyMap<number, readonly Bucket[]>, kept: ReadonlySet<number>): void {
    const widths = [...tracks.keys()];
    // No track left: every row goes (`NOT IN (NULL)` would keep them all, and a track started
    // again later would collide with its old rows).
    if (widths.length === 0) this.sql.exec("DELETE FROM limiter_buckets");
    else this.sql.exec(`DELETE FROM limiter_buckets WHERE width NOT IN (${widths.map(() => "?").join(", ")})`, ...widths);
    for (const [width, track] of tracks) {
      if (kept.has(width)) continue;
      this.sql.exec("DELETE FROM limiter_buckets WHERE width = ?", width);
      for (const b of track) this.sql.exec("INSERT INTO limiter_buckets (width, start, n) VALUES (?, ?, ?)", width, b.start, b.count);
    }
  }

  /** The chain's policies and credits; a chain placed before they existed has the defaults and no credits. */
  terms(): ChainTerms {
    const row = this.sql.exec<{ policies: string | null; credits: string | null }>("SELECT policies, credits FROM chain_terms").toArray()[0];
    return {
      policies: row?.policies ? (JSON.parse(row.policies) as Policy[]) : null,
      credits: row?.credits ? (JSON.parse(row.credits) as Credits) : null,
    };
  }

  /** Sets the chain's terms the first time (from the first key's D1 row); later calls change nothing. */
  initTerms(terms: ChainTerms): void {
    this.sql.exec(
      "INSERT INTO chain_terms (one, policies, credits, flushed_credits) VALUES (1, ?, ?, ?) ON CONFLICT (one) DO NOTHING",
      jsonOrNull(terms.policies), jsonOrNull(terms.credits), jsonOrNull(terms.credits),
    );
  }

  /** Replaces the chain's terms; `flushed` (when given) records the credits D1 holds from now on. */
  putTerms(terms: ChainTerms, flushed?: Credits | null): void {
    this.sql.exec(
      `INSERT INTO chain_terms (one, policies, credits, flushed_credits) VALUES (1, ?, ?, ?)
       ON CONFLICT (one) DO UPDATE SET policies = excluded.policies, credits = excluded.credits,
         flushed_credits = CASE WHEN ? THEN excluded.flushed_credits ELSE flushed_credits END`,
      jsonOrNull(terms.policies), jsonOrNull(terms.credits), jsonOrNull(flushed ?? null), flushed === undefined ? 0 : 1,
    );
  }

  /** The balance when it differs from what D1 was last given, else null. */
  unflushedCredits(): Credits | null {
    const row = this.sql.exec<{ credits: string | null; flushed: string | null }>("SELECT credits, flushed_credits AS flushed FROM chain_terms").toArray()[0];
    return row?.credits && row.credits !== row.flushed ? (JSON.parse(row.credits) as Credits) : null;
  }

  /** Records that D1 holds `credits` (unless the balance moved again meanwhile, which stays owed). */
  markCreditsFlushed(credits: Credits): void {
    this.sql.exec("UPDATE chain_terms SET flushed_credits = ?", JSON.stringify(credits));
  }

  /** The ids of the chain's keys. */
  keyIds(): string[] {
    return this.sql.exec<{ id: string }>("SELECT id FROM keys ORDER BY id").toArray().map((r) => r.id);
  }
}

function jsonOrNull(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
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
    allowedIps: row.allowed_ips === null ? null : (JSON.parse(row.allowed_ips) as string[]),
    enabled: row.enabled !== 0,
    description: row.description,
    meta: row.meta,
    canary: row.canary === 1,
    createdBy: row.created_by,
  };
}
