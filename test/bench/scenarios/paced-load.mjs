import { createAdmissionLog } from "../lib/admission-log.mjs";
import { log, sleep } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";
import { maxInWindow, provenInWindow } from "../lib/windows.mjs";

const DURATION_MS = 70_000;
const STEADY_EVERY_MS = 250;
const BURST_SIZE = 15;
const BURST_EVERY_MS = 10_000;
const FIRST_BURST_AT_MS = 3_000;
const SNAPSHOT_EVERY_MS = 15_000;

/**
 * SPEC §9 "paced load over 70 s → never more than 100 in any 60-second interval": one fresh key
 * gets a steady 4 requests per second plus a burst of 15 concurrent requests every 10 s, open
 * loop (sending never waits for answers). It reports the most admissions in any 1 s and any
 * 60 s, from the server's admission instants (the key's Durable Object's own record, read from
 * the persist directory) and from the client's clock.
 *
 * @example
 * const { rows, notes } = await pacedLoad(ctx);
 */
export async function pacedLoad({ api, persistDir }) {
  const token = await api.signIn("u_bench_paced", "org_bench_paced");
  const { id, secret } = await api.createKey(token, "bench: paced load");
  const admissionLog = createAdmissionLog(persistDir, id);
  log(`paced load: ${DURATION_MS / 1000} s at ${1000 / STEADY_EVERY_MS}/s plus ${BURST_SIZE} concurrent every ${BURST_EVERY_MS / 1000} s`);
  const timer = setInterval(() => admissionLog.snapshot(), SNAPSHOT_EVERY_MS);
  const results = await sendOnSchedule(() => api.timed("/api/whoami", secret)).finally(() => clearInterval(timer));
  await admissionLog.snapshot();

  const admitted = results.filter((r) => r.status === 200);
  const arrivals = admitted.map((r) => r.receivedAt);
  const client = { second: maxInWindow(arrivals, 1_000), minute: maxInWindow(arrivals, 60_000) };
  const proven = { second: provenInWindow(admitted, 1_000), minute: provenInWindow(admitted, 60_000) };
  const instants = admissionLog.instants();
  const server = instants && { second: maxInWindow(instants, 1_000), minute: maxInWindow(instants, 60_000) };
  const agrees = instants?.length === admitted.length;

  const cell = (w) => [server && `${server[w]} server`, `≥ ${proven[w]} client-proven`, `~${client[w]} client arrivals`].filter(Boolean).join(" · ");
  // Arrival times only approximate, so they never decide: the proven bound must hold, and so
  // must the server's record when it could be read (and matches what the client saw).
  const met = (w, quota) => proven[w] <= quota && (!server || (server[w] <= quota && agrees));
  return {
    rows: [
      { measure: "paced load, 70 s, one key: requests", result: `${results.length} sent: ${describeStatuses(countStatuses(results), [200, 429])}`, target: "—" },
      { measure: "paced load: most admitted in any 1 s", result: cell("second"), target: "≤ 10", met: met("second", 10) },
      { measure: "paced load: most admitted in any 60 s", result: cell("minute"), target: "≤ 100", met: met("minute", 100) },
    ],
    notes: [
      `Paced load: ${1000 / STEADY_EVERY_MS} requests/s plus ${BURST_SIZE} concurrent every ${BURST_EVERY_MS / 1000} s, sent without waiting for answers. ` +
        serverNote(instants, admitted.length) +
        `"client-proven": admissions whose whole send→receive spans fit inside one window on the bench's clock, a lower bound that cannot over-count. ` +
        `"client arrivals": the same count over the arrival times of the 200 responses, an approximation only (latency jitter can move a response across a window edge either way).`,
    ],
  };
}

function serverNote(instants, admittedByClient) {
  if (!instants) return "The key's Durable Object record could not be read, so only client figures are shown. ";
  const agreement =
    instants.length === admittedByClient
      ? `it holds ${instants.length} admissions, the same number of 200s the client received`
      : `✗ it holds ${instants.length} admissions but the client received ${admittedByClient} 200s`;
  return `"server": the admission instants the key's Durable Object recorded (its limiter's own clock, 1 ms), read from the persist directory every ${SNAPSHOT_EVERY_MS / 1000} s; ${agreement}. `;
}

async function sendOnSchedule(send) {
  const start = performance.now();
  const inFlight = [];
  const events = [];
  for (let at = 0; at < DURATION_MS; at += STEADY_EVERY_MS) events.push({ at, count: 1 });
  for (let at = FIRST_BURST_AT_MS; at < DURATION_MS; at += BURST_EVERY_MS) events.push({ at, count: BURST_SIZE });
  events.sort((a, b) => a.at - b.at);
  let nextReport = 10_000;
  for (const { at, count } of events) {
    await sleep(start + at - performance.now());
    for (let i = 0; i < count; i++) inFlight.push(send());
    if (at >= nextReport) {
      log(`paced load: ${Math.round((DURATION_MS - at) / 1000)} s left, ${inFlight.length} sent`);
      nextReport += 10_000;
    }
  }
  return Promise.all(inFlight);
}
