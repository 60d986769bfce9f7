import { createHmac, randomUUID } from "node:crypto";
import { countStatuses, describeStatuses, median, ms } from "../lib/stats.mjs";
import { runRound } from "./revoke-under-load.mjs";

const ROUNDS = 6;
const COLD_KEYS = 10;

/**
 * The shared secret the bench's Worker accepts HMAC-signed leak reports with (passed as a
 * `--var` to its `wrangler dev`, never a real secret).
 */
export const BENCH_LEAK_SECRET = "bench-only-leak-report-secret-0123456789abcdef";

/**
 * Issue 13 "the time from a leak report arriving to the key being refused at the edge; target:
 * the next request after the report returns is refused, exactly as a manual revoke". Each round
 * runs the revoke-under-load round with a leak report (`POST /v1/leaks`, HMAC-signed, the
 * deployment's default policy `revoke`) in place of the revoke: a fresh key under 8 paced
 * request loops, the report sent mid-round, 2 requests fired the instant its answer arrives.
 * Then 10 keys that were never used (their chain not yet placed): each is reported and used
 * once right after. The time from arrival to refusal is the report's own round trip: the key is
 * refused before the answer leaves.
 *
 * @example
 * const { rows, notes } = await leakReportToRefused(ctx);
 */
export async function leakReportToRefused({ api, baseUrl }) {
  const token = await api.signIn("u_bench_leak", "org_bench_leak");
  const report = (secret) => sendReport(baseUrl, secret);
  const after = [];
  const warmMs = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const outcome = await runRound(api, token, round, (_id, secret) => report(secret), "leak report");
    after.push(...outcome.after);
    warmMs.push(outcome.revokeMs);
  }
  const coldMs = [];
  const coldAfter = [];
  for (let i = 0; i < COLD_KEYS; i++) {
    const { secret } = await api.createKey(token, `bench: unused leaked key ${i}`);
    const started = performance.now();
    await report(secret);
    coldMs.push(performance.now() - started);
    coldAfter.push(await api.timed("/api/whoami", secret));
  }
  const counts = countStatuses([...after, ...coldAfter]);
  const admitted = counts[200] ?? 0;
  return {
    rows: [
      {
        measure: `leak report → refused: 200s among requests sent after the report's answer (${ROUNDS} keys in use, ${COLD_KEYS} never used)`,
        result: `${admitted} of ${after.length + coldAfter.length} (${describeStatuses(counts, [401])})`,
        target: "0 (as a manual revoke)",
        met: admitted === 0 && after.length > 0,
      },
      {
        measure: "leak report arrival → key refused at the edge (the report's round trip; key in use / never used)",
        result: `median ${ms(median(warmMs))} / ${ms(median(coldMs))}`,
        target: "reported",
      },
    ],
    notes: [
      `Leak reports: HMAC-signed POST /v1/leaks with one token each, policy revoke (the default). The key is revoked through its Durable Object before the report's answer leaves, so "arrival to refused" is at most the report's round trip; a never-used key's chain is placed by the report itself.`,
    ],
  };
}

/** Sends an HMAC-signed report naming one token; throws unless it is a true positive. */
async function sendReport(baseUrl, token) {
  const body = JSON.stringify([{ token, type: "api_keys_edge_key", url: `https://example.com/bench/${randomUUID()}`, source: "content" }]);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `sha256=${createHmac("sha256", BENCH_LEAK_SECRET).update(`${timestamp}.${body}`).digest("hex")}`;
  const response = await fetch(`${baseUrl}/v1/leaks`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Leak-Report-Timestamp": timestamp, "X-Leak-Report-Signature": signature },
    body,
  });
  const text = await response.text();
  if (response.status !== 200 || !text.includes("true_positive")) throw new Error(`POST /v1/leaks answered ${response.status}: ${text}`);
}
