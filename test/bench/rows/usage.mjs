import { createClient } from "../lib/client.mjs";
import { median, ms } from "../lib/stats.mjs";

const QUERIES = 50;
const WARM_UP = 5;
const DAYS = 30;

/**
 * The latency of `GET /v1/keys/{id}/usage` for a key with a month of usage: 30 days at one count
 * per minute, replayed into the key's Durable Object through the counters' own code by the
 * local-development route `POST /dev/keys/{id}/simulated-usage` (DEV_LOGIN only), so the object
 * holds what a month-old busy key holds: 24 h of minute rows and 30 days of hour rows. Then
 * 50 sequential queries of `window=30d` (31 day buckets), and of `window=24h&resolution=minute`
 * (1,441 buckets, the biggest answer), each after 5 unmeasured ones, next to `GET /v1/keys/{id}`
 * (the same sign-in, D1 read and Durable Object call, without the report).
 *
 * @param {{ root: string, baseUrl: string, log: (message: string) => void }} context
 */
export default async function usageRows({ baseUrl, log }) {
  // The row before this one rebuilds the element into the assets folder, and `wrangler dev`
  // restarts the Worker when it sees that: wait until it answers steadily again.
  await settle(baseUrl, log);
  const { token, id, seeded, seedMs } = await seededKey(baseUrl, log);

  const month = await timeQueries(baseUrl, token, `/v1/keys/${id}/usage?window=30d`, log);
  const minutes = await timeQueries(baseUrl, token, `/v1/keys/${id}/usage?window=24h&resolution=minute`, log);
  // The same sign-in, D1 read and Durable Object call without the counters: what the report itself adds.
  const key = await timeQueries(baseUrl, token, `/v1/keys/${id}`, log);
  const expected = seeded.added.admitted + 1;
  if (month.body.totals.admitted !== expected) {
    throw new Error(`the 30-day report counts ${month.body.totals.admitted} admitted requests, the replay added ${expected - 1} (+1 real)`);
  }
  return {
    rows: [
      {
        measure: `usage query for a key with ${DAYS} days of data (window=30d, 31 buckets; ${QUERIES} queries)`,
        result: `median ${ms(month.median)}, p95 ${ms(month.p95)} (GET /v1/keys/{id}: median ${ms(key.median)}, p95 ${ms(key.p95)})`,
        target: "reported",
      },
      {
        measure: `usage query, window=24h&resolution=minute (1,441 buckets; ${QUERIES} queries)`,
        result: `median ${ms(minutes.median)}, p95 ${ms(minutes.p95)}`,
        target: "reported",
      },
    ],
    notes: [
      `Usage: one key with ${seeded.minutes.toLocaleString("en")} simulated minutes (${month.body.totals.admitted.toLocaleString("en")} admitted, ${month.body.totals.rateLimited.toLocaleString("en")} rate-limited, ${month.body.totals.refused} refused in the 30-day report) replayed in ${Math.round(seedMs)} ms through POST /dev/keys/{id}/simulated-usage (local development only; minutes rolled up into hours as they age, as requests would have); each query signs the user in (JWT, D1 and the user's Durable Object), reads the key from D1 and asks the key's Durable Object, sequentially, with local tracing on (this phase reads traces), from request to the whole body.`,
    ],
  };
}

/**
 * A key with one real request and a month of replayed traffic. A replay cut short by a Worker
 * restart may or may not have been applied, so another attempt starts over with a fresh key.
 */
async function seededKey(baseUrl, log) {
  const api = createClient(baseUrl);
  for (let attempt = 1; ; attempt++) {
    try {
      const run = `${Date.now().toString(36)}${attempt}`;
      const token = await api.signIn(`u_usage_${run}`, `org_usage_${run}`);
      const { id, secret } = await api.createKey(token, "usage bench");
      const first = await api.timed("/api/whoami", secret);
      if (first.status !== 200) throw new Error(`the bench key was refused: ${first.status} ${first.body}`);
      log(`usage: replaying ${DAYS} days of traffic into key ${id}`);
      const seedStarted = performance.now();
      const seeded = await api.json("POST", `/dev/keys/${id}/simulated-usage`, token, { days: DAYS });
      return { token, id, seeded, seedMs: performance.now() - seedStarted };
    } catch (error) {
      if (attempt >= 3) throw error;
      log(`usage: seeding failed (${String(error.message).split("\n")[0]}); starting over with a fresh key`);
      await settle(baseUrl, log);
    }
  }
}

/** Resolves once `/healthz` has answered 200 five times in a row, 500 ms apart (at most 60 s). */
async function settle(baseUrl, log) {
  const deadline = Date.now() + 60_000;
  let steady = 0;
  while (steady < 5) {
    if (Date.now() > deadline) throw new Error("the Worker did not answer /healthz steadily within 60 s");
    const status = await fetch(`${baseUrl}/healthz`).then((r) => (r.body?.cancel(), r.status), () => 0);
    steady = status === 200 ? steady + 1 : 0;
    if (status !== 200) log(`usage: waiting for the Worker (/healthz answered ${status || "nothing"})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function timeQueries(baseUrl, token, path, log) {
  log(`usage: ${QUERIES} queries of ${path}`);
  const api = createClient(baseUrl);
  let body;
  for (let i = 0; i < WARM_UP; i++) body = await api.json("GET", path, token);
  const times = [];
  for (let i = 0; i < QUERIES; i++) {
    const started = performance.now();
    body = await api.json("GET", path, token);
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { median: median(times), p95: sorted[Math.ceil(sorted.length * 0.95) - 1], body };
}


