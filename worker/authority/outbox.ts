import type { AuditRecord } from "../audit/audit-store";
import { AuditStore } from "../audit/audit-store";
import type { KeyMeta } from "../keys/key-meta";
import type { KeyLimit } from "../keys/key-limits";
import type { KeyRecord } from "../keys/key-record";
import type { Credits } from "../limiter/credits";
import { KeyStore } from "../keys/key-store";
import { type UserRecord, UserStore } from "../users/user-store";
import { batchWithWebhooks, type WebhookBindings } from "../webhooks/webhook-queue";

/**
 * A D1 write owed after a Durable Object commit. The object commits first (so the edge is
 * right at once) and records what D1 still needs; every operation is idempotent, so replaying
 * one after a failure converges instead of duplicating.
 */
export type OutboxOp =
  | { op: "insertKey"; key: KeyRecord }
  /** `reason` absent (as in ops queued before reasons existed): none. */
  | { op: "revokeKey"; id: string; at: number; reason?: string | null }
  | { op: "setKeyEnabled"; id: string; enabled: boolean }
  /** A field absent is left as it is; null removes it. */
  | { op: "describeKey"; id: string; description?: string | null; meta?: KeyMeta | null }
  /** `allowedIps` absent (as in ops queued before allowlists existed): the list is left as it is. */
  | { op: "updateKey"; id: string; name: string | null; expiresAt: number | null; allowedIps?: string[] | null }
  | { op: "markRotated"; id: string; successorId: string; expiresAt: number | null }
  | { op: "appendAudit"; event: AuditRecord }
  | { op: "touchKey"; id: string; at: number }
  /** A chain's limits and/or credits for every key of the chain; an absent field is left as it is. */
  | { op: "setTerms"; ids: string[]; limits?: KeyLimit[] | null; credits?: Credits | null }
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
        return keys.revoke(op.id, op.at, op.reason ?? null);
      case "setKeyEnabled":
        return keys.setEnabled(op.id, op.enabled);
      case "describeKey":
        return keys.describe(op.id, op);
      case "updateKey":
        return keys.update(op.id, op.name, op.expiresAt, op.allowedIps);
      case "markRotated":
        return keys.markRotated(op.id, op.successorId, op.expiresAt);
      case "appendAudit":
        return audit.append(op.event);
      case "touchKey":
        return keys.touch(op.id, op.at);
      case "setTerms":
        return keys.setTerms(op.ids, op.limits, op.credits);
      case "upsertUser":
        return users.upsert(op.user);
    }
  });
}

/**
 * A Durable Object's queue of owed D1 writes, kept in the object's own SQLite storage. `enqueue`
 * is synchronous, so it commits together with the object's own change; `flush` writes the queue
 * to D1 in order as one batch, one flush at a time, and keeps it when D1 refuses. A flush that
 * appends webhook events an endpoint is owed kicks their fan-out (webhooks/webhook-queue.ts).
 *
 * @example
 * const outbox = new Outbox(ctx.storage.sql, env);
 * outbox.enqueue([{ op: "revokeKey", id, at }]);
 * if (!(await outbox.flush())) scheduleRetry();
 */
export class Outbox {
  private flushing: Promise<boolean> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: WebhookBindings,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL)");
  }

  enqueue(ops: readonly OutboxOp[]): void {
    for (const op of ops) this.sql.exec("INSERT INTO outbox (op) VALUES (?)", JSON.stringify(op));
  }

  /** Writes everything owed; false (and the queue kept) when D1 refused. */
  async flush(): Promise<boolean> {
    while (this.flushing) await this.flushing;
    this.flushing = this.flushOnce();
    try {
      return await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async flushOnce(): Promise<boolean> {
    const pending = this.sql
      .exec<{ seq: number; op: string }>("SELECT seq, op FROM outbox ORDER BY seq")
      .toArray()
      .map((r) => ({ seq: r.seq, op: JSON.parse(r.op) as OutboxOp }));
    if (pending.length === 0) return true;
    try {
      const ops = pending.map((p) => p.op);
      const events = ops.flatMap((op) => (op.op === "appendAudit" ? [op.event] : []));
      await batchWithWebhooks(this.env, outboxStatements(this.env.DB, ops), events);
      this.sql.exec("DELETE FROM outbox WHERE seq <= ?", pending.at(-1)!.seq);
      return true;
    } catch (error) {
      console.error(`D1 write deferred (${pending.length} ops): ${(error as Error).message}`);
      return false;
    }
  }
}
