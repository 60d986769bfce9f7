import type { AuditRecord } from "../audit/audit-store";
import { AuditStore } from "../audit/audit-store";
import type { KeyRecord } from "../keys/key-record";
import { KeyStore } from "../keys/key-store";
import { type UserRecord, UserStore } from "../users/user-store";

/**
 * A D1 write owed after a Durable Object commit. The object commits first (so the edge is
 * right at once) and records what D1 still needs; every operation is idempotent, so replaying
 * one after a failure converges instead of duplicating.
 */
export type OutboxOp =
  | { op: "insertKey"; key: KeyRecord }
  | { op: "revokeKey"; id: string; at: number }
  | { op: "markRotated"; id: string; successorId: string; expiresAt: number | null }
  | { op: "appendAudit"; event: AuditRecord }
  | { op: "touchKey"; id: string; at: number }
  | { op: "upsertUser"; user: UserRecord };

/**
 * The D1 statements of a list of owed writes, to run as one atomic batch.
 *
 * @example
 * await db.batch(outboxStatements(db, ops));
 */
export function outboxStatements(db: D1Database, ops: readonly OutboxOp[]): D1PreparedStatement[] {
  const keys = new KeyStore(db);
  const audit = new AuditStore(db);
  const users = new UserStore(db);
  return ops.map((op) => {
    switch (op.op) {
      case "insertKey":
        return keys.insert(op.key);
      case "revokeKey":
        return keys.revoke(op.id, op.at);
      case "markRotated":
        return keys.markRotated(op.id, op.successorId, op.expiresAt);
      case "appendAudit":
        return audit.append(op.event);
      case "touchKey":
        return keys.touch(op.id, op.at);
      case "upsertUser":
        return users.upsert(op.user);
    }
  });
}
