import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { createKey, user, useKey } from "../helpers/api";
import { dayAhead, DAY, digestOf, HOUR, MINUTE, setChainClock, usageOf, usageRows } from "./usage-helpers";

const iso = (ms: number) => new Date(ms).toISOString();

describe("usage buckets", () => {
  it("puts each request in the UTC minute, hour and day it happened in", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const day = dayAhead(3);
    // Two requests in the last instant of 10:59 and three at 11:00:00.000 exactly (on the key's object's clock).
    await setChainClock(key.id, day + 11 * HOUR - 1);
    for (let i = 0; i < 2; i++) expect((await useKey(secret)).status).toBe(200);
    await setChainClock(key.id, day + 11 * HOUR);
    for (let i = 0; i < 3; i++) expect((await useKey(secret)).status).toBe(200);
    await setChainClock(key.id, day + 11 * HOUR + 30 * MINUTE);

    const byMinute = await usageOf(alice, key.id, "window=24h&resolution=minute");
    const minute = (at: number) => byMinute.buckets.find((b) => b.start === iso(at));
    expect(minute(day + 11 * HOUR - MINUTE)).toMatchObject({ admitted: 2 });
    expect(minute(day + 11 * HOUR)).toMatchObject({ admitted: 3 });
    expect(byMinute.buckets.filter((b) => b.admitted > 0)).toHaveLength(2);

    const byHour = await usageOf(alice, key.id, "window=24h");
    expect(byHour.resolution).toBe("hour");
    expect(byHour.buckets.filter((b) => b.admitted > 0)).toEqual([
      { start: iso(day + 10 * HOUR), admitted: 2, rateLimited: 0, refused: 0 },
      { start: iso(day + 11 * HOUR), admitted: 3, rateLimited: 0, refused: 0 },
    ]);

    const byDay = await usageOf(alice, key.id, "window=7d&resolution=day");
    expect(byDay.buckets.at(-1)).toEqual({ start: iso(day), admitted: 5, rateLimited: 0, refused: 0 });
  });

  it("answers dense buckets, oldest first, from the bucket holding now − window to the one holding now, with totals that add them up", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const now = dayAhead(2) + 13 * HOUR + 17 * MINUTE + 5_000;
    await setChainClock(key.id, now);
    expect((await useKey(secret)).status).toBe(200);
    const cases = [
      ["window=24h&resolution=minute", "minute", MINUTE, 1441],
      ["window=24h", "hour", HOUR, 25],
      ["window=24h&resolution=day", "day", DAY, 2],
      ["window=7d", "hour", HOUR, 169],
      ["window=7d&resolution=day", "day", DAY, 8],
      ["window=30d", "day", DAY, 31],
      ["window=30d&resolution=hour", "hour", HOUR, 721],
      ["", "hour", HOUR, 25],
    ] as const;
    for (const [query, resolution, bucketMs, count] of cases) {
      const usage = await usageOf(alice, key.id, query);
      expect(usage.resolution, query).toBe(resolution);
      expect(usage.bucketSeconds).toBe(bucketMs / 1000);
      expect(usage.to).toBe(iso(now));
      expect(usage.buckets, query).toHaveLength(count);
      expect(usage.from).toBe(usage.buckets[0]!.start);
      expect(Date.parse(usage.from) % bucketMs).toBe(0);
      const window = { "24h": DAY, "7d": 7 * DAY, "30d": 30 * DAY }[usage.window];
      expect(Date.parse(usage.from)).toBe(Math.floor((now - window) / bucketMs) * bucketMs);
      usage.buckets.forEach((b, i) => expect(Date.parse(b.start)).toBe(Date.parse(usage.from) + i * bucketMs));
      expect(usage.totals).toEqual({
        admitted: usage.buckets.reduce((sum, b) => sum + b.admitted, 0),
        rateLimited: usage.buckets.reduce((sum, b) => sum + b.rateLimited, 0),
        refused: usage.buckets.reduce((sum, b) => sum + b.refused, 0),
      });
      expect(usage.totals.admitted, query).toBe(1);
      expect(usage.lastUsedAt).toBe(iso(now));
    }
  });

  it("rolls minutes older than a day up into hours and drops hours older than 30 days, keeping every count in its window exact", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    const digest = await digestOf(secret);
    const start = dayAhead(1) + 7 * MINUTE;
    const end = start + 35 * DAY;
    const step = 5 * MINUTE;
    // 35 days of one request every 5 minutes, straight through the object's check as /api/* runs it.
    const times = await runInDurableObject(authorityFor(env, key.id), async (authority: KeyAuthority) => {
      const at: number[] = [];
      for (let t = start; t <= end; t += step) {
        authority.clock = () => t;
        if ((await authority.verify(key.id, digest)).outcome !== "admitted") throw new Error(`not admitted at ${t}`);
        at.push(t);
      }
      return at;
    });
    const now = times.at(-1)!;

    const rows = await usageRows(key.id);
    // Minutes from the start of the hour 24 h ago (at most 25 hours of them), hours from the start of the day 30 days ago.
    expect(rows.minutes[0]).toBeGreaterThanOrEqual(Math.floor((now - DAY) / HOUR) * HOUR);
    expect(rows.minutes.length).toBeLessThanOrEqual((25 * HOUR) / step);
    expect(rows.hours[0]).toBeGreaterThanOrEqual(Math.floor((now - 30 * DAY) / DAY) * DAY);
    expect(rows.hours.length).toBeLessThanOrEqual(31 * 24);
    expect(rows.hours.at(-1)).toBeLessThan(rows.minutes[0]!);

    const countFrom = (from: number) => times.filter((t) => t >= from).length;
    for (const [query, bucketMs, window] of [
      ["window=24h&resolution=minute", MINUTE, DAY],
      ["window=24h", HOUR, DAY],
      ["window=7d", HOUR, 7 * DAY],
      ["window=30d", DAY, 30 * DAY],
      ["window=30d&resolution=hour", HOUR, 30 * DAY],
    ] as const) {
      const usage = await usageOf(alice, key.id, query);
      expect(usage.totals.admitted, query).toBe(countFrom(Math.floor((now - window) / bucketMs) * bucketMs));
      // Minute buckets: one in five holds a request; hours and days: every one.
      const holdsOne = (b: { start: string }) => bucketMs !== MINUTE || Date.parse(b.start) % step === start % step;
      expect(usage.buckets.every((b) => (b.admitted > 0) === holdsOne(b)), `${query}: every bucket has its own requests`).toBe(true);
    }

    // An eviction and a request an hour later: the next rollup runs on its first count, nothing is lost.
    await evictDurableObject(authorityFor(env, key.id));
    await setChainClock(key.id, now + HOUR);
    expect((await useKey(secret)).status).toBe(200);
    const later = await usageOf(alice, key.id, "window=24h&resolution=minute");
    expect(later.totals.admitted).toBe(times.filter((t) => t >= Math.floor((now + HOUR - DAY) / MINUTE) * MINUTE).length + 1);
    expect((await usageRows(key.id)).minutes[0]).toBeGreaterThanOrEqual(Math.floor((now + HOUR - DAY) / HOUR) * HOUR);
  });
});
