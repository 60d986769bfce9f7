/** A user as the Worker last heard of them (from their token or the admin API). */
export interface UserRecord {
  orgId: string;
  id: string;
  name: string | null;
  permissions: string[];
  active: boolean;
  updatedAt: number;
  /** The order of this state (see users/user-state.ts): a write lands only if not older. */
  version: number;
}

interface UserRow {
  org_id: string;
  id: string;
  name: string | null;
  permissions: string;
  active: number;
  updated_at: number;
  version: number;
}

/**
 * The D1 table `users`: all of its SQL, with bound parameters only.
 *
 * @example
 * const user = await new UserStore(env.DB).find(orgId, userId);
 */
export class UserStore {
  constructor(private readonly db: D1Database) {}

  async find(orgId: string, id: string): Promise<UserRecord | null> {
    const row = await this.db.prepare("SELECT * FROM users WHERE org_id = ? AND id = ?").bind(orgId, id).first<UserRow>();
    return row ? fromRow(row) : null;
  }

  /**
   * Writes a user's whole record unless the stored one is newer, so writes replayed late or out
   * of order never undo a newer state.
   */
  upsert(user: UserRecord): D1PreparedStatement {
    return this.db
      .prepare(
        `INSERT INTO users (org_id, id, name, permissions, active, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (org_id, id) DO UPDATE SET name = excluded.name, permissions = excluded.permissions,
           active = excluded.active, updated_at = excluded.updated_at, version = excluded.version
         WHERE excluded.version >= users.version`,
      )
      .bind(user.orgId, user.id, user.name, JSON.stringify(user.permissions), user.active ? 1 : 0, user.updatedAt, user.version);
  }
}

function fromRow(row: UserRow): UserRecord {
  return {
    orgId: row.org_id,
    id: row.id,
    name: row.name,
    permissions: JSON.parse(row.permissions) as string[],
    active: row.active === 1,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
