import { DurableObject } from "cloudflare:workers";
import { newAuditEvent } from "../audit/audit-store";
import type { Actor, RequestOrigin } from "../audit/audit-types";
import { limiterIdOf } from "../keys/key-format";
import { KeyStore } from "../keys/key-store";
import { authorityForChain } from "./key-authority-client";
import { Outbox } from "./outbox";
import { type OwnedKey, UserAuthorityStore } from "./user-authority-store";
import { applies, applyUpdate, auditActionOf, differs, type UserState, type UserUpdate } from "../users/user-state";
import { UserStore } from "../users/user-store";

/** Which user an authority serves: its Durable Object is named by these. */
export interface UserRef {
  orgId: string;
  userId: string;
}

/** The answer to a key reservation: expected refusals are values. */
export type KeyReservation =
  | { ok: true; creator: UserState }
  | { ok: false; reason: "deactivated" | "active_key_limit" };

/** How soon failed pushes to key chains and failed D1 writes are retried. */
const RETRY_DELAY_MS = 10_000;

/**
 * One Durable Object per user (the per-user coordinator, next to one `KeyAuthority` per key
 * chain). It serialises everything that decides what a user's keys may do:
 * - the user's state, in the order of {@link applies}: the newest word wins, an older one never
 *   undoes it, whichever way requests race or arrive;
 * - the user's keys, so the active-key cap is counted exactly and a reservation and a
 *   deactivation cannot interleave;
 * - the list of the user's chains, so a new state reaches every placed chain independent of D1
 *   lag; a chain not placed yet (a created key no request has used) is skipped, and asks for the
 *   state when its first use places it ({@link UserAuthority.placeChain}).
 * Each push to a chain carries the state's version, and a chain keeps the newest it has seen.
 *
 * @example
 * const state = await userAuthorityFor(env, ref).signIn(ref, update, origin);
 */
export class UserAuthority extends DurableObject<Env> {
  private readonly store: UserAuthorityStore;
  private readonly outbox: Outbox;
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new UserAuthorityStore(ctx.storage.sql);
    this.outbox = new Outbox(ctx.storage.sql, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Applies a verified token's claims when the token is newer than the state (`update` is null
   * for a token without `iat`: it changes nothing) and returns the user's effective state, which
   * is what decides the request.
   */
  async signIn(ref: UserRef, update: UserUpdate | null, origin: RequestOrigin): Promise<UserState> {
    await this.ready(ref);
    if (update) await this.apply(update, { type: "user", id: ref.userId }, origin);
    return this.store.state()!;
  }

  /**
   * Applies an update from the admin API unless a newer state is already in place. `synced` is
   * false when some key chain could not be reached yet (an alarm keeps retrying).
   */
  async adminUpdate(ref: UserRef, update: UserUpdate, origin: RequestOrigin): Promise<{ user: UserState; synced: boolean }> {
    await this.ready(ref);
    const synced = await this.apply(update, { type: "admin_api", id: "admin_api" }, origin);
    return { user: this.store.state()!, synced };
  }

  /** The user's current state. */
  async state(ref: UserRef): Promise<UserState> {
    await this.ready(ref);
    return this.store.state()!;
  }

  /**
   * Reserves a place for a new key, exactly against the cap: refused when the user is
   * deactivated or already holds `cap` active keys. `replacing` ends a rotated key at its new
   * expiry in the same step, so a rotation with no grace frees its place. Synchronous from the
   * check to the write, so concurrent reservations and deactivations never interleave.
   */
  async reserveKey(
    ref: UserRef,
    key: OwnedKey,
    now: number,
    cap: number,
    replacing?: { id: string; expiresAt: number | null },
    placement: "unplaced" | "placed" = "placed",
  ): Promise<KeyReservation> {
    await this.ready(ref);
    const state = this.store.state()!;
    if (!state.active) return { ok: false, reason: "deactivated" };
    const old = replacing ? this.store.findKey(replacing.id) : null;
    if (old && replacing) this.store.putKey({ ...old, expiresAt: replacing.expiresAt });
    if (this.store.countActive(now) >= cap) {
      if (old) this.store.putKey(old);
      return { ok: false, reason: "active_key_limit" };
    }
    this.store.putKey(key);
    // A created key's chain has no object yet: it is placed by its first use and asks for the
    // state then (placeChain); until that, pushes skip it.
    if (placement === "unplaced") this.store.addUnplacedChain(key.chain);
    return { ok: true, creator: state };
  }

  /**
   * Called by a key chain's object when it first loads one of its keys (the chain is being
   * placed): from now on the chain gets every new state, and it gets the current one as the
   * answer. Serialised with every update here, so a deactivation either is in the answer or is
   * pushed to the chain after it, never lost in between.
   */
  async placeChain(ref: UserRef, chain: string): Promise<UserState> {
    await this.ready(ref);
    const state = this.store.state()!;
    this.store.placeChain(chain, state.version);
    return state;
  }

  /** Undoes a reservation whose key was not registered (and restores a rotated key's expiry). */
  async releaseKey(ref: UserRef, id: string, restore?: { id: string; expiresAt: number | null }): Promise<void> {
    await this.ready(ref);
    const chain = this.store.findKey(id)?.chain;
    this.store.deleteKey(id);
    if (chain) this.store.dropUnplacedChainIfEmpty(chain);
    const old = restore ? this.store.findKey(restore.id) : null;
    if (old && restore) this.store.putKey({ ...old, expiresAt: restore.expiresAt });
  }

  /** Records a revocation, so the key no longer counts against the cap. */
  async keyRevoked(ref: UserRef, id: string, at: number): Promise<void> {
    await this.ready(ref);
    const key = this.store.findKey(id);
    if (key && key.revokedAt === null) this.store.putKey({ ...key, revokedAt: at });
  }

  /** Records a key's new, earlier expiry, so it stops counting against the cap when it expires. */
  async keyExpiryChanged(ref: UserRef, id: string, expiresAt: number): Promise<void> {
    await this.ready(ref);
    const key = this.store.findKey(id);
    if (key && (key.expiresAt === null || expiresAt < key.expiresAt)) this.store.putKey({ ...key, expiresAt });
  }

  /** Retries pushes that did not reach a chain and D1 writes that failed. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    if (!this.store.state()) return;
    const pushed = await this.push();
    const flushed = await this.outbox.flush();
    if (!pushed || !flushed) this.scheduleRetry();
  }

  /** Applies an update that is newer than the state; returns false if some chain missed it. */
  private async apply(update: UserUpdate, actor: Actor, origin: RequestOrigin): Promise<boolean> {
    const before = this.store.state()!;
    if (!applies(update, before.version)) return true;
    const after = applyUpdate(before, update);
    // The version advances even when nothing else changes: an older word must not apply later.
    this.store.putState(after);
    if (!differs(before, after)) return true;
    const at = Date.now();
    const action = auditActionOf(before, after, before.version > 0);
    const { userId, ...rest } = after;
    this.outbox.enqueue([
      { op: "upsertUser", user: { ...rest, id: userId, updatedAt: at } },
      ...(action ? [{ op: "appendAudit" as const, event: newAuditEvent({ orgId: after.orgId, at, action, actor, ownerId: userId, keyId: null, origin }) }] : []),
    ]);
    const pushed = await this.push();
    if (!(await this.outbox.flush()) || !pushed) this.scheduleRetry();
    return pushed;
  }

  /** Gives every live chain that is behind the current state that state. */
  private async push(): Promise<boolean> {
    const state = this.store.state()!;
    const behind = this.store.chainsBehind(state.version);
    const results = await Promise.allSettled(behind.map((chain) => authorityForChain(this.env, chain).setCreator(state)));
    let ok = true;
    results.forEach((result, i) => {
      if (result.status === "fulfilled") this.store.markChainSynced(behind[i]!, state.version);
      else {
        ok = false;
        console.error(`user state push to chain ${behind[i]} deferred: ${(result.reason as Error).message}`);
      }
    });
    return ok;
  }

  /**
   * Loads the user once, on first contact: from D1 if the Worker knew them before this object
   * existed (their row and their unrevoked keys), else as a new user with no permissions.
   */
  private async ready(ref: UserRef): Promise<void> {
    if (this.store.state()) return;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.store.state()) return;
      const [known, keys] = await Promise.all([
        new UserStore(this.env.DB).find(ref.orgId, ref.userId),
        new KeyStore(this.env.DB).unrevokedOf(ref.orgId, ref.userId),
      ]);
      for (const key of keys) this.store.putKey({ id: key.id, chain: limiterIdOf(key.id), expiresAt: key.expiresAt, revokedAt: null });
      this.store.putState({
        orgId: ref.orgId,
        userId: ref.userId,
        name: known?.name ?? null,
        permissions: known?.permissions ?? [],
        active: known?.active ?? true,
        version: known?.version ?? 0,
      });
    });
  }

  private scheduleRetry(): void {
    const at = Date.now() + RETRY_DELAY_MS;
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}
