import { createKeyPool } from "../lib/key-pool.mjs";
import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses, median } from "../lib/stats.mjs";

const KEYS = 40;
const WARMUP = 20;
const REQUESTS = 300;
const PATH = "/api/whoami";

/**
 * Where one protected request's time goes: 300 sequential `GET /api/whoami` with valid keys (a
 * pool of 40, none rate-limited, each used once before: a first use may place the key's object), each timed by the client and, inside the Worker, by the
 * local-development entry's `Server-Timing` (worker/http/server-timing.ts): the id tag's HMAC,
 * the key's digest (HMAC), the call to the key's Durable Object, and the Worker's total. The rest
 * of the Worker is total minus those three; outside the Worker is the client's latency minus the
 * total (`wrangler dev`'s proxy and the loopback). workerd's local clock ticks in whole
 * milliseconds (and, unlike a deployed Worker's, advances with CPU work), so each part is given
 * as median and mean: a part much shorter than a tick has median 0, and its mean over 300
 * requests is its honest size.
 *
 * @example
 * const { rows, notes } = await requestBreakdown(ctx);
 */
export async function requestBreakdown({ api }) {
  log(`request breakdown: creating ${KEYS} keys`);
  const token = await api.signIn("u_bench_breakdown", "org_bench_breakdown");
  const secrets = [];
  for (let i = 0; i < KEYS; i++) secrets.push((await api.createKey(token, `bench: breakdown ${i}`)).secret);
  const keys = createKeyPool(secrets);
  const request = () => keys.use((secret) => api.timed(PATH, secret));

  log(`request breakdown: every key once, then ${REQUESTS} sequential requests`);
  await keys.useEach((secret) => api.timed(PATH, secret));
  for (let i = 0; i < WARMUP; i++) await request();
  const runs = [];
  for (let i = 0; i < REQUESTS; i++) runs.push(await request());

  const statuses = countStatuses(runs);
  const timed = runs.filter((r) => r.status === 200 && r.timing.total !== undefined);
  const parts = {
    digest: timed.map((r) => r.timing.digest ?? 0),
    tag: timed.map((r) => r.timing.tag ?? 0),
    object: timed.map((r) => r.timing.object ?? 0),
    rest: timed.map((r) => r.timing.total - (r.timing.tag ?? 0) - (r.timing.digest ?? 0) - (r.timing.object ?? 0)),
    outside: timed.map((r) => r.receivedAt - r.sentAt - r.timing.total),
  };
  const whole = timed.map((r) => r.receivedAt - r.sentAt);
  const worker = timed.map((r) => r.timing.total);
  const part = (values) => `${fixed(median(values))} (${fixed(mean(values))})`;
  return {
    rows: [
      {
        measure: `one protected request (GET ${PATH}, ${REQUESTS} sequential), median (mean) ms per part`,
        result:
          `digest ${part(parts.digest)} · id tag ${part(parts.tag)} · object call ${part(parts.object)} · rest of the Worker ${part(parts.rest)} · ` +
          `outside the Worker ${part(parts.outside)}; whole request ${part(whole)}, in the Worker ${part(worker)}`,
        target: "reported",
        met: timed.length === REQUESTS,
      },
    ],
    notes: [
      `Breakdown: ${REQUESTS} sequential \`GET ${PATH}\` with ${KEYS} valid keys in rotation (${describeStatuses(statuses, [200])}), local tracing off. ` +
        "Inside the Worker the parts are the local-development entry's `Server-Timing` (worker/http/server-timing.ts, never in a production bundle): " +
        "`digest` and `tag` are the two HMAC-SHA-256 (the key's digest, the id's tag), `object` the call to the key's Durable Object (the RPC, its SQLite reads, " +
        "the admission's write and its commit), the rest of the Worker is everything else between the first middleware and the response (routing, " +
        "headers, JSON). Outside the Worker is the client's latency minus the Worker's total: `wrangler dev`'s proxy and the loopback, which the " +
        "unprotected route pays too. workerd's clock ticks in whole milliseconds locally, so a part shorter than a tick has median 0; its mean over " +
        `${REQUESTS} requests is its size (±0.01 ms for the HMACs).`,
    ],
  };
}

function mean(values) {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

function fixed(value) {
  return value.toFixed(2);
}
