import { sweepWebhooks } from "../webhooks/sweep";
import { remindExpiringKeys } from "./expiry-reminders";
import { revokeUnusedKeys } from "./unused-keys";

/** One job of the scheduled run: a name for the logs and what it does at `now`. */
export interface ScheduledJob {
  name: string;
  run: (env: Env, now: number) => Promise<unknown>;
}

/**
 * Every job the Cron Trigger runs, each on every run (wrangler.toml `crons`): the one place a job
 * is added. A job is idempotent (a run may repeat or overlap
 * another), bounded per run (what is left waits for the next run), and takes the run's `now`
 * instead of reading the clock.
 */
export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  { name: "expiry-reminders", run: remindExpiringKeys },
  // The webhooks' safety net: fan-outs and deliveries whose queue message was lost.
  { name: "webhooks-sweep", run: sweepWebhooks },
  { name: "unused-keys", run: revokeUnusedKeys },
];

/**
 * The scheduled run (a Cron Trigger, or `/__scheduled` under `wrangler dev --test-scheduled`):
 * every job of {@link SCHEDULED_JOBS} at `now`, the controller's `scheduledTime`.
 *
 * @example
 * export default { async scheduled(controller, env) { await runScheduled(env, controller.scheduledTime); } };
 */
export function runScheduled(env: Env, now: number): Promise<void> {
  return runJobs(SCHEDULED_JOBS, env, now);
}

/**
 * Runs `jobs` side by side, each isolated: one that fails neither stops nor delays the others.
 * What each did is logged; when any failed, the failures are logged and thrown together at the
 * end (an AggregateError), so the Cron Trigger's run shows as failed in the dashboard and logs.
 *
 * @example
 * await runJobs([{ name: "expiry-reminders", run: remindExpiringKeys }], env, Date.now());
 */
export async function runJobs(jobs: readonly ScheduledJob[], env: Env, now: number): Promise<void> {
  // An async wrapper, so a job that throws before returning its promise is isolated too.
  const results = await Promise.allSettled(jobs.map(async (job) => job.run(env, now)));
  const failures: unknown[] = [];
  results.forEach((result, i) => {
    const name = jobs[i]!.name;
    if (result.status === "fulfilled") {
      console.log(`scheduled ${name}: ${JSON.stringify(result.value ?? "done")}`);
    } else {
      console.error(`scheduled ${name} failed: ${(result.reason as Error)?.stack ?? String(result.reason)}`);
      failures.push(result.reason);
    }
  });
  if (failures.length > 0) {
    throw new AggregateError(failures, `scheduled run at ${new Date(now).toISOString()}: ${failures.length} of ${jobs.length} jobs failed`);
  }
}
