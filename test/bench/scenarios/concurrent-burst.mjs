import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";

const REQUESTS = 200;

/**
 * SPEC §9 "zero over-admission": 200 requests on one fresh key, all started at once; exactly
 * 10 may be admitted (the burst quota), provided the Worker answers them all within a second.
 *
 * @example
 * const { rows, notes } = await concurrentBurst(ctx);
 */
export async function concurrentBurst({ api }) {
  const token = await api.signIn("u_bench_burst", "org_bench_burst");
  const { secret } = await api.createKey(token, "bench: concurrent burst");
  // Open the connections first, so the burst measures the Worker rather than TCP handshakes.
  await Promise.all(Array.from({ length: REQUESTS }, () => api.timed("/nothing-here")));
  log(`burst: ${REQUESTS} concurrent requests on one fresh key`);
  const results = await Promise.all(Array.from({ length: REQUESTS }, () => api.timed("/api/whoami", secret)));
  const counts = countStatuses(results);
  const spanMs = Math.max(...results.map((r) => r.receivedAt)) - Math.min(...results.map((r) => r.sentAt));
  const admitted = counts[200] ?? 0;
  const notes = [];
  if (spanMs >= 1000) {
    notes.push(`The ${REQUESTS} concurrent requests took ${Math.round(spanMs)} ms, more than one second, so more than 10 admissions would have been allowed.`);
  }
  return {
    rows: [
      {
        measure: `${REQUESTS} concurrent requests, one key (GET /api/whoami)`,
        result: `${describeStatuses(counts, [200, 429])} (all answered in ${Math.round(spanMs)} ms)`,
        target: "exactly 10 × 200",
        met: admitted === 10,
      },
    ],
    notes,
  };
}
