import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";

const REQUESTS = 200;
const CREDITS = 37;
const LOAD = { hours: 25, perSecond: 10 };

/**
 * The admin API token the bench's Worker runs with (passed as a `--var` to its `wrangler dev`,
 * never a real secret): the scenario raises its org's ceiling for per-key limits with it.
 */
export const BENCH_ADMIN_TOKEN = "bench-only-admin-token-0123456789abcdef";

/**
 * Issue 14's figures for credits and per-key limits.
 *
 * - Credits: a key with 37 credits and a limit of 1,000 in any second (so only credits can
 *   refuse) gets 200 requests at once; exactly 37 may be admitted, the rest answered 429
 *   `credits_exhausted`, and the key then shows 0 left.
 * - Memory: a key limited per second and per 24 h gets 25 hours of 10 requests a second
 *   (900,000 decisions) on its Durable Object's simulated clock, through the local-development
 *   route `POST /dev/keys/{id}/simulated-load`; the row reports the limiter's rows afterwards
 *   (admission times of the last minute, one-minute buckets of the 24 h window) against the
 *   864,000 a timestamp per admission would keep.
 *
 * @example
 * const { rows, notes } = await keyTerms(ctx);
 */
export async function keyTerms({ api, baseUrl }) {
  const token = await api.signIn("u_bench_terms", "org_bench_terms");
  await raiseCeiling(baseUrl, "org_bench_terms");
  const rows = [await creditsRow(api, token), await memoryRow(api, token)];
  return {
    rows: rows.map((r) => r.row),
    notes: rows.map((r) => r.note),
  };
}

async function creditsRow(api, token) {
  const { key, secret } = await api.json("POST", "/v1/keys", token, {
    name: "bench: credits",
    limits: [
      { name: "wide", limit: 1000, windowSeconds: 1 },
      { name: "daily", limit: 1_000_000, windowSeconds: 86_400 },
    ],
    credits: { remaining: CREDITS },
  });
  await Promise.all(Array.from({ length: REQUESTS }, () => api.timed("/nothing-here")));
  log(`credits: ${REQUESTS} concurrent requests on a key with ${CREDITS} credits`);
  const results = await Promise.all(Array.from({ length: REQUESTS }, () => api.timed("/api/whoami", secret)));
  const counts = countStatuses(results);
  const exhausted = results.filter((r) => r.status === 429 && JSON.parse(r.body).code === "credits_exhausted").length;
  const left = (await api.json("GET", `/v1/keys/${key.id}`, token)).key.credits.remaining;
  return {
    row: {
      measure: `credits: ${REQUESTS} concurrent requests on a key with ${CREDITS} credits (GET /api/whoami)`,
      result: `${describeStatuses(counts, [200, 429])} (${exhausted} credits_exhausted), ${left} left`,
      target: `exactly ${CREDITS} × 200, 0 left`,
      met: counts[200] === CREDITS && exhausted === REQUESTS - CREDITS && left === 0,
    },
    note: `Credits: one key with a limit of 1,000 in any second (its org's ceiling raised through the admin API), so only the balance can refuse; the balance and the limits are decided in one synchronous step of the key's Durable Object, and GET /v1/keys/{id} reads the balance from it.`,
  };
}

async function memoryRow(api, token) {
  const { key } = await api.json("POST", "/v1/keys", token, {
    name: "bench: 24 h window",
    limits: [
      { name: "second", limit: 100, windowSeconds: 1 },
      { name: "daily", limit: 1_000_000, windowSeconds: 86_400 },
    ],
  });
  log(`memory: ${LOAD.hours} h at ${LOAD.perSecond} requests/s on a 24 h window (simulated clock)`);
  const started = performance.now();
  // One simulated hour per call (36,000 decisions), so no call outlasts the client's patience.
  const load = { decisions: 0, admitted: 0 };
  for (let hour = 0; hour < LOAD.hours; hour++) {
    const part = await api.json("POST", `/dev/keys/${key.id}/simulated-load`, token, { hours: 1, perSecond: LOAD.perSecond });
    Object.assign(load, { ...part, decisions: load.decisions + part.decisions, admitted: load.admitted + part.admitted });
  }
  const seconds = Math.round((performance.now() - started) / 1000);
  const perAdmission = LOAD.perSecond * 86_400;
  const { admissions, buckets } = load.rows;
  return {
    row: {
      measure: `memory of a chain with a 24 h window under ${LOAD.perSecond} requests/s (${LOAD.hours} h simulated)`,
      result: `${admissions} admission times + ${buckets.toLocaleString("en")} one-minute buckets (${(admissions + buckets).toLocaleString("en")} rows; a timestamp per admission: ${perAdmission.toLocaleString("en")}); object database ${(load.databaseBytes / 1024).toFixed(0)} KiB`,
      target: "≤ 600 + 1,441 rows",
      met: load.admitted === load.decisions && admissions <= 600 && buckets <= 1441,
    },
    note: `Memory: ${load.decisions.toLocaleString("en")} decisions (${load.admitted.toLocaleString("en")} admitted) driven through the key's real check on its Durable Object's simulated clock by POST /dev/keys/{id}/simulated-load (local development only, one simulated hour per call), in ${seconds} s; the database size includes the chain's usage counters (24 h of minute rows). The 24 h window counts one-minute buckets, so it may refuse up to one minute's admissions early and never admits more than its limit.`,
  };
}

async function raiseCeiling(baseUrl, orgId) {
  const response = await fetch(`${baseUrl}/v1/admin/orgs/${orgId}/policy`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${BENCH_ADMIN_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ keyLimitCeiling: [{ windowSeconds: 1, limit: 1000 }, { windowSeconds: 86_400, limit: 1_000_000 }] }),
  });
  if (!response.ok) throw new Error(`PUT policy answered ${response.status}: ${await response.text()}`);
}


