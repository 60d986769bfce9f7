import { AuditStore, newAuditEvent, type AuditAction } from "../audit/audit-store";
import type { Actor, RequestOrigin } from "../auth/principal";
import { KeyStore } from "../keys/key-store";
import { limiterIdOf } from "../keys/key-format";
import { authorityFor } from "../limiter/authority-client";
import { type UserRecord, UserStore } from "./user-store";

/** What a token or the admin API says about a user now. */
export interface UserUpdate {
  orgId: string;
  id: string;
  /** Left out by the admin API when it does not know the name: the stored one is kept. */
  name?: string | null;
  permissions: string[];
  /** Left out by sign-in: only the admin API activates or deactivates a user. */
  active?: boolean;
}

/**
 * Keeps the stored copy of each user current. Sign-in refreshes name and permissions from the
 * token; the admin API also sets the active flag. A change of permissions or of the active flag
 * is audited. Changes reach the Durable Objects of the user's keys before D1, so the keys follow
 * on their very next request.
 *
 * @example
 * const user = await new UserService(env).record(update, actor, origin);
 * if (!user.active) throw new Failure("user_deactivated", "…");
 */
export class UserService {
  private readonly users: UserStore;
  private readonly audit: AuditStore;

  constructor(
    private readonly env: Env,
    private readonly clock: () => number = Date.now,
  ) {
    this.users = new UserStore(env.DB);
    this.audit = new AuditStore(env.DB);
  }

  /** Stores the update when it changes anything and returns the user as now recorded. */
  async record(update: UserUpdate, actor: Actor, origin: RequestOrigin): Promise<UserRecord> {
    const before = await this.users.find(update.orgId, update.id);
    const now = this.clock();
    const after: UserRecord = {
      orgId: update.orgId,
      id: update.id,
      name: update.name === undefined ? (before?.name ?? null) : update.name,
      permissions: update.permissions,
      active: update.active ?? before?.active ?? true,
      updatedAt: now,
    };
    if (before && !differs(before, after)) return before;
    const action = auditAction(before, after);
    const writes = [this.users.upsert(after)];
    if (action) {
      writes.push(
        this.audit.append(
          newAuditEvent({ orgId: after.orgId, at: now, action, actor, ownerId: after.id, keyId: null, origin }),
        ),
      );
    }
    if (before) await this.pushToKeys(after);
    await this.env.DB.batch(writes);
    return after;
  }

  /**
   * Gives every chain of the user's unrevoked keys the user's new state. If the D1 write after
   * this fails, the caller gets an error and retries (the admin API's PUT and sign-in are both
   * idempotent), which pushes the same state again.
   */
  private async pushToKeys(user: UserRecord): Promise<void> {
    const ids = await new KeyStore(this.env.DB).unrevokedIdsOf(user.orgId, user.id);
    const chains = new Map(ids.map((id) => [limiterIdOf(id), id]));
    const creator = { orgId: user.orgId, userId: user.id, name: user.name, permissions: user.permissions, active: user.active };
    await Promise.all([...chains.values()].map((id) => authorityFor(this.env, id).setCreator(creator)));
  }
}

function differs(a: UserRecord, b: UserRecord): boolean {
  return a.name !== b.name || a.active !== b.active || !samePermissions(a.permissions, b.permissions);
}

function samePermissions(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}

/** Only changes that alter what a user's keys may do are audited; a new name is not. */
function auditAction(before: UserRecord | null, after: UserRecord): AuditAction | null {
  if (!after.active && (before === null || before.active)) return "user.deactivated";
  if (before === null) return after.active ? null : "user.deactivated";
  if (before.active !== after.active || !samePermissions(before.permissions, after.permissions)) return "user.updated";
  return null;
}
