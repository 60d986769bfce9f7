import type { UserState } from "../users/user-state";
import { UserStateRow } from "../users/user-state-row";

/** One key of the user as their coordinator counts it. */
export interface OwnedKey {
  id: string;
  /** The limiter id of the key's chain (the Durable Object that decides its requests). */
  chain: string;
  expiresAt: number | null;
  revokedAt: number | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS owned_keys (
    id TEXT PRIMARY KEY, chain TEXT NOT NULL, expires_at INTEGER, revoked_at INTEGER);
  CREATE TABLE IF NOT EXISTS chain_sync (chain TEXT PRIMARY KEY, version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS unplaced_chains (chain TEXT PRIMARY KEY);
`;

/**
 * The SQLite storage of one `UserAuthority`: the user's state, their keys (for the exact active
 * count and the list of chains) and which state each chain has acknowledged.
 * Every method is synchronous, so a caller decides and writes without yielding in between.
 *
 * @example
 * const store = new UserAuthorityStore(ctx.storage.sql);
 * store.state();
 */
export class UserAuthorityStore {
  private readonly stateRow: UserStateRow;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
    this.stateRow = new UserStateRow(sql, "user_state");
  }

  state(): UserState | null {
    return this.stateRow.get();
  }

  putState(state: UserState): void {
    this.stateRow.put(state);
  }

  /** Keys that are active at `now`. */
  countActive(now: number): number {
    return this.sql
      .exec<{ n: number }>("SELECT count(*) AS n FROM owned_keys WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", now)
      .one().n;
  }

  findKey(id: string): OwnedKey | null {
    const row = this.sql
      .exec<{ id: string; chain: string; expires_at: number | null; revoked_at: number | null }>("SELECT * FROM owned_keys WHERE id = ?", id)
      .toArray()[0];
    return row ? { id: row.id, chain: row.chain, expiresAt: row.expires_at, revokedAt: row.revoked_at } : null;
  }

  putKey(key: OwnedKey): void {
    this.sql.exec(
      `INSERT INTO owned_keys (id, chain, expires_at, revoked_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at, revoked_at = excluded.revoked_at`,
      key.id, key.chain, key.expiresAt, key.revokedAt,
    );
  }

  deleteKey(id: string): void {
    this.sql.exec("DELETE FROM owned_keys WHERE id = ?", id);
  }

  /** Chains with at least one key that is not revoked: those a new state must reach. */
  liveChains(): string[] {
    return this.sql
      .exec<{ chain: string }>("SELECT DISTINCT chain FROM owned_keys WHERE revoked_at IS NULL ORDER BY chain")
      .toArray()
      .map((r) => r.chain);
  }

  /**
   * Live chains that have not yet acknowledged `version`. A chain whose object holds none of its
   * keys yet (no request has placed it) is left out: a push would create the object where this
   * one runs, and the chain asks for the state itself when it is placed ({@link placeChain}).
   */
  chainsBehind(version: number): string[] {
    return this.sql
      .exec<{ chain: string }>(
        `SELECT DISTINCT k.chain FROM owned_keys k LEFT JOIN chain_sync s ON s.chain = k.chain
         WHERE k.revoked_at IS NULL AND coalesce(s.version, -1) < ?
           AND k.chain NOT IN (SELECT chain FROM unplaced_chains) ORDER BY k.chain`,
        version,
      )
      .toArray()
      .map((r) => r.chain);
  }

  /** Records a new chain that no object holds yet: it gets no pushes until it is placed. */
  addUnplacedChain(chain: string): void {
    this.sql.exec("INSERT INTO unplaced_chains (chain) VALUES (?) ON CONFLICT (chain) DO NOTHING", chain);
  }

  /** The chain's object holds it now and has the state of `version`: pushes reach it from here on. */
  placeChain(chain: string, version: number): void {
    this.sql.exec("DELETE FROM unplaced_chains WHERE chain = ?", chain);
    this.markChainSynced(chain, version);
  }

  /** Forgets an unplaced chain that has no key left (a reservation undone). */
  dropUnplacedChainIfEmpty(chain: string): void {
    this.sql.exec("DELETE FROM unplaced_chains WHERE chain = ? AND NOT EXISTS (SELECT 1 FROM owned_keys WHERE chain = ?)", chain, chain);
  }

  markChainSynced(chain: string, version: number): void {
    this.sql.exec(
      `INSERT INTO chain_sync (chain, version) VALUES (?, ?)
       ON CONFLICT (chain) DO UPDATE SET version = max(version, excluded.version)`,
      chain, version,
    );
  }
}
