import { env } from "cloudflare:workers";
import { remindExpiringKeys } from "../../../worker/lifecycle/expiry-reminders";
import { runScheduled } from "../../../worker/lifecycle/scheduled";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An instant `ms` after `from`, in whole seconds (what the API stores), as RFC 3339. */
export function isoAfter(from: number, ms: number): string {
  return new Date(Math.floor((from + ms) / 1000) * 1000).toISOString();
}

/** One reminder as D1 holds it, in a form a test compares at a glance. */
export interface StoredReminder {
  id: string;
  action: string;
  window: string | null;
  expiresAt: string;
  at: number;
  actor: string;
  ownerId: string;
}

/** The events the scheduled run wrote about a key (actor system/cron), oldest first. */
export async function remindersOf(keyId: string): Promise<StoredReminder[]> {
  const { results } = await env.DB
    .prepare("SELECT * FROM audit_events WHERE key_id = ? AND actor_type = 'system' ORDER BY at, action DESC, id")
    .bind(keyId)
    .all<{ id: string; action: string; detail: string; at: number; actor_type: string; actor_id: string; owner_id: string }>();
  return results.map((row) => {
    const detail = JSON.parse(row.detail) as { window?: string; expiresAt: string };
    return {
      id: row.id,
      action: row.action,
      window: detail.window ?? null,
      expiresAt: detail.expiresAt,
      at: row.at,
      actor: `${row.actor_type}:${row.actor_id}`,
      ownerId: row.owner_id,
    };
  });
}

/** The reminders of a key as short strings: "key.expiring 7d 2026-…Z", "key.expired 2026-…Z". */
export async function summaryOf(keyId: string): Promise<string[]> {
  return (await remindersOf(keyId)).map((r) => [r.action, r.window, r.expiresAt].filter(Boolean).join(" "));
}

/** The scheduled run at `now`, every job, as the Cron Trigger runs it. */
export function runAt(now: number): Promise<void> {
  return runScheduled(env, now);
}

/** Runs the expiry reminders at `now` until nothing is due (other tests' keys included). */
export async function drainAt(now: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (!(await remindExpiringKeys(env, now)).more) return;
  }
  throw new Error("expiry reminders did not drain in 100 runs");
}
