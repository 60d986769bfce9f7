import type { Actor } from "../audit/audit-types";
import { type AuditRecord, AuditStore, derivedAuditEvent } from "../audit/audit-store";
import { type IdleKey, UnusedKeyStore } from "../keys/unused-key-store";
import { revokeUnusedKey } from "../manage/revoke-key";
import { batchWithWebhooks } from "../webhooks/webhook-queue";

/** Announcements read (and written) per D1 query. */
const NOTICE_PAGE_SIZE = 500;
/** Announcement pages per run: at most 5 × 500 announcements, 10 D1 calls. */
const NOTICE_MAX_PAGES = 5;
/**
 * Revocations per run: each is a call to the key's Durable Object and one to its owner's, so a
 * run does at most this many; what is left is still due at the next run (every 15 minutes).
 */
const MAX_REVOCATIONS = 200;
/** Revocations in flight at once. */
const REVOKE_CONCURRENCY = 10;

const CRON: Actor = { type: "system", id: "cron" };

/** What one run of {@link revokeUnusedKeys} did. */
export interface UnusedRunSummary {
  /** Announcements written (one a concurrent run wrote already counts too: the id is the same). */
  announced: number;
  revoked: number;
  /** Keys due whose object had seen a use D1 did not know yet: kept, and announced again when idle again. */
  kept: number;
  /** True when the run stopped at a limit with work possibly left. */
  more: boolean;
}

/**
 * Revokes the keys of orgs with `revokeUnusedAfterDays` that have not been used for that many
 * days (since their last use, or their creation if never used), announcing each 7 days ahead:
 *
 * 1. `key.expiring` with `{ window: "7d", reason: "unused", revokeAt }` by `system`/`cron`, once per
 *    key and idle basis (the event id is derived from key and basis, and the key records the
 *    announcement in the same D1 batch), for live keys idle for `days − 7` days. A use moves the
 *    basis: the key is announced again when it has been idle long enough again. A key that will
 *    expire by itself before `revokeAt` is not announced (nor revoked).
 * 2. The revocation, through the path of every revocation (manage/revoke-key.ts) with `system`/
 *    `cron` and reason `unused`, once the time announced has come, the key is still unused since
 *    the basis it was announced for, and it has been idle for the org's `days` as they are now.
 *    The key's Durable Object makes the last check (it knows the last use exactly, where D1 is
 *    up to 30 s behind) and revokes in the same synchronous step, so a key used in between is
 *    kept, and concurrent runs revoke it once.
 *
 * @example
 * const summary = await revokeUnusedKeys(env, controller.scheduledTime);
 */
export async function revokeUnusedKeys(env: Env, now: number): Promise<UnusedRunSummary> {
  const store = new UnusedKeyStore(env.DB);
  const audit = new AuditStore(env.DB);
  let announced = 0;
  let more = false;
  for (let page = 1; ; page++) {
    const due = await store.dueNotices(now, NOTICE_PAGE_SIZE);
    if (due.length > 0) {
      const events = await Promise.all(due.map((key) => noticeEvent(key, now)));
      // The announcements are key.expiring events: their webhook fan-out is asked for with the write.
      await batchWithWebhooks(env, [audit.appendAll(events), store.recordNotices(due)], events);
      announced += due.length;
    }
    if (due.length < NOTICE_PAGE_SIZE) break;
    if (page === NOTICE_MAX_PAGES) {
      more = true;
      break;
    }
  }
  const due = await store.dueRevocations(now, MAX_REVOCATIONS);
  if (due.length === MAX_REVOCATIONS) more = true;
  let revoked = 0;
  let kept = 0;
  for (let i = 0; i < due.length; i += REVOKE_CONCURRENCY) {
    const results = await Promise.all(due.slice(i, i + REVOKE_CONCURRENCY).map((key) => revokeUnusedKey(env, key, now)));
    for (const done of results) done ? (revoked += 1) : (kept += 1);
  }
  return { announced, revoked, kept, more };
}

/** The announcement of one key's revocation for disuse; its id is derived from key and idle basis. */
function noticeEvent(key: IdleKey, now: number): Promise<AuditRecord> {
  return derivedAuditEvent(`${key.id}|key.expiring|unused|${key.idleSince}`, {
    orgId: key.orgId,
    at: now,
    action: "key.expiring",
    actor: CRON,
    ownerId: key.ownerId,
    keyId: key.id,
    origin: { ip: null, userAgent: null },
    detail: { window: "7d", reason: "unused", revokeAt: new Date(key.revokeAt).toISOString(), idleSince: new Date(key.idleSince).toISOString() },
  });
}
