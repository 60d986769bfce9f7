import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import dev from "../../../worker/dev";
import production from "../../../worker/index";
import { runJobs, SCHEDULED_JOBS } from "../../../worker/lifecycle/scheduled";
import { createKey, user } from "../helpers/api";
import { DAY, isoAfter, summaryOf } from "./reminder-helpers";

afterEach(async () => {
  vi.restoreAllMocks();
  await env.DB.exec("DROP TRIGGER IF EXISTS fail_expiry_notice");
});

/** What the Cron Trigger does: the entry's `scheduled` export with a controller at `scheduledTime`. */
async function trigger(entry: ExportedHandler<Env>, scheduledTime: number): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: "*/15 * * * *" });
  const ctx = createExecutionContext();
  await entry.scheduled!(controller, env, ctx);
  await waitOnExecutionContext(ctx);
}

describe("the scheduled handler (Cron Trigger)", () => {
  for (const [name, entry] of [["worker/index.ts (production)", production], ["worker/dev.ts (wrangler dev, the tests)", dev]] as const) {
    it(`${name}: runs the expiry reminders at the controller's scheduledTime`, async () => {
      const alice = await user();
      const t0 = Date.now();
      const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 9 * DAY) });
      await trigger(entry, t0);
      expect(await summaryOf(key.id)).toEqual([]);
      await trigger(entry, t0 + 3 * DAY);
      await trigger(entry, t0 + 3 * DAY);
      expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${key.expiresAt}`]);
      await trigger(entry, Date.parse(key.expiresAt!));
      expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${key.expiresAt}`, `key.expired ${key.expiresAt}`]);
    });
  }

  it("fails the run when D1 refuses a page, writes none of its reminders, and the next run writes each once", async () => {
    const alice = await user();
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 4 * DAY) });
    // D1 refusing the key's reminder record for real (the page's events are in the same batch).
    await env.DB.exec(
      `CREATE TRIGGER fail_expiry_notice BEFORE UPDATE OF expiry_notice ON api_keys WHEN NEW.id = '${key.id}' BEGIN SELECT RAISE(ABORT, 'injected failure'); END;`,
    );
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await expect(trigger(production, t0)).rejects.toThrow(`1 of ${SCHEDULED_JOBS.length} jobs failed`);
    expect(errors.mock.calls.some(([line]) => String(line).startsWith("scheduled expiry-reminders failed") && String(line).includes("injected failure"))).toBe(true);
    expect(await summaryOf(key.id)).toEqual([]);
    await env.DB.exec("DROP TRIGGER fail_expiry_notice");
    await trigger(production, t0 + 15 * 60_000);
    await trigger(production, t0 + 30 * 60_000);
    expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${key.expiresAt}`]);
  });

  it("has the expiry reminders among its jobs", () => {
    expect(SCHEDULED_JOBS.map((job) => job.name)).toContain("expiry-reminders");
  });
});

describe("runJobs", () => {
  it("runs every job even when one fails, logs the failure, and rejects at the end so the Cron shows it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    const ran: string[] = [];
    const boom = new Error("D1 is down");
    const outcome = runJobs(
      [
        { name: "first", run: async () => void ran.push("first") },
        { name: "broken", run: () => Promise.reject(boom) },
        { name: "throws-at-once", run: () => { throw new Error("sync"); } },
        { name: "last", run: async (_env, now) => void ran.push(`last at ${now}`) },
      ],
      env,
      1_800_000_000_000,
    );
    await expect(outcome).rejects.toMatchObject({ name: "AggregateError", errors: [boom, expect.objectContaining({ message: "sync" })] });
    await expect(outcome).rejects.toThrow("2 of 4 jobs failed");
    expect(ran).toEqual(["first", "last at 1800000000000"]);
    expect(errors.mock.calls.map(([line]) => String(line).split(":")[0])).toEqual(["scheduled broken failed", "scheduled throws-at-once failed"]);
  });

  it("the scheduled handler rejects when a job fails (the run is marked failed), after the other jobs ran", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const alice = await user();
    const t0 = Date.now();
    const { key } = await createKey(alice, { expiresAt: isoAfter(t0, 2 * DAY) });
    const jobs = [...SCHEDULED_JOBS, { name: "failing", run: () => Promise.reject(new Error("a job failed")) }];
    await expect(runJobs(jobs, env, t0)).rejects.toThrow(`1 of ${SCHEDULED_JOBS.length + 1} jobs failed`);
    expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${key.expiresAt}`]);
  });
});
