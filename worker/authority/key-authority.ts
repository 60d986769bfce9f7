// authority/: the two Durable Objects that make the system exact and instant: KeyAuthority (one
// per key chain: status, digest, creator, limiter, last use, usage counters) and UserAuthority (one per user:
// ordered state, exact key cap, the user's chains), their SQLite stores, the idempotent outbox
// that carries their changes to D1, and the clients that name them. Floor: imports keys/, users/,
// audit/, limiter/ and below; never the web side.

import { DurableObject } from "cloudflare:workers";
import { newAuditEvent } from "../audit/audit-store";
import { digestsEqual } from "../crypto/hmac";
import { allowsAddress } from "../keys/allowed-ips";
import { limiterIdOf } from "../keys/key-format";
import type { KeyRecord } from "../keys/key-record";
import { keyStatus } from "../keys/key-status";
import { KeyStore } from "../keys/key-store";
import { userAuthorityName } from "./user-authority-name";
import { type AuthorityKey, AuthorityStore, type ChainTerms, type Creator, type Placement, type PlacementCause } from "./key-authority-store";
import { Outbox, type OutboxOp, outboxStatements } from "./outbox";
import { type Bucket, decide, EXACT_WINDOW_MS, POLICIES, type Policy, type PolicyName, type PolicyUsage, retentionOf, tracksFor } from "../limiter/sliding-window";
import { type Credits, MAX_CREDITS, nextRefillOf, refilled } from "../limiter/credits";
import { type CreditsChange, type KeyLimit, limitsOf, policiesOf } from "../keys/key-limits";
import { type ShedBatch, UsageStore } from "./usage-store";
import { type Drain, DrainStore, idleEndOf } from "./drain-store";
import { EventSampler, type SampledOrigin, type SampledReport } from "./event-sampler";
import { metaColumn, metaOf } from "../keys/key-meta";
import { formatIpAddress, parseIpAddress } from "../net/ip";
import { denseBuckets, totalsOf, type UsageBucket, type UsageCounts, type UsageResolution, usageSpan, type UsageSpan, type UsageWindow } from "../keys/usage-window";

/** Who a verified key acts for, with its effective permissions (creator's now ∩ scopes). */
export interface KeyIdentity {
  keyId: string;
  keyName: string;
  orgId: string;
  userId: string;
  userName: string | null;
  permissions: string[];
  /** The key's description and meta (its compact JSON text), forwarded upstream (edge/upstream-assertion.ts) and to /v1/verify. */
  description: string | null;
  meta: string | null;
}

/** A chain's balance after a decision: what is left, and when it is next refilled (null: never). */
export interface CreditBalance {
  remaining: number;
  nextRefillAt: number | null;
}

/** The answer of {@link KeyAuthority.verify}: expected outcomes are values, not exceptions. */
export type VerifyResult =
  /** `credits`: the balance after this request's cost was spent, or null: the key has no credits. */
  | { outcome: "admitted"; identity: KeyIdentity; usage: PolicyUsage[]; credits: CreditBalance | null }
  /** The balance is below the request's cost; `retryAt` is the next refill, or null: none is scheduled, or none covers the cost. */
  | { outcome: "credits_exhausted"; retryAt: number | null; now: number }
  /**
   * No such key here, or a wrong secret; or the right secret of a canary key, answered alike.
   * `canary`: an active canary's right secret, so the caller reports the use ({@link KeyAuthority.canaryUsed})
   * once its own answer has gone. It never leaves the Worker.
   */
  | { outcome: "unknown"; canary?: true }
  | { outcome: "revoked" }
  /** The right secret of a paused key (PATCH enabled: false). */
  | { outcome: "disabled" }
  | { outcome: "expired" }
  | { outcome: "deactivated" }
  /** The right secret, from an address outside the key's IP allowlist (or with none given). */
  | { outcome: "ip_not_allowed" }
  /** `restricted`: the key has an IP allowlist, so this answer holds only for addresses inside it. */
  | { outcome: "rate_limited"; violated: PolicyName; retryAt: number; now: number; usage: PolicyUsage[]; restricted: boolean };

/** A rotated key's grace period as its object knows it, exactly (GET /v1/keys/{id}). */
export interface DrainReport {
  /** The old key's exact last admitted use. */
  lastUsedAt: number | null;
  /** The old key's expiry as this object holds it: when its grace ends (null: when revoked by hand). */
  expiresAt: number | null;
  drain: Drain;
  /** When the grace will end by idleness if the old key is not used again; null: not known yet (or no idle rule, or ended). */
  endsWhenIdleAt: number | null;
  /** The chain's balance with any refill it is owed, as {@link KeyAuthority.liveView} reads it. */
  credits: Credits | null;
}

/** Reads the current time, in epoch milliseconds. */
export type Clock = () => number;

/** The answer of {@link KeyAuthority.usage}: one key's counts in a span that ends at the object's now. */
export interface UsageReport {
  span: UsageSpan;
  buckets: UsageBucket[];
  totals: UsageCounts;
  /** The key's exact last admitted use, or null. */
  lastUsedAt: number | null;
}

/**
 * Which counter each outcome of {@link KeyAuthority.verify} adds to. `unknown` (no such key here,
 * or a wrong secret) counts nowhere: only the holder of the right secret uses a key.
 */
const COUNTED: Record<Exclude<VerifyResult["outcome"], "unknown">, keyof UsageCounts> = {
  admitted: "admitted",
  rate_limited: "rateLimited",
  credits_exhausted: "rateLimited",
  revoked: "refused",
  expired: "refused",
  deactivated: "refused",
  ip_not_allowed: "refused",
  disabled: "refused",
};

/** Longest user agent and path a canary's use is reported with (the rest is cut off). */
const MAX_REPORTED_TEXT = 512;

/** Keys this object looked up in D1 without taking them on (a wrong secret, an unknown id), kept in memory. */
const MAX_CANDIDATES = 256;
/** How soon after a use its time is written to D1 (the list's "last used" lags at most this). */
const USE_FLUSH_DELAY_MS = 30_000;
/** How soon a failed D1 write is retried. */
const RETRY_DELAY_MS = 10_000;

/**
 * One Durable Object per key chain (a key and its rotated successors), named by the key id's
 * limiter part. It is the authority on the request path: status, expiry, secret digest, the
 * creator's current permissions and active flag, the exact limiter, the last use and each key's
 * usage counters (usage-store.ts).
 *
 * Placement: creating a key writes it to D1 and the user's coordinator only; this object is
 * created by the key's first request, so it lives near the integration that uses the key
 * (Cloudflare creates a Durable Object near the request that first reaches it). The first time
 * the object meets a key it loads the key's row once from D1's primary ({@link ensure}), takes
 * the creator's state from their coordinator (which from then on pushes every change here), and
 * keeps both: later requests make no D1 query. Revoke, edit and rotate may be what places it
 * (where the admin is), and `region` at creation places it on purpose with a location hint.
 * Management changes commit here first and reach D1 through an idempotent outbox, so the edge is
 * right the moment a revoke returns, and D1 converges even when its write fails.
 *
 * @example
 * const stub = env.KEY_AUTHORITY.get(env.KEY_AUTHORITY.idFromName(limiterIdOf(keyId)));
 * const result = await stub.verify(keyId, digest);
 */
export class KeyAuthority extends DurableObject<Env> {
  /**
   * The object's clock: expiry, the limiter's admissions and the alarm times all read it, and
   * nothing here reads another. The runtime constructs the object with the platform clock; code
   * that holds the instance in this isolate (a test, through `runInDurableObject`) may set
   * another. It is an instance property, so RPC callers can neither read nor set it. Admissions
   * never go back in time, whatever it says.
   */
  clock: Clock;
  private opened: Chain | null = null;
  private alarmAt: number | null = null;
  /** D1 rows of keys met but not taken on (a wrong secret; null: no such key), so repeats cost no query. */
  private readonly candidates = new Map<string, KeyRecord | null>();

  constructor(ctx: DurableObjectState, env: Env, clock: Clock = Date.now) {
    super(ctx, env);
    this.clock = clock;
    void ctx.blockConcurrencyWhile(async () => {
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Checks a presented key and, if it may proceed, admits it against the limiter. Everything
   * from the lookup to the admission's write is synchronous: no other request can interleave,
   * so concurrency cannot over-admit. The outcome is counted in the key's usage in the same
   * block (one upsert, committed with the admission), unless the key is unknown here or the
   * secret is wrong. The first request with a key's right secret places the chain here
   * ({@link ensure}); a wrong secret or an unknown id creates no table, and its D1 row (or its
   * absence) is remembered in memory so repeating it costs no query.
   *
   * `clientAddress` is the address the request came from (its `CF-Connecting-IP`, or the one a
   * verifying backend vouches for). A key with an IP allowlist answers `ip_not_allowed` to its
   * right secret from any other address, and to a missing or unparsable one, before the limiter
   * is consulted (a refused request takes none of its capacity); revoked and expired keys keep
   * their own answers. Such a refusal is audited as `key.ip_refused`, sampled (ip-refusal-sampler.ts),
   * through the outbox: its D1 write never holds up the answer.
   */
  async verify(keyId: string, digest: string, clientAddress: string | null = null, cost = 1): Promise<VerifyResult> {
    const key = this.open(false)?.store.findKey(keyId) ?? (await this.ensure(keyId, { digest, cause: "use" }));
    const chain = this.opened;
    if (!chain || !key || !digestsEqual(key.secretDigest, digest)) return { outcome: "unknown" };
    // A canary's right secret gets the unknown key's answer, and nothing is written here before it
    // leaves (a durable write would hold it back): the caller reports the use afterwards.
    if (key.canary) return keyStatus(key, this.clock()) === "active" ? { outcome: "unknown", canary: true } : { outcome: "unknown" };
    const now = Math.max(this.clock(), chain.admissions.at(-1) ?? 0);
    // A grace that has ended by idleness by now is recorded before the answer, which it decides.
    const current = this.settleDrain(chain, key.id, now) ?? key;
    const result = this.answer(chain, current, now, clientAddress, Number.isSafeInteger(cost) && cost >= 0 ? cost : 1);
    if (result.outcome === "admitted") this.noteDrainUse(chain, keyId, now);
    chain.usage.count(keyId, now, { [COUNTED[result.outcome]]: 1 });
    return result;
  }

  /**
   * Counts 429s that an isolate answered from its memory of this key being limited, without
   * calling here (verify/shed-tally.ts). Only for a key of this chain presented with its right
   * secret, as the isolate only remembers a limit this object answered to that secret; each
   * batch once, so a redelivered batch is not counted twice.
   */
  countShed(keyId: string, digest: string, batch: ShedBatch): void {
    const chain = this.open(false);
    const key = chain?.store.findKey(keyId);
    if (!chain || !key || !digestsEqual(key.secretDigest, digest)) return;
    const minutes = batch.minutes.filter(([minute, n]) => Number.isSafeInteger(minute) && Number.isSafeInteger(n) && n > 0);
    chain.usage.applyBatch(keyId, { id: batch.id, minutes }, this.clock());
  }

  /**
   * Reports a use of a canary key, which {@link verify} answered like an unknown key: counted as
   * refused in its usage, and audited as `key.canary_used` with the client's address, user agent
   * and path, sampled like `key.ip_refused` (at most one event per key per minute, `uses: n`
   * counting the rest). The caller calls it after its own answer has gone (`waitUntil`), so none of
   * this (the durable write, D1) can be seen in the answer's timing. Only for this chain's active
   * canary key with its right secret; anything else is ignored.
   */
  async canaryUsed(keyId: string, digest: string, origin: SampledOrigin): Promise<void> {
    const chain = this.open(false);
    const key = chain?.store.findKey(keyId);
    if (!chain || !key?.canary || !digestsEqual(key.secretDigest, digest)) return;
    const now = this.clock();
    if (keyStatus(key, now) !== "active") return;
    chain.usage.count(keyId, now, { refused: 1 });
    const parsed = origin.ip ? parseIpAddress(origin.ip) : null;
    const sampled = chain.canaryUses.record(
      keyId,
      { ip: parsed ? formatIpAddress(parsed) : null, userAgent: cut(origin.userAgent), path: cut(origin.path) },
      now,
    );
    if ("dueAt" in sampled) {
      this.scheduleAlarm(sampled.dueAt);
      return;
    }
    chain.outbox.enqueue(this.sampledEvent(chain, "key.canary_used", sampled.report, now));
    await this.flush();
  }

  /**
   * One key's usage in a window ending at this object's now, in dense UTC-aligned buckets, with
   * its exact last use. Counts nothing and rolls nothing up; a chain that never registered a key
   * answers zeros and stays without tables.
   */
  usage(keyId: string, window: UsageWindow, resolution: UsageResolution): UsageReport {
    const span = usageSpan(window, resolution, this.clock());
    const chain = this.open(false);
    const buckets = chain ? chain.usage.report(keyId, span) : denseBuckets(span, []);
    return { span, buckets, totals: totalsOf(buckets), lastUsedAt: chain?.store.findKey(keyId)?.lastUsedAt ?? null };
  }

  /**
   * Places the chain here now (the key was created with a location hint: the caller got this
   * object with `locationHint`), instead of at the key's first use. Returns how the chain was
   * placed: by this call, or earlier.
   */
  async place(keyId: string, hint: string): Promise<Placement | null> {
    await this.ensure(keyId, { digest: null, cause: "region", hint });
    return this.placement();
  }

  /** How and when this chain was placed (its own record of its creation), or null: not placed. */
  placement(): Placement | null {
    return this.open(false)?.store.placement() ?? null;
  }

  /**
   * Revokes a key from this instant on. Idempotent: revoking again returns the first
   * revocation time and owes D1 nothing new.
   */
  async revoke(keyId: string, at: number, ops: OutboxOp[]): Promise<{ revokedAt: number; changed: boolean; synced: boolean }> {
    // A key revoked before its first use is loaded (and the chain placed) here first, so its
    // first request meets the revocation, whichever comes first.
    await this.ensure(keyId, { digest: null, cause: "revoke" });
    const { store, outbox } = this.open(true);
    const key = store.findKey(keyId);
    if (key?.revokedAt != null) return { revokedAt: key.revokedAt, changed: false, synced: await this.flush() };
    if (key) store.putKey({ ...key, revokedAt: at });
    outbox.enqueue(ops);
    return { revokedAt: at, changed: true, synced: await this.flush() };
  }

  /**
   * Revokes a key for disuse (its org's `revokeUnusedAfterDays`, by the scheduled run), unless
   * this object, which alone knows its last use exactly, has seen it used after `idleSince` (the
   * last use D1 knew when the run read it, up to 30 s behind, or the key's creation). The check
   * and the revocation are one synchronous step, so a request either came first (the key is kept
   * and answered) or meets the revocation (and is refused): a key used between the run's read and
   * this call is never revoked for disuse. A key revoked or rotated meanwhile is left as it is.
   */
  async revokeUnused(
    keyId: string,
    idleSince: number,
    at: number,
    ops: OutboxOp[],
  ): Promise<{ revoked: true; revokedAt: number } | { revoked: false; reason: "unknown" | "revoked" | "rotated" | "used"; lastUsedAt: number | null }> {
    await this.ensure(keyId, { digest: null, cause: "revoke" });
    const chain = this.open(false);
    const key = chain?.store.findKey(keyId);
    if (!chain || !key) return { revoked: false, reason: "unknown", lastUsedAt: null };
    const kept = key.revokedAt !== null ? "revoked" : key.rotatedToId !== null ? "rotated" : key.lastUsedAt !== null && key.lastUsedAt > idleSince ? "used" : null;
    if (kept) return { revoked: false, reason: kept, lastUsedAt: key.lastUsedAt };
    chain.store.putKey({ ...key, revokedAt: at });
    chain.outbox.enqueue(ops);
    await this.flush();
    return { revoked: true, revokedAt: at };
  }

  /**
   * Renames a key, moves its expiry earlier, replaces its IP allowlist (normalised; null lifts
   * it), its description or meta, and/or pauses or resumes it, from this instant on:
   * `identity.keyName`, the expiry, the allowlist and the pause the edge checks change with this
   * call. `ops` are owed when a field other than `enabled` changed; `toggle.paused` or
   * `toggle.resumed` when `enabled` did (so pausing a paused key writes and audits nothing). Refused unless the key is active at this object's clock, and
   * when `expiresAt` is later than the key's expiry here: this object serialises edits (and
   * rotations), so of two racing edits the later expiry cannot win, whatever D1 said when each
   * was checked. An edit that changes nothing succeeds and owes D1 nothing (no event either).
   */
  async edit(
    keyId: string,
    changes: {
      name?: string;
      expiresAt?: number;
      allowedIps?: string[] | null;
      enabled?: boolean;
      description?: string | null;
      meta?: string | null;
      limits?: KeyLimit[] | null;
      credits?: CreditsChange;
    },
    ops: OutboxOp[],
    toggle: { paused: OutboxOp[]; resumed: OutboxOp[] } = { paused: [], resumed: [] },
  ): Promise<
    | { ok: false; reason: "unknown" }
    | { ok: false; reason: "not_active"; status: "expired" | "revoked" }
    | { ok: false; reason: "not_earlier"; expiresAt: number }
    | { ok: false; reason: "no_credits" }
    | {
        ok: true;
        name: string;
        expiresAt: number | null;
        allowedIps: string[] | null;
        enabled: boolean;
        description: string | null;
        meta: string | null;
        limits: KeyLimit[] | null;
        credits: Credits | null;
        changed: boolean;
        toggled: boolean;
        synced: boolean;
      }
  > {
    await this.ensure(keyId, { digest: null, cause: "edit" });
    const chain = this.open(false);
    const key = chain?.store.findKey(keyId);
    if (!chain || !key) return { ok: false, reason: "unknown" };
    const status = keyStatus(key, this.clock());
    if (status !== "active") return { ok: false, reason: "not_active", status };
    const expiresAt = changes.expiresAt ?? key.expiresAt;
    if (key.expiresAt !== null && expiresAt !== null && expiresAt > key.expiresAt) return { ok: false, reason: "not_earlier", expiresAt: key.expiresAt };
    const terms = this.termsChange(chain, changes, this.clock());
    if (!terms) return { ok: false, reason: "no_credits" };
    const name = changes.name ?? key.name;
    const allowedIps = changes.allowedIps === undefined ? key.allowedIps : changes.allowedIps?.length ? changes.allowedIps : null;
    const enabled = changes.enabled ?? key.enabled;
    const description = changes.description === undefined ? key.description : changes.description;
    const meta = changes.meta === undefined ? key.meta : changes.meta;
    const changed =
      name !== key.name ||
      expiresAt !== key.expiresAt ||
      JSON.stringify(allowedIps) !== JSON.stringify(key.allowedIps) ||
      description !== key.description ||
      meta !== key.meta ||
      terms.changed;
    const toggled = enabled !== key.enabled;
    if (changed || toggled) chain.store.putKey({ ...key, name, expiresAt, allowedIps, enabled, description, meta });
    if (changed) chain.outbox.enqueue(ops);
    if (toggled) chain.outbox.enqueue(enabled ? toggle.resumed : toggle.paused);
    if (terms.stored) {
      this.putTerms(chain, terms.next);
      // A balance an edit set or topped up reaches D1 with this flush: no alarm may come (the key
      // may never be used again), and the list would show the old balance until one did.
      const owed = chain.store.unflushedCredits();
      if (owed) {
        chain.outbox.enqueue([{ op: "setTerms", ids: chain.store.keyIds(), credits: owed }]);
        chain.store.markCreditsFlushed(owed);
      }
    }
    const limits = terms.next.policies === null ? null : limitsOf(terms.next.policies);
    const credits = terms.next.credits;
    return { ok: true, name, expiresAt, allowedIps, enabled, description, meta, limits, credits, changed, toggled, synced: await this.flush() };
  }

  /**
   * The chain's exact state for a key's view (`GET /v1/keys/{id}`): its last use, and the chain's
   * balance with any refill it is owed (nothing is stored: the refill is stored by the next
   * decision). Nulls for a key this chain lacks.
   */
  liveView(keyId: string): { lastUsedAt: number | null; credits: Credits | null } {
    const chain = this.open(false);
    const key = chain?.store.findKey(keyId);
    if (!chain || !key) return { lastUsedAt: null, credits: null };
    return { lastUsedAt: key.lastUsedAt, credits: this.balance(chain, this.clock()) };
  }

  /**
   * Adds a successor to the chain and ends the old key at `oldExpiresAt`. Refused unless the old
   * key is active, not yet rotated and not a canary: this object serialises concurrent rotations.
   * The successor inherits the old key's IP allowlist, pause, description and meta as this object
   * holds them (an edit may have changed them since the caller read D1): the successor's
   * `insertKey` in `ops` is given them too, and the answer says which they are.
   */
  async rotate(
    oldId: string,
    successor: AuthorityKey,
    oldExpiresAt: number | null,
    ops: OutboxOp[],
    graceIdleMs: number | null = null,
  ): Promise<
    | { ok: false; reason: "not_active" | "id_taken" }
    | ({ ok: true; limits: KeyLimit[] | null; credits: Credits | null; synced: boolean } & Inherited)
  > {
    await this.ensure(oldId, { digest: null, cause: "rotate" });
    const chain = this.open(false);
    const old = chain?.store.findKey(oldId);
    if (!chain || !old || old.canary || keyStatus(old, this.clock()) !== "active" || old.rotatedToId !== null) return { ok: false, reason: "not_active" };
    if (chain.store.findKey(successor.id)) return { ok: false, reason: "id_taken" };
    // Never later than this object's own expiry: an edit may have moved it earlier than D1 said.
    chain.store.putKey({ ...old, rotatedToId: successor.id, expiresAt: earliest(old.expiresAt, oldExpiresAt) });
    const inherited: Inherited = { allowedIps: old.allowedIps, enabled: old.enabled, description: old.description, meta: old.meta };
    chain.store.putKey({ ...successor, ...inherited });
    // The old key's grace is tracked from here: its uses, the successor's first use, and (with
    // `graceIdleMs`, graceUntilIdle) its end once the successor is used and the old key is idle.
    chain.drains.start(oldId, successor.id, this.clock(), graceIdleMs);
    // The successor joins the chain's limits and balance: its D1 row carries them as they are now.
    const credits = this.balance(chain, this.clock());
    const limits = chain.terms.policies === null ? null : limitsOf(chain.terms.policies);
    if (credits !== chain.terms.credits) this.putTerms(chain, { ...chain.terms, credits });
    chain.outbox.enqueue(
      ops.map((op) =>
        op.op === "insertKey" && op.key.id === successor.id
          ? { ...op, key: { ...op.key, ...inherited, meta: metaOf(inherited.meta), limits, credits } }
          : op,
      ),
    );
    return { ok: true, ...inherited, limits, credits, synced: await this.flush() };
  }

  /**
   * Takes the creator's permissions and active flag, unless this object already holds a newer
   * state: pushes may arrive twice, late or out of order, and the newest always stays. The
   * chain's keys follow on their next request.
   */
  setCreator(creator: Creator): void {
    const { store } = this.open(true);
    const current = store.creator();
    if (current && (current.userId !== creator.userId || current.orgId !== creator.orgId)) return;
    if (current && current.version > creator.version) return;
    store.putCreator(creator);
  }

  /**
   * A rotated key's grace as this object knows it, exactly: its uses since the rotation, its last
   * use, its expiry (the grace's end) and, with graceUntilIdle, when the grace ends if the key
   * stays idle. A grace that has ended by idleness by now is recorded first. Null: the key is
   * not held here, or was never rotated here.
   */
  drainReport(keyId: string): DrainReport | null {
    const chain = this.open(false);
    if (!chain || !chain.store.findKey(keyId)) return null;
    const key = this.settleDrain(chain, keyId, this.clock()) ?? chain.store.findKey(keyId)!;
    const drain = chain.drains.find(keyId);
    if (!drain) return null;
    const endsWhenIdleAt = drain.endedAt === null && keyStatus(key, this.clock()) === "active" ? idleEndOf(drain, key.lastUsedAt) : null;
    const credits = this.balance(chain, this.clock());
    return { lastUsedAt: key.lastUsedAt, expiresAt: key.expiresAt, drain, endsWhenIdleAt, credits };
  }

  /** The exact last use of a key (D1's copy lags by up to USE_FLUSH_DELAY_MS, 30 s). */
  lastUsed(keyId: string): number | null {
    return this.open(false)?.store.findKey(keyId)?.lastUsedAt ?? null;
  }

  /** Writes owed D1 changes and recent uses. Idempotent: running it twice writes the same values. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const chain = this.open(false);
    if (!chain) return;
    const now = this.clock();
    const reports = [
      ...chain.ipRefusals.due(now).flatMap((report) => this.sampledEvent(chain, "key.ip_refused", report, now)),
      ...chain.canaryUses.due(now).flatMap((report) => this.sampledEvent(chain, "key.canary_used", report, now)),
    ];
    if (reports.length > 0) chain.outbox.enqueue(reports);
    for (const next of [chain.ipRefusals.nextDueAt(), chain.canaryUses.nextDueAt()]) if (next !== null) this.scheduleAlarm(next);
    // Graces that end by idleness end on time even when no request comes (their ops join this flush).
    for (const drain of chain.drains.openIdle()) this.settleDrain(chain, drain.keyId, now);
    const credits = chain.store.unflushedCredits();
    if (credits) {
      // The balance reaches D1 (the list's copy) through the outbox, with the chain's other writes.
      chain.outbox.enqueue([{ op: "setTerms", ids: chain.store.keyIds(), credits }]);
      chain.store.markCreditsFlushed(credits);
    }
    let ok = await this.flush();
    const uses = chain.store.unflushedUses();
    if (uses.length > 0) {
      try {
        await this.env.DB.batch(outboxStatements(this.env.DB, uses.map((u) => ({ op: "touchKey", id: u.id, at: u.at }))));
        chain.store.markUsesFlushed(uses);
      } catch (error) {
        ok = false;
        console.error(`last-used flush failed: ${(error as Error).message}`);
      }
    }
    if (!ok) this.scheduleAlarm(this.clock() + RETRY_DELAY_MS);
    else if (chain.store.unflushedUses().length > 0) this.scheduleAlarm(this.clock() + USE_FLUSH_DELAY_MS);
  }

  /**
   * The key as this object holds it, loading it the first time: one statement on D1's primary
   * (never a replica, so a create that returned is seen) reads its row and, if the presented
   * digest matches (or no digest: a management call), marks it placed; then the creator's state
   * comes from their coordinator, which from then on pushes every change here. Both are stored
   * and the placement recorded. Runs under `blockConcurrencyWhile`: concurrent first
   * requests and a racing revoke wait for the one load, then decide on what it stored, so they
   * neither load twice nor over-admit, and a revoke that returned is never missed. A wrong
   * secret or an unknown id stores nothing (no table is created); its row is remembered in
   * memory, so the next attempt costs no query.
   */
  protected async ensure(
    keyId: string,
    how: { digest: string | null; cause: PlacementCause; hint?: string },
  ): Promise<AuthorityKey | null> {
    const held = this.open(false)?.store.findKey(keyId);
    if (held) return held;
    let loaded: AuthorityKey | null = null;
    let failure: unknown = null;
    // A throw inside blockConcurrencyWhile would reset the object: failures are carried out.
    await this.ctx.blockConcurrencyWhile(async () => {
      try {
        loaded = await this.load(keyId, how);
      } catch (error) {
        failure = error;
      }
    });
    if (failure) throw failure;
    return loaded;
  }

  /** {@link ensure}'s load, run while no other request may interleave. */
  private async load(keyId: string, how: { digest: string | null; cause: PlacementCause; hint?: string }): Promise<AuthorityKey | null> {
    {
      const loaded = this.open(false)?.store.findKey(keyId) ?? null;
      if (loaded) return loaded; // another request loaded it while this one waited
    }
    const known = this.candidates.get(keyId);
    if (known === null) return null; // no such key
    const matches = (row: KeyRecord) => how.digest === null || digestsEqual(row.secretDigest, how.digest);
    if (known && !matches(known)) return null; // the same wrong secret, or another: no query
    // One statement on D1's primary: the row, marked placed when the digest is the key's.
    const record = await new KeyStore(this.env.DB).loadForAuthority(keyId, how.digest, this.clock());
    if (!record || limiterIdOf(record.id) !== limiterIdOf(keyId) || !matches(record)) {
      if (this.candidates.size >= MAX_CANDIDATES) this.candidates.clear();
      this.candidates.set(keyId, record);
      return null;
    }
    // A canary is never admitted, so its chain needs no creator's state: asking the coordinator
    // would make its first use slower than an unknown key's.
    if (!record.canary) {
      const ref = { orgId: record.orgId, userId: record.createdBy };
      const coordinator = this.env.USER_AUTHORITY.get(this.env.USER_AUTHORITY.idFromName(userAuthorityName(ref)));
      const creator = await coordinator.placeChain(ref, limiterIdOf(keyId));
      this.setCreator(creator);
    }
    const now = this.clock();
    const { store } = this.open(true);
    store.putKey({ ...authorityKeyOf(record), lastUsedAt: record.lastUsedAt });
    // The first key met sets the chain's terms; a key met later (its D1 copy may lag) changes none.
    store.initTerms({ policies: record.limits === null ? null : policiesOf(record.limits), credits: record.credits });
    this.opened!.terms = store.terms();
    this.opened!.buckets = tracksFor(this.opened!.admissions, store.buckets(), policiesIn(this.opened!.terms));
    store.recordPlacement({ at: now, cause: how.cause, hint: how.hint ?? null, keyId });
    this.candidates.delete(keyId);
    return store.findKey(keyId);
  }

  /** The chain's balance at `now` with any refill it is owed applied (not stored), or null: no credits. */
  private balance(chain: Chain, now: number): Credits | null {
    return chain.terms.credits && refilled(chain.terms.credits, now);
  }

  /**
   * The limiter's and the key's answer to its right secret at `now`; admits and records the use
   * when it may proceed. The chain's rate limits and its balance are decided together, in this
   * one synchronous block: a request refused by either takes nothing from the other, and two
   * requests can never spend the same credit.
   */
  private answer(
    chain: Chain,
    key: AuthorityKey,
    now: number,
    clientAddress: string | null,
    cost: number,
  ): Exclude<VerifyResult, { outcome: "unknown" }> {
    const status = keyStatus(key, now);
    if (status !== "active") return { outcome: status };
    if (!key.enabled) return { outcome: "disabled" };
    if (!allowsAddress(key.allowedIps, clientAddress)) {
      this.sampleIpRefusal(chain, key.id, clientAddress, now);
      return { outcome: "ip_not_allowed" };
    }
    const creator = chain.store.creator();
    if (!creator?.active) return { outcome: "deactivated" };
    const held = chain.terms.credits;
    const credits = this.balance(chain, now);
    if (credits !== held) {
      // A refill that came due while the chain slept: stored now, and carried to D1 by the alarm.
      this.putTerms(chain, { ...chain.terms, credits });
      this.scheduleAlarm(now + USE_FLUSH_DELAY_MS);
    }
    if (credits && credits.remaining < cost) {
      // A refill sets the balance to its amount: one below the cost never lets this request through.
      const helps = credits.refill !== null && credits.refill.amount >= cost;
      return { outcome: "credits_exhausted", retryAt: helps ? nextRefillOf(credits) : null, now };
    }
    const decision = decide(chain.admissions, now, policiesIn(chain.terms), chain.buckets);
    if (!decision.admitted) {
      const restricted = key.allowedIps !== null && key.allowedIps.length > 0;
      return { outcome: "rate_limited", violated: decision.violated!, retryAt: decision.retryAt!, now, usage: decision.usage, restricted };
    }
    chain.admissions = decision.admissions;
    chain.store.admit(now, now - EXACT_WINDOW_MS);
    for (const [width, track] of decision.buckets) {
      const newest = track.at(-1)!;
      chain.store.putBucket(width, newest, newest.start !== chain.buckets.get(width)?.at(-1)?.start, now - retentionOf(width));
    }
    chain.buckets = decision.buckets;
    let balance: CreditBalance | null = null;
    if (credits) {
      const spent = { ...credits, remaining: credits.remaining - cost };
      if (cost > 0) this.putTerms(chain, { ...chain.terms, credits: spent });
      balance = { remaining: spent.remaining, nextRefillAt: nextRefillOf(spent) };
    }
    chain.store.touchKey(key.id, now);
    this.scheduleAlarm(now + USE_FLUSH_DELAY_MS);
    return { outcome: "admitted", identity: identityOf(key, creator), usage: decision.usage, credits: balance };
  }

  /**
   * What an edit makes of the chain's terms at `now`: the limits replaced (null: the defaults),
   * the balance set, topped up or lifted, after the refill it is owed. Null: a top-up of a chain
   * without credits. `stored`: the terms must be written (they changed, or a refill came due);
   * `changed`: the edit itself changed something.
   */
  private termsChange(
    chain: Chain,
    changes: { limits?: KeyLimit[] | null; credits?: CreditsChange },
    now: number,
  ): { next: ChainTerms; changed: boolean; stored: boolean } | null {
    const held = chain.terms;
    const current = held.credits && refilled(held.credits, now);
    let credits = current;
    const change = changes.credits;
    if (change === null) credits = null;
    else if (change !== undefined && "add" in change) {
      if (!current) return null;
      credits = { ...current, remaining: Math.min(MAX_CREDITS, current.remaining + change.add) };
    } else if (change !== undefined) credits = { remaining: change.remaining, refill: change.refill ?? null, refilledAt: now };
    const policies = changes.limits === undefined ? held.policies : changes.limits === null ? null : policiesOf(changes.limits);
    const next = { policies, credits };
    const changed = JSON.stringify(policies) !== JSON.stringify(held.policies) || JSON.stringify(credits) !== JSON.stringify(current);
    return { next, changed, stored: changed || current !== held.credits };
  }

  /**
   * Stores the chain's terms. New limits rebuild the limiter's bucket tracks (those the new
   * windows share with the old keep their counts; tracksFor) and go to D1 through the outbox,
   * with the balance; a balance alone reaches D1 with the next alarm (30 s of use at most).
   */
  private putTerms(chain: Chain, next: ChainTerms): void {
    const limitsChanged = JSON.stringify(next.policies) !== JSON.stringify(chain.terms.policies);
    if (limitsChanged) {
      const tracks = tracksFor(chain.admissions, chain.buckets, policiesIn(next));
      chain.store.replaceTracks(tracks, new Set([...tracks.keys()].filter((w) => chain.buckets.has(w))));
      chain.buckets = tracks;
      chain.store.putTerms(next, next.credits);
      chain.outbox.enqueue([
        { op: "setTerms", ids: chain.store.keyIds(), limits: next.policies === null ? null : limitsOf(next.policies), credits: next.credits },
      ]);
    } else if (JSON.stringify(next.credits?.refill ?? null) !== JSON.stringify(chain.terms.credits?.refill ?? null) || !next.credits !== !chain.terms.credits) {
      // A new refill rule (or credits given or lifted) is shown at once in the list; spending is not.
      chain.store.putTerms(next, next.credits);
      chain.outbox.enqueue([{ op: "setTerms", ids: chain.store.keyIds(), credits: next.credits }]);
    } else {
      chain.store.putTerms(next);
    }
    chain.terms = next;
  }

  /**
   * Settles the open grace of the rotated key `keyId` at `now` (graceUntilIdle): when it has
   * ended by idleness (idleEndOf), the key's expiry becomes that instant, exactly (not `now`), the
   * drain is closed, and D1 (markRotated, which only ever moves an expiry earlier) and a
   * `key.grace_ended` event follow through the outbox; the owner's coordinator is told, so the key
   * stops counting against the cap (best effort: until it hears, it counts the key until the
   * grace's fixed end, never fewer). Otherwise an alarm is set for the end once it is known. A
   * grace that ended otherwise (its fixed end, a revoke) is closed. Synchronous up to the
   * outbox write; returns the key as it now stands, or null when it has no open grace.
   */
  private settleDrain(chain: Chain, keyId: string, now: number): AuthorityKey | null {
    const drain = chain.drains.openOf(keyId);
    if (!drain) return null;
    const key = chain.store.findKey(keyId);
    if (!key || keyStatus(key, now) !== "active") {
      chain.drains.close(keyId);
      return key;
    }
    const end = idleEndOf(drain, key.lastUsedAt);
    if (end === null) return key;
    if (end > now) {
      this.scheduleAlarm(end);
      return key;
    }
    if (key.expiresAt !== null && key.expiresAt <= end) {
      chain.drains.close(keyId);
      return key;
    }
    const ended = { ...key, expiresAt: end };
    chain.store.putKey(ended);
    chain.drains.endByIdle(keyId, end);
    const creator = chain.store.creator();
    const event = newAuditEvent({
      orgId: key.orgId,
      at: end,
      action: "key.grace_ended",
      actor: { type: "system", id: "edge" },
      ownerId: creator?.userId ?? "",
      keyId,
      origin: { ip: null, userAgent: null },
      detail: {
        reason: "idle",
        idleSeconds: drain.idleMs! / 1000,
        successorId: drain.successorId,
        successorUsedAt: new Date(drain.successorUsedAt!).toISOString(),
        lastUsedAt: key.lastUsedAt === null ? null : new Date(key.lastUsedAt).toISOString(),
        usesSinceRotation: drain.uses,
      },
    });
    chain.outbox.enqueue([
      { op: "markRotated", id: keyId, successorId: drain.successorId, expiresAt: end },
      { op: "appendAudit", event },
    ]);
    void this.flush();
    if (creator) {
      const ref = { orgId: creator.orgId, userId: creator.userId };
      const coordinator = this.env.USER_AUTHORITY.get(this.env.USER_AUTHORITY.idFromName(userAuthorityName(ref)));
      void coordinator
        .keyExpiryChanged(ref, keyId, end)
        .catch((error: unknown) => console.error(`coordinator not told of ${keyId}'s grace end: ${(error as Error).message}`));
    }
    return ended;
  }

  /** Counts an admitted request in its chain's open graces; a successor's first use may settle its predecessor's. */
  private noteDrainUse(chain: Chain, keyId: string, now: number): void {
    const started = chain.drains.noteAdmission(keyId, now);
    if (started) this.settleDrain(chain, started.keyId, now);
  }

  /**
   * Audits one IP-allowlist refusal, sampled: the event (when one is due now) joins the outbox in
   * this synchronous block and is written to D1 after the answer has gone; otherwise the alarm
   * reports the refusals held back once their minute is over.
   */
  private sampleIpRefusal(chain: Chain, keyId: string, clientAddress: string | null, now: number): void {
    const parsed = clientAddress ? parseIpAddress(clientAddress) : null;
    const sampled = chain.ipRefusals.record(keyId, { ip: parsed ? formatIpAddress(parsed) : null, userAgent: null, path: null }, now);
    if ("dueAt" in sampled) {
      this.scheduleAlarm(sampled.dueAt);
      return;
    }
    chain.outbox.enqueue(this.sampledEvent(chain, "key.ip_refused", sampled.report, now));
    // Not awaited: the refusal's answer must not wait for D1. A failed write is retried by the alarm.
    void this.flush();
  }

  /**
   * The event of a sampled report, as an outbox op (none for a key this chain lacks):
   * `key.ip_refused` with `{ refused }`, or `key.canary_used` with `{ path, uses }` and the user agent.
   */
  private sampledEvent(chain: Chain, action: "key.ip_refused" | "key.canary_used", report: SampledReport, at: number): OutboxOp[] {
    const key = chain.store.findKey(report.keyId);
    const ownerId = key?.createdBy ?? chain.store.creator()?.userId;
    if (!key || !ownerId) return [];
    const canary = action === "key.canary_used";
    const event = newAuditEvent({
      orgId: key.orgId,
      at,
      action,
      actor: { type: "system", id: "edge" },
      ownerId,
      keyId: key.id,
      origin: { ip: report.ip, userAgent: canary ? report.userAgent : null },
      detail: canary ? { path: report.path, uses: report.count } : { refused: report.count },
    });
    return [{ op: "appendAudit", event }];
  }

  /** Writes the outbox to D1 in order; on failure an alarm retries. */
  private async flush(): Promise<boolean> {
    const chain = this.open(false);
    if (!chain) return true;
    const ok = await chain.outbox.flush();
    if (!ok) this.scheduleAlarm(this.clock() + RETRY_DELAY_MS);
    return ok;
  }

  /**
   * The object's storage, opened on first use. With `create` false an object that has no tables
   * yet (no key was ever registered here) stays without any: a lookup of an unknown or forged id
   * writes nothing to disk. Protected, for the local-development subclass (dev-key-authority.ts).
   */
  protected open(create: true): Chain;
  protected open(create: boolean): Chain | null;
  protected open(create: boolean) {
    if (this.opened) return this.opened;
    const sql = this.ctx.storage.sql;
    if (!create && !AuthorityStore.exists(sql)) return null;
    const store = new AuthorityStore(sql);
    this.opened = {
      store,
      outbox: new Outbox(sql, this.env),
      usage: new UsageStore(sql),
      ipRefusals: new EventSampler(sql, "ip_refusals"),
      canaryUses: new EventSampler(sql, "canary_uses"),
      drains: new DrainStore(sql),
      admissions: store.admissions(),
      terms: store.terms(),
      buckets: store.buckets(),
    };
    return this.opened;
  }

  private scheduleAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }
}

/** A chain's opened storage and its limiter's admissions in memory. */
interface Chain {
  store: AuthorityStore;
  outbox: Outbox;
  usage: UsageStore;
  ipRefusals: EventSampler;
  canaryUses: EventSampler;
  drains: DrainStore;
  admissions: number[];
  /** The chain's limits and balance (a copy of chain_terms). */
  terms: ChainTerms;
  /** The limiter's bucket tracks, for windows over a minute (a copy of limiter_buckets). */
  buckets: Map<number, Bucket[]>;
}

/** The policies a chain's terms hold it to: its own, or the defaults. */
function policiesIn(terms: ChainTerms): readonly Policy[] {
  return terms.policies ?? POLICIES;
}

/** What a rotation's successor takes from the old key as the chain's object holds it. */
type Inherited = Pick<AuthorityKey, "allowedIps" | "enabled" | "description" | "meta">;

/** `text` cut to {@link MAX_REPORTED_TEXT} characters, or null. */
function cut(text: string | null): string | null {
  return text === null ? null : text.slice(0, MAX_REPORTED_TEXT);
}

/** The earlier of two expiries, null meaning never. */
function earliest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

/** What this object keeps of a key's D1 row. */
export function authorityKeyOf(record: KeyRecord): AuthorityKey {
  return {
    id: record.id,
    orgId: record.orgId,
    name: record.name,
    secretDigest: record.secretDigest,
    scopes: record.scopes,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    rotatedToId: record.rotatedToId,
    lastUsedAt: null,
    allowedIps: record.allowedIps,
    enabled: record.enabled,
    description: record.description,
    meta: metaColumn(record.meta),
    canary: record.canary,
    createdBy: record.createdBy,
  };
}

function identityOf(key: AuthorityKey, creator: Creator): KeyIdentity {
  const permissions = key.scopes === null ? creator.permissions : creator.permissions.filter((p) => key.scopes!.includes(p));
  return {
    keyId: key.id,
    keyName: key.name,
    orgId: key.orgId,
    userId: creator.userId,
    userName: creator.name,
    permissions,
    description: key.description,
    meta: key.meta,
  };
}
