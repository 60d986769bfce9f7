// lifecycle/: what the Worker does on its own, on the Cron Trigger's schedule (scheduled.ts runs
// every job): expiry reminders here; further jobs (the webhook sweep) join scheduled.ts's list.
// Floor: imports leaks/ and below (it uses audit/ and keys/); never app-env, http/ or routes/.

import type { Actor } from "../audit/audit-types";
import { type AuditRecord, AuditStore, derivedAuditEvent } from "../audit/audit-store";
import { type DueExpiryNotice, type ExpiryNotice, expiryNoticeAt } from "../keys/expiry-notice";
import { KeyStore } from "../keys/key-store";
import { batchWithWebhooks } from "../webhooks/webhook-queue";

/** Keys read (and reminded) per D1 query; their events and records travel as one JSON parameter each. */
export const EXPIRY_PAGE_SIZE = 500;
/**
 * Pages per run: at most 10 × 500 reminders and 20 D1 calls (a read and a two-statement batch
 * per page) in one invocation, within the Workers Free plan's 50 queries. What is left is still
 * due at the next run, which continues with it (oldest owed first).
 */
export const EXPIRY_MAX_PAGES = 10;

const CRON: Actor = { type: "system", id: "cron" };

/** What one run of {@link remindExpiringKeys} did. */
export interface ExpiryRunSummary {
  /** Reminders written (events a concurrent run had already written count too: the id is the same). */
  reminded: number;
  pages: number;
  /** True when the run stopped at its page limit with keys possibly still due. */
  more: boolean;
}

/**
 * The expiry reminders owed at `now`, as audit events by the `cron` system actor: `key.expiring`
 * with `{ window: "7d" | "1d", expiresAt }` and `key.expired` with `{ expiresAt }`, for keys that
 * are not revoked (a rotated-away key gets `key.expired` only). Exactly once per key, reminder
 * and expiry, however often and however concurrently it runs: each event's id is derived from
 * what it says ({@link derivedAuditEvent}), and the key records the reminder in the same D1 batch,
 * so it is not read again until its next one is due. An expiry moved earlier is a new expiry:
 * the key is reminded of the new date.
 *
 * @example
 * const summary = await remindExpiringKeys(env, controller.scheduledTime);
 */
export async function remindExpiringKeys(
  env: Env,
  now: number,
  limits: { pageSize: number; maxPages: number } = { pageSize: EXPIRY_PAGE_SIZE, maxPages: EXPIRY_MAX_PAGES },
): Promise<ExpiryRunSummary> {
  const keys = new KeyStore(env.DB);
  const audit = new AuditStore(env.DB);
  let reminded = 0;
  for (let page = 1; page <= limits.maxPages; page++) {
    const due = await keys.dueExpiryNotices(now, limits.pageSize);
    if (due.length === 0) return { reminded, pages: page, more: false };
    // Every key read is in a reminder (its due time is one of expiryNoticeAt's boundaries).
    const sent = due.flatMap((key) => {
      const notice = expiryNoticeAt(key.expiresAt, now);
      return notice === null ? [] : [{ key, notice }];
    });
    const events = await Promise.all(sent.map(({ key, notice }) => reminderEvent(key, notice, now)));
    // The reminders are webhook events: their fan-out is asked for at once when an endpoint is owed one.
    await batchWithWebhooks(
      env,
      [audit.appendAll(events), keys.recordExpiryNotices(sent.map(({ key, notice }) => ({ id: key.id, expiresAt: key.expiresAt, notice })))],
      events,
    );
    reminded += sent.length;
    if (due.length < limits.pageSize) return { reminded, pages: page, more: false };
  }
  return { reminded, pages: limits.maxPages, more: true };
}

/** The event of one reminder; its id is derived from key, action, window and expiry. */
function reminderEvent(key: DueExpiryNotice, notice: ExpiryNotice, now: number): Promise<AuditRecord> {
  const expiresAt = new Date(key.expiresAt).toISOString();
  const window = notice === 0 ? null : `${notice}d`;
  const action = notice === 0 ? "key.expired" : "key.expiring";
  return derivedAuditEvent(`${key.id}|${action}|${window ?? ""}|${key.expiresAt}`, {
    orgId: key.orgId,
    at: now,
    action,
    actor: CRON,
    ownerId: key.ownerId,
    keyId: key.id,
    origin: { ip: null, userAgent: null },
    detail: window === null ? { expiresAt } : { window, expiresAt },
  });
}
