import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import dev from "../../../worker/dev";
import production from "../../../worker/index";
import { runJobs, SCHEDULED_JOBS } from "../../../worker/lifecycle/scheduled";
import { createKey, user } from "../helpers/api";
import { DAY, isoAfter, summaryOf } from "./reminder-helpers";

afterEach(() => vi.restoreAllMocks());

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
    const jobs = [...SCHEDULED_JOBS, { name: "failing", run: () => Promise.reject(new Error("webhook sweep failed")) }];
    await expect(runJobs(jobs, env, t0)).rejects.toThrow("1 of 2 jobs failed");
    expect(await summaryOf(key.id)).toEqual([`key.expiring 7d ${key.expiresAt}`]);
  });
});
