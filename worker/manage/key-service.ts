// manage/: the management use cases (create, list, get, edit, revoke, rotate keys; who the
// signed-in user is) as a service that returns outcomes as values; http/ maps refusals to
// problems. Floor: imports verify/, authority/ and below; never http/ or routes/.

import type { Config } from "../config";
import type { Actor, RequestOrigin } from "../audit/audit-types";
import type { Principal } from "../auth/principal";
import { type AuditAction, type AuditRecord, newAuditEvent } from "../audit/audit-store";
import { authorityFor, authorityWithHint } from "../authority/key-authority-client";
import { authorityKeyOf, type DrainReport } from "../authority/key-authority";
import { type OutboxOp, outboxStatements } from "../authority/outbox";
import type { KeyReservation } from "../authority/user-authority";
import { userAuthorityFor } from "../authority/user-authority-client";
import { DEFAULT_PAGE_SIZE, decodeCursor, pageOf } from "../paging/cursor";
import { normalizeAllowedIps } from "../keys/allowed-ips";
import { metaColumn, metaOf, normalizeMeta } from "../keys/key-meta";
import { generateApiKey, limiterIdOf } from "../keys/key-format";
import { digestKey } from "../crypto/hmac";
import { earlierExpiry, graceExpiry, notLater, policyExpiry, successorExpiry } from "../keys/key-expiry";
import { type KeyRecord, type KeyRecordWithCreator, rotationRequiresOwner, toKeyView } from "../keys/key-record";
import type { CreateKeyInput, DrainView, KeyView, UpdateKeyInput } from "../keys/key-schemas";
import { keyStatus, type KeyStatus } from "../keys/key-status";
import { KeyStore } from "../keys/key-store";
import { batchWithWebhooks } from "../webhooks/webhook-queue";
import type { FieldError } from "../errors/failure";
import { type CeilingEntry, ceilingBreaches, defaultPoliciesUnder } from "../limiter/ceiling";
import { POLICIES } from "../limiter/sliding-window";
import { type KeyLimit, limitsOf, policiesOf } from "../keys/key-limits";
import { type EffectivePolicy, effectivePolicy, OrgPolicyStore } from "../orgs/org-policy";
import { revokeKey } from "./revoke-key";
import { findVisibleKey } from "./visible-key";

/** A key together with its secret, returned once by create and rotate. */
export interface IssuedKey {
  key: KeyView;
  secret: string;
}

/** One page of keys. */
export interface KeyPage {
  keys: KeyView[];
  nextCursor: string | null;
}

/**
 * Why a use case did not happen. Expected outcomes, returned as values; the web layer words them
 * (http/outcome-problems.ts).
 *
 * - `not_found`: no such key, or one the principal may not see (another org's, or another
 *   member's without `api_keys:admin`): the same answer for all three.
 * - `key_not_active`: only an active key that has not been rotated yet can be rotated.
 * - `key_not_editable`: only an active key can be edited; this one is `status`.
 * - `rotation_requires_owner`: the key can do something the principal can't; only its owner may
 *   rotate it.
 * - `owner_deactivated`: the key's owner (who the new key would belong to) is deactivated.
 * - `active_key_limit`: the owner already holds `limit` active keys.
 * - `scopes_not_held`: the requested scopes include permissions the principal lacks.
 * - `invalid_expiry`: the requested expiry is not allowed (`message` says why).
 * - `members_may_not_create`: the org's policy lets only its admins create keys.
 * - `usage_unavailable`: the key's Durable Object, which alone holds its usage, did not answer.
 * - `canary_conflict`: a canary key cannot be paused or given an IP allowlist (`field` says which was sent).
 * - `canary_not_rotatable`: a canary key cannot be rotated (revoke it and create another).
 * - `limits_above_ceiling`: the requested limits let more through than the org's ceiling
 *   (`errors` at `limits.N`, the policy that comes closest to each ceiling entry).
 * - `no_credits`: a top-up (`credits: { add }`) of a key without a balance.
 * - `terms_set_by_operator`: the org's policy lets only the operator (the host backend) set a
 *   key's limits and credits (`keyTermsSetBy: operator`); `field` says which was sent.
 */
export type KeyRefusal =
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "key_not_active" }
  | { ok: false; reason: "key_not_editable"; status: "expired" | "revoked" }
  | { ok: false; reason: "rotation_requires_owner" }
  | { ok: false; reason: "owner_deactivated" }
  | { ok: false; reason: "active_key_limit"; limit: number }
  | { ok: false; reason: "scopes_not_held"; missing: string[] }
  | { ok: false; reason: "invalid_expiry"; message: string }
  | { ok: false; reason: "members_may_not_create" }
  | { ok: false; reason: "usage_unavailable" }
  | { ok: false; reason: "storage_unavailable" }
  | { ok: false; reason: "canary_conflict"; field: "enabled" | "allowedIps" }
  | { ok: false; reason: "canary_not_rotatable" }
  | { ok: false; reason: "limits_above_ceiling"; errors: FieldError[] }
  | { ok: false; reason: "no_credits" }
  | { ok: false; reason: "terms_set_by_operator"; field: "limits" | "credits" };

/** The refusals whose reason is one of `R`. */
export type RefusalOf<R extends KeyRefusal["reason"]> = Extract<KeyRefusal, { reason: R }>;

/** What `create` answers. */
export type CreateOutcome =
  | ({ ok: true } & IssuedKey)
  | RefusalOf<
      | "invalid_expiry"
      | "members_may_not_create"
      | "scopes_not_held"
      | "owner_deactivated"
      | "active_key_limit"
      | "storage_unavailable"
      | "canary_conflict"
      | "limits_above_ceiling"
      | "terms_set_by_operator"
    >;
/** What `get` and `revoke` answer. */
export type KeyOutcome = { ok: true; key: KeyView } | RefusalOf<"not_found">;
/** What `get` answers: the key, and its grace period when it was rotated. */
export type GetOutcome = { ok: true; key: KeyView; drain: DrainView | null } | RefusalOf<"not_found">;
/** What `update` answers. */
export type UpdateOutcome =
  | { ok: true; key: KeyView }
  | RefusalOf<"not_found" | "key_not_editable" | "invalid_expiry" | "canary_conflict" | "limits_above_ceiling" | "no_credits" | "terms_set_by_operator">;
/** What `rotate` answers. */
export type RotateOutcome =
  | ({ ok: true; previous: KeyView } & IssuedKey)
  | RefusalOf<"not_found" | "key_not_active" | "rotation_requires_owner" | "owner_deactivated" | "active_key_limit" | "canary_not_rotatable">;

/**
 * Everything a signed-in user can do with keys, with the permission rules of SPEC §4: members
 * act on their own keys, `api_keys:admin` on every key of the org, and another org's key is
 * reported exactly like a key that does not exist.
 *
 * @example
 * const service = new KeyService(env, config);
 * const created = await service.create(principal, input, origin);
 * if (created.ok) show(created.key, created.secret);
 */
export class KeyService {
  private readonly keys: KeyStore;

  constructor(
    private readonly env: Env,
    private readonly config: Config,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = new KeyStore(env.DB);
  }

  /**
   * Issues a key for the principal, unless its org's policy (members may not create keys; the
   * expiry it requires, allows or defaults to), its scopes, its owner or the org's active-key cap
   * refuse it. The policy is read once, from D1, per create. A canary key (`canary: true`) is not
   * counted against the cap, so the owner's coordinator is not asked: it is written to D1 only,
   * and its first use places its chain without the creator's state (it is never admitted).
   */
  async create(principal: Principal, input: CreateKeyInput, origin: RequestOrigin): Promise<CreateOutcome> {
    const canary = input.canary === true;
    if (canary) {
      const conflict = canaryConflict(input);
      if (conflict) return conflict;
    }
    const now = this.clock();
    const policy = await this.policyOf(principal.orgId);
    // Admins always may: the policy is about members; an operator who wants fewer creators grants fewer admins.
    if (!policy.membersMayCreateKeys && !principal.isAdmin) return { ok: false, reason: "members_may_not_create" };
    const reserved = termsReservedFor(policy, input, true);
    if (reserved) return reserved;
    const expiry = policyExpiry(input.expiresAt, now, policy);
    if (!expiry.ok) return expiry;
    const expiresAt = expiry.expiresAt;
    const scopes = input.scopes ?? null;
    const missing = scopes === null ? [] : scopes.filter((scope) => !principal.permissions.includes(scope));
    if (missing.length > 0) return { ok: false, reason: "scopes_not_held", missing };
    const limits = this.limitsUnder(input.limits ?? null, await this.ceilingOf(principal.orgId));
    if (!limits.ok) return limits;
    const generated = await generateApiKey(this.config.keyPrefix, this.config.keyTagSecrets.current);
    const record: KeyRecord = {
      id: generated.id,
      orgId: principal.orgId,
      createdBy: principal.userId,
      name: input.name,
      hint: generated.hint,
      secretDigest: await digestKey(generated.secret, this.config.keyHashSecret),
      scopes,
      createdAt: now,
      expiresAt,
      lifetimeMs: expiresAt === null ? null : expiresAt - now,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFromId: null,
      rotatedToId: null,
      region: input.region === undefined || input.region === "auto" ? null : input.region,
      placedAt: null,
      allowedIps: normalizeAllowedIps(input.allowedIps),
      enabled: input.enabled ?? true,
      description: input.description ?? null,
      meta: normalizeMeta(input.meta),
      revokedReason: null,
      canary,
      limits: limits.limits,
      credits: input.credits ? { remaining: input.credits.remaining, refill: input.credits.refill ?? null, refilledAt: now } : null,
    };
    // The user's coordinator reserves the place first (exact cap, the org's as read above, and
    // never for a deactivated user), noting that no object holds the chain yet; then the key and its event go to D1 (the
    // primary), and the create returns. The key's Durable Object is not woken: the key's first
    // request creates it near the integration and loads the row from D1's primary once
    // (KeyAuthority.ensure), so the key works on that very first request.
    const owner = { orgId: principal.orgId, userId: principal.userId };
    const coordinator = userAuthorityFor(this.env, owner);
    if (!canary) {
      const reservation = await coordinator.reserveKey(
        owner,
        { id: record.id, chain: limiterIdOf(record.id), expiresAt, revokedAt: null },
        now,
        policy.maxActiveKeysPerUser,
        undefined,
        "unplaced",
      );
      if (!reservation.ok) return this.refusal(reservation.reason, policy);
    }
    try {
      const created = this.event("key.created", principal, record, now, origin);
      const ops: OutboxOp[] = [
        { op: "insertKey", key: record },
        { op: "appendAudit", event: created },
      ];
      await batchWithWebhooks(this.env, outboxStatements(this.env.DB, ops), [created]);
    } catch (error) {
      // D1 is where the key lives until its first use places it: without the row there is no key.
      console.error(`key ${record.id} not created: D1 refused its row: ${(error as Error).message}`);
      if (!canary) await coordinator.releaseKey(owner, record.id).catch(() => undefined);
      return { ok: false, reason: "storage_unavailable" };
    }
    if (record.region) {
      // Placed now, where it was asked for, so even the first request is fast. A failure here
      // costs nothing but that: the first request places the chain instead.
      await authorityWithHint(this.env, record.id, record.region as DurableObjectLocationHint)
        .place(record.id, record.region)
        .catch((error: unknown) => console.error(`placing ${record.id} in ${record.region} deferred to its first use: ${(error as Error).message}`));
    }
    const view = { ...record, creatorName: principal.name, creatorPermissions: principal.permissions, leak: null };
    return { ok: true, key: toKeyView(view, now, principal), secret: generated.secret };
  }

  /**
   * One key, with the exact last use and credits balance from its Durable Object (the list's lag
   * by up to 30 s of use), and for a rotated key its grace period (drain-aware rotation), exactly,
   * from the same object in the same one call.
   */
  async get(principal: Principal, id: string): Promise<GetOutcome> {
    const record = await this.findVisible(principal, id);
    if (!record) return { ok: false, reason: "not_found" };
    let lastUsedAt = record.lastUsedAt;
    let credits = record.credits;
    if (record.rotatedToId !== null && record.placedAt !== null) {
      try {
        const report = await authorityFor(this.env, id).drainReport(id);
        if (report) {
          // The object's expiry is the grace's end as it stands (D1 follows through its outbox).
          const view = { ...record, lastUsedAt: report.lastUsedAt ?? record.lastUsedAt, expiresAt: report.expiresAt, credits: report.credits };
          return { ok: true, key: toKeyView(view, this.clock(), principal), drain: drainViewOf(report) };
        }
      } catch (error) {
        console.error(`grace period unavailable for ${id}: ${(error as Error).message}`);
      }
    }
    // No object holds an unused key yet: asking one would create it here, near the admin.
    if (record.placedAt !== null) {
      try {
        const live = await authorityFor(this.env, id).liveView(id);
        lastUsedAt = Math.max(live.lastUsedAt ?? 0, lastUsedAt ?? 0) || null;
        credits = live.credits;
      } catch (error) {
        // Reading is not worth failing for: D1's copies are at most 30 s behind.
        console.error(`exact last use unavailable for ${id}: ${(error as Error).message}`);
      }
    }
    return { ok: true, key: toKeyView({ ...record, lastUsedAt, credits }, this.clock(), principal), drain: null };
  }

  async list(principal: Principal, query: { status?: KeyStatus; canary?: boolean; limit?: number; cursor?: string }): Promise<KeyPage> {
    const now = this.clock();
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const scope = `keys:${principal.orgId}`;
    const after = query.cursor ? await decodeCursor(query.cursor, scope, this.config.keyHashSecret) : null;
    const rows = await this.keys.list({
      orgId: principal.orgId,
      ownerId: principal.isAdmin ? null : principal.userId,
      status: query.status ?? null,
      canary: query.canary ?? null,
      now,
      after,
      limit,
    });
    const page = await pageOf(rows, limit, (k) => ({ at: k.createdAt, id: k.id }), scope, this.config.keyHashSecret);
    return { keys: page.items.map((r) => toKeyView(r, now, principal)), nextCursor: page.nextCursor };
  }

  /**
   * Renames a key, moves its expiry earlier (never later, never removed) and/or replaces its IP
   * allowlist, with the rights of revoke: its owner, or an admin of its org for any key of the
   * org. (A name and a shorter life give nobody more access; an allowlist can widen where the
   * key works, but never beyond what its owner or an admin, who can both rotate or revoke it,
   * decides.) Only an active key can be edited. The key's Durable Object commits first, so the
   * edge sees the new name, expiry and allowlist as soon as this returns, and checks "earlier"
   * against its own expiry (two edits may race past the check here); D1 and the `key.updated`
   * event follow through its outbox. An edit that changes nothing succeeds and records no event.
   *
   * `enabled` pauses (false) or resumes (true) the key with the same rights and the same instant
   * effect: a pause is recorded as `key.paused`, a resume as `key.resumed` (not `key.updated`),
   * and only when it changes the key. `description` and `meta` replace what the key had (null
   * removes it). A canary key takes neither `enabled` nor `allowedIps`.
   */
  async update(principal: Principal, id: string, input: UpdateKeyInput, origin: RequestOrigin, by: "user" | "operator" = "user"): Promise<UpdateOutcome> {
    const record = await this.findVisible(principal, id);
    if (!record) return { ok: false, reason: "not_found" };
    if (by === "user" && (input.limits !== undefined || input.credits !== undefined)) {
      const reserved = termsReservedFor(await this.policyOf(record.orgId), input, false);
      if (reserved) return reserved;
    }
    const now = this.clock();
    const status = keyStatus(record, now);
    if (status !== "active") return { ok: false, reason: "key_not_editable", status };
    if (record.canary) {
      const conflict = canaryConflict(input);
      if (conflict) return conflict;
    }
    let expiresAt: number | undefined;
    if (input.expiresAt !== undefined) {
      const expiry = earlierExpiry(input.expiresAt, record.expiresAt, now, (await this.policyOf(record.orgId)).maxKeyLifetimeDays);
      if (!expiry.ok) return expiry;
      expiresAt = expiry.expiresAt;
    }
    const allowedIps = input.allowedIps === undefined ? undefined : normalizeAllowedIps(input.allowedIps);
    const description = input.description;
    const meta = input.meta === undefined ? undefined : normalizeMeta(input.meta);
    let limits: KeyLimit[] | null | undefined;
    if (input.limits !== undefined) {
      const resolved = this.limitsUnder(input.limits, await this.ceilingOf(record.orgId));
      if (!resolved.ok) return resolved;
      limits = resolved.limits;
    }
    // A top-up of a key without a balance is refused; for a chain no object holds yet D1 is exact,
    // so the refusal places nothing (once placed, the object decides).
    if (input.credits && "add" in input.credits && record.placedAt === null && record.credits === null) return { ok: false, reason: "no_credits" };
    const edited = await authorityFor(this.env, id).edit(
      id,
      {
        name: input.name,
        expiresAt,
        allowedIps,
        enabled: input.enabled,
        description,
        meta: meta === undefined ? undefined : metaColumn(meta),
        limits,
        credits: input.credits,
      },
      [
        { op: "updateKey", id, name: input.name ?? null, expiresAt: expiresAt ?? null, ...(allowedIps === undefined ? {} : { allowedIps }) },
        ...(description === undefined && meta === undefined ? [] : [{ op: "describeKey" as const, id, description, meta }]),
        { op: "appendAudit", event: this.event("key.updated", principal, record, now, origin, by) },
      ],
      {
        paused: [
          { op: "setKeyEnabled", id, enabled: false },
          { op: "appendAudit", event: this.event("key.paused", principal, record, now, origin, by) },
        ],
        resumed: [
          { op: "setKeyEnabled", id, enabled: true },
          { op: "appendAudit", event: this.event("key.resumed", principal, record, now, origin, by) },
        ],
      },
    );
    if (!edited.ok) {
      switch (edited.reason) {
        case "unknown":
          return { ok: false, reason: "not_found" };
        case "not_active":
          return { ok: false, reason: "key_not_editable", status: edited.status };
        case "not_earlier":
          return notLater(edited.expiresAt);
        case "no_credits":
          return { ok: false, reason: "no_credits" };
      }
    }
    if (edited.changed && expiresAt !== undefined) {
      // The key's object refuses it from its new expiry on; the coordinator stops counting it then.
      const owner = { orgId: record.orgId, userId: record.createdBy };
      await userAuthorityFor(this.env, owner).keyExpiryChanged(owner, id, expiresAt);
    }
    const lifetimeMs = edited.expiresAt === record.expiresAt ? record.lifetimeMs : edited.expiresAt! - record.createdAt;
    const view = {
      ...record,
      name: edited.name,
      expiresAt: edited.expiresAt,
      lifetimeMs,
      allowedIps: edited.allowedIps,
      enabled: edited.enabled,
      description: edited.description,
      meta: metaOf(edited.meta),
      limits: edited.limits,
      credits: edited.credits,
    };
    return { ok: true, key: toKeyView(view, now, principal) };
  }

  /**
   * Revokes a key, for `reason` if given; revoking a revoked key changes nothing (its first time
   * and reason stand) and succeeds.
   */
  async revoke(principal: Principal, id: string, origin: RequestOrigin, reason: string | null = null): Promise<KeyOutcome> {
    const record = await this.findVisible(principal, id);
    if (!record) return { ok: false, reason: "not_found" };
    const now = this.clock();
    if (record.revokedAt !== null) return { ok: true, key: toKeyView(record, now, principal) };
    const revoked = await revokeKey(this.env, record, now, { type: "user", id: principal.userId }, origin, reason);
    return { ok: true, key: toKeyView({ ...record, revokedAt: revoked.revokedAt, revokedReason: revoked.reason }, now, principal) };
  }

  /**
   * Issues a successor with the same name, scopes, owner, lifetime policy and IP allowlist (as the
   * key's Durable Object holds it), sharing the old key's limiter; the old key keeps working for
   * `graceSeconds` (never past its own expiry) or, when omitted, until revoked by hand.
   */
  async rotate(
    principal: Principal,
    id: string,
    graceSeconds: number | undefined,
    origin: RequestOrigin,
    graceUntilIdle?: { idleSeconds: number },
  ): Promise<RotateOutcome> {
    const old = await this.findVisible(principal, id);
    if (!old) return { ok: false, reason: "not_found" };
    const now = this.clock();
    if (old.canary) return { ok: false, reason: "canary_not_rotatable" };
    if (keyStatus(old, now) !== "active" || old.rotatedToId !== null) return { ok: false, reason: "key_not_active" };
    const owner = { orgId: old.orgId, userId: old.createdBy };
    const coordinator = userAuthorityFor(this.env, owner);
    if (old.createdBy !== principal.userId) {
      // Rotation hands the caller a secret that acts with the owner's permissions.
      const ownerState = await coordinator.state(owner);
      if (rotationRequiresOwner(principal, old.createdBy, ownerState.permissions, old.scopes)) {
        return { ok: false, reason: "rotation_requires_owner" };
      }
    }
    const oldExpiresAt = graceExpiry(old.expiresAt, graceSeconds, now);
    // The successor is a new key under the org's policy as it is now: its lifetime and the cap.
    const policy = await this.policyOf(old.orgId);
    const expiresAt = successorExpiry(old.lifetimeMs, now, policy);
    for (let attempt = 0; attempt < 3; attempt++) {
      const generated = await generateApiKey(this.config.keyPrefix, this.config.keyTagSecrets.current, old.id);
      const successor: KeyRecordWithCreator = {
        ...old,
        id: generated.id,
        hint: generated.hint,
        secretDigest: await digestKey(generated.secret, this.config.keyHashSecret),
        createdAt: now,
        expiresAt,
        // A lifetime the policy now imposes on a key that never expired becomes the chain's.
        lifetimeMs: old.lifetimeMs ?? (expiresAt === null ? null : expiresAt - now),
        revokedAt: null,
        revokedReason: null,
        lastUsedAt: null,
        rotatedFromId: old.id,
        rotatedToId: null,
        // The successor's secret is new: a leak of the old key is not the successor's.
        leak: null,
        // The successor joins the old key's chain, which the rotation places (if no use has).
        placedAt: now,
      };
      const previous = { ...old, rotatedToId: successor.id, expiresAt: oldExpiresAt };
      const reservation = await coordinator.reserveKey(
        owner,
        { id: successor.id, chain: limiterIdOf(successor.id), expiresAt: successor.expiresAt, revokedAt: null },
        now,
        policy.maxActiveKeysPerUser,
        { id: old.id, expiresAt: oldExpiresAt },
      );
      if (!reservation.ok) return this.refusal(reservation.reason, policy);
      const release = () => coordinator.releaseKey(owner, successor.id, { id: old.id, expiresAt: old.expiresAt }).catch(() => undefined);
      const result = await authorityFor(this.env, old.id)
        .rotate(old.id, authorityKeyOf(successor), oldExpiresAt, [
          { op: "insertKey", key: successor },
          { op: "markRotated", id: old.id, successorId: successor.id, expiresAt: oldExpiresAt },
          { op: "appendAudit", event: this.event("key.created", principal, successor, now, origin) },
          { op: "appendAudit", event: this.event("key.rotated", principal, old, now, origin) },
        ], graceUntilIdle ? graceUntilIdle.idleSeconds * 1000 : null)
        .catch(async (error: unknown) => {
          await release();
          throw error;
        });
      if (result.ok) {
        const inherited = { allowedIps: result.allowedIps, enabled: result.enabled, description: result.description, meta: metaOf(result.meta) };
        const held = { ...inherited, limits: result.limits, credits: result.credits };
        const key = toKeyView({ ...successor, ...held }, now, principal);
        return { ok: true, key, secret: generated.secret, previous: toKeyView({ ...previous, ...held }, now, principal) };
      }
      await release();
      if (result.reason === "not_active") break;
    }
    return { ok: false, reason: "key_not_active" };
  }

  /** The org's ceiling for per-key limits (its own, or the deployment's default). */
  private async ceilingOf(orgId: string): Promise<CeilingEntry[]> {
    const { settings } = await new OrgPolicyStore(this.env.DB).get(orgId);
    return effectivePolicy(settings, this.config).keyLimitCeiling;
  }

  /**
   * The limits to store for requested ones under a ceiling: the requested ones when they fit
   * (ceilingBreaches), refused otherwise; none requested: null (the defaults) when the defaults
   * fit, else the ceiling's own entries.
   */
  private limitsUnder(
    requested: KeyLimit[] | null,
    ceiling: readonly CeilingEntry[],
  ): { ok: true; limits: KeyLimit[] | null } | RefusalOf<"limits_above_ceiling"> {
    if (requested === null) {
      const defaults = defaultPoliciesUnder(ceiling, POLICIES);
      return { ok: true, limits: defaults === POLICIES ? null : limitsOf(defaults) };
    }
    const breaches = ceilingBreaches(policiesOf(requested), ceiling);
    if (breaches.length === 0) return { ok: true, limits: requested };
    const errors = breaches.map((b) => ({
      field: `limits.${b.closest}`,
      message: `Above the org's ceiling of ${b.ceiling.limit} requests in any ${b.ceiling.windowSeconds} s: these limits let up to ${b.bound} through in ${b.ceiling.windowSeconds} s (add or lower a policy with a window up to ${b.ceiling.windowSeconds} s).`,
    }));
    return { ok: false, reason: "limits_above_ceiling", errors };
  }

  private findVisible(principal: Principal, id: string): Promise<KeyRecordWithCreator | null> {
    return findVisibleKey(this.keys, principal, id);
  }

  private refusal(reason: Extract<KeyReservation, { ok: false }>["reason"], policy: EffectivePolicy): RefusalOf<"owner_deactivated" | "active_key_limit"> {
    switch (reason) {
      case "deactivated":
        return { ok: false, reason: "owner_deactivated" };
      case "active_key_limit":
        return { ok: false, reason: "active_key_limit", limit: policy.maxActiveKeysPerUser };
    }
  }

  /** The org's policies as they apply now (one D1 read). */
  private async policyOf(orgId: string): Promise<EffectivePolicy> {
    return effectivePolicy((await new OrgPolicyStore(this.env.DB).get(orgId)).settings, this.config);
  }

  private event(action: AuditAction, principal: Principal, key: KeyRecord, at: number, origin: RequestOrigin, by: "user" | "operator" = "user"): AuditRecord {
    // The host backend (ADMIN_API_TOKEN) acts as the admin API, as it does for users (users/).
    const actor: Actor = by === "operator" ? { type: "admin_api", id: "admin_api" } : { type: "user", id: principal.userId };
    return newAuditEvent({ orgId: key.orgId, at, action, actor, ownerId: key.createdBy, keyId: key.id, origin });
  }
}

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** A rotated key's grace as `GET /v1/keys/{id}` shows it. */
function drainViewOf(report: DrainReport): DrainView {
  const { drain } = report;
  return {
    successorId: drain.successorId,
    rotatedAt: new Date(drain.rotatedAt).toISOString(),
    usesSinceRotation: drain.uses,
    lastUsedAt: iso(report.lastUsedAt),
    graceEndsAt: iso(report.expiresAt),
    idleSeconds: drain.idleMs === null ? null : drain.idleMs / 1000,
    successorFirstUsedAt: iso(drain.successorUsedAt),
    endsWhenIdleAt: iso(report.endsWhenIdleAt),
    endedWhenIdleAt: iso(drain.endedAt),
  };
}

/**
 * The refusal of a canary key given a pause or an IP allowlist, or null. Both would change how a
 * real key answers its holder; a canary answers every use like an unknown key, whatever they say.
 */
function canaryConflict(input: { enabled?: boolean; allowedIps?: string[] | null }): RefusalOf<"canary_conflict"> | null {
  if (input.enabled === false) return { ok: false, reason: "canary_conflict", field: "enabled" };
  if (input.allowedIps != null && input.allowedIps.length > 0) return { ok: false, reason: "canary_conflict", field: "allowedIps" };
  return null;
}

/**
 * The refusal of `limits` or `credits` sent through the user API when the org's policy reserves
 * them for the operator (`keyTermsSetBy: operator`), or null. A create's `credits: null` asks for
 * nothing and passes; an edit's lifts the balance, and is refused like any other.
 */
function termsReservedFor(
  policy: EffectivePolicy,
  input: { limits?: unknown; credits?: unknown },
  creating: boolean,
): { ok: false; reason: "terms_set_by_operator"; field: "limits" | "credits" } | null {
  if (policy.keyTermsSetBy !== "operator") return null;
  if (input.limits !== undefined) return { ok: false, reason: "terms_set_by_operator", field: "limits" };
  if (input.credits !== undefined && !(creating && input.credits === null)) return { ok: false, reason: "terms_set_by_operator", field: "credits" };
  return null;
}
