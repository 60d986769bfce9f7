// users/: a user as the key service knows them (permissions, active flag, name) and the one
// ordering rule for changes to it (newest state wins, tokens by `iat`, the admin API by receipt),
// plus the D1 users store. Floor: imports audit/, paging/, limiter/, config, auth/ and below;
// never the Durable Objects (authority/) that apply these rules.

import type { AuditAction } from "../audit/audit-store";

/**
 * A user's state as its `UserAuthority` holds it. `version` orders states: it is the stamp of
 * the update that produced this one (0 before any).
 */
export interface UserState {
  orgId: string;
  userId: string;
  name: string | null;
  permissions: string[];
  active: boolean;
  version: number;
}

/** Where an update comes from: a verified token, or the host backend through the admin API. */
export type UpdateSource = "token" | "admin_api";

/** What a token or the admin API says about a user, stamped with its place in the order. */
export interface UserUpdate {
  source: UpdateSource;
  /**
   * Token: its `iat` in milliseconds, never later than its arrival. Admin API: the time the
   * Worker received the request.
   */
  stamp: number;
  /** Left out by the admin API when it does not know the name: the stored one is kept. */
  name?: string | null;
  permissions: string[];
  /** Left out by tokens: only the admin API activates or deactivates a user. */
  active?: boolean;
}

/**
 * The ordering rule: the newest word on a user wins and an older one never undoes it. A token's
 * claims apply only when it was issued strictly after the state applied last; the admin API's
 * update applies unless a newer state has already been applied (on a tie it wins, as the later
 * arrival of two equal stamps).
 *
 * @example
 * applies({ source: "token", stamp: 1_000, permissions: [] }, 1_000); // false: not newer
 */
export function applies(update: UserUpdate, currentVersion: number): boolean {
  return update.source === "token" ? update.stamp > currentVersion : update.stamp >= currentVersion;
}

/** The state after an update that {@link applies}. */
export function applyUpdate(state: UserState, update: UserUpdate): UserState {
  return {
    ...state,
    name: update.name === undefined ? state.name : update.name,
    permissions: [...new Set(update.permissions)],
    active: update.active ?? state.active,
    version: update.stamp,
  };
}

/**
 * The stamp of a token: its `iat` in milliseconds, but never later than the moment it arrived,
 * so a token from a clock running ahead cannot outrank an admin update received after it. A token
 * without `iat` has no place in the order: it authenticates, but never changes stored state.
 */
export function tokenStamp(iat: unknown, receivedAt: number): number | null {
  if (typeof iat !== "number" || !Number.isFinite(iat) || iat < 0) return null;
  return Math.min(Math.floor(iat * 1000), receivedAt);
}

/** Whether two states differ in anything a key or the audit log cares about. */
export function differs(a: UserState, b: UserState): boolean {
  return a.name !== b.name || a.active !== b.active || !samePermissions(a.permissions, b.permissions);
}

/** Only changes that alter what a user's keys may do are audited; a new name is not. */
export function auditActionOf(before: UserState, after: UserState, known: boolean): AuditAction | null {
  if (!after.active && (!known || before.active)) return "user.deactivated";
  if (!known) return null;
  if (before.active !== after.active || !samePermissions(before.permissions, after.permissions)) return "user.updated";
  return null;
}

/**
 * The permissions a key acts with: its creator's current ones, narrowed by the key's scopes.
 *
 * @example
 * keyPermissions(["a", "b"], ["b", "c"]); // ["b"]
 */
export function keyPermissions(creatorPermissions: readonly string[], scopes: readonly string[] | null): string[] {
  return scopes === null ? [...creatorPermissions] : creatorPermissions.filter((p) => scopes.includes(p));
}

function samePermissions(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((p) => b.includes(p));
}
