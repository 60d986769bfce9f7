import type { UserState } from "./user-state";

/**
 * A one-row SQLite table holding one {@link UserState}: the user's own coordinator keeps the
 * state there, and each of the user's key chains keeps its copy of it (the chain's creator).
 *
 * @example
 * const row = new UserStateRow(ctx.storage.sql, "creator");
 * row.put(state);
 */
export class UserStateRow {
  constructor(
    private readonly sql: SqlStorage,
    private readonly table: "creator" | "user_state",
  ) {
    sql.exec(
      `CREATE TABLE IF NOT EXISTS ${table} (
         only INTEGER PRIMARY KEY CHECK (only = 1), org_id TEXT NOT NULL, user_id TEXT NOT NULL,
         name TEXT, permissions TEXT NOT NULL, active INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 0)`,
    );
    // Tables created before user states had an order gain version 0, so any ordered state wins.
    const columns = sql.exec<{ name: string }>(`PRAGMA table_info(${table})`).toArray();
    if (!columns.some((c) => c.name === "version")) sql.exec(`ALTER TABLE ${table} ADD COLUMN version INTEGER NOT NULL DEFAULT 0`);
  }

  get(): UserState | null {
    const row = this.sql
      .exec<{ org_id: string; user_id: string; name: string | null; permissions: string; active: number; version: number }>(
        `SELECT * FROM ${this.table}`,
      )
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

  put(state: UserState): void {
    this.sql.exec(
      `INSERT INTO ${this.table} (only, org_id, user_id, name, permissions, active, version) VALUES (1, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (only) DO UPDATE SET name = excluded.name, permissions = excluded.permissions,
         active = excluded.active, version = excluded.version`,
      state.orgId, state.userId, state.name, JSON.stringify(state.permissions), state.active ? 1 : 0, state.version,
    );
  }
}
