import { log } from "../lib/log.mjs";
import { median, ms } from "../lib/stats.mjs";

const KEYS = 20;
const WARMUP = 2;
const PATH = "/api/whoami";
/** Requests sent to a new key until one is admitted (the contract says the first one is). */
const MAX_TRIES = 5;

/**
 * A new key's first use: for each of 20 keys, one after another, `POST /v1/keys`, then at once
 * `GET /api/whoami` with the new key until it answers 200 (the contract says the first request
 * does), then once more. Reports the time from create returning to that 200, and the first use's
 * latency against the second's, with the Durable Object call of each from the local entry's
 * `Server-Timing`. It measures whatever create does: a create that places the key's Durable
 * Object leaves the first use a warm object; a create that doesn't leaves it to wake the object,
 * which loads the key from D1 once.
 *
 * @example
 * const { rows, notes } = await firstUse(ctx);
 */
export async function firstUse({ api }) {
  const token = await api.signIn("u_bench_first_use", "org_bench_first_use");
  log(`first use: ${KEYS} keys, create → first use → second use, one after another`);
  for (let i = 0; i < WARMUP; i++) await newKeyUses(api, token, `bench: first use warm-up ${i}`);
  const runs = [];
  for (let i = 0; i < KEYS; i++) runs.push(await newKeyUses(api, token, `bench: first use ${i}`));

  const admittedFirst = runs.filter((r) => r.tries === 1).length;
  const toFirst200 = runs.filter((r) => r.firstAdmittedAt !== null).map((r) => r.firstAdmittedAt - r.createdAt);
  const firstLatency = runs.map((r) => r.first.receivedAt - r.first.sentAt);
  const secondLatency = runs.map((r) => r.second.receivedAt - r.second.sentAt);
  const objectMean = (uses) => uses.reduce((sum, u) => sum + (u.timing.object ?? 0), 0) / uses.length;
  const refusals = runs.flatMap((r) => r.refused);
  return {
    rows: [
      {
        measure: `create → first use: POST /v1/keys returned → first GET ${PATH} answered 200 (${KEYS} new keys)`,
        result:
          `median ${ms(median(toFirst200))} (create itself: median ${ms(median(runs.map((r) => r.createdAt - r.createStartedAt)))}); ` +
          `first request admitted for ${admittedFirst} of ${KEYS}` +
          (refusals.length > 0 ? ` (before the 200: ${refusals.join(", ")})` : ""),
        target: "every first request 200",
        met: admittedFirst === KEYS,
      },
      {
        measure: `a new key's first use vs its second (GET ${PATH}, ${KEYS} keys)`,
        result:
          `median ${ms(median(firstLatency))} vs ${ms(median(secondLatency))} (ratio ${(median(firstLatency) / median(secondLatency)).toFixed(2)}); ` +
          `object call, mean ${ms(objectMean(runs.map((r) => r.first)))} vs ${ms(objectMean(runs.map((r) => r.second)))}`,
        target: "reported",
        met: runs.every((r) => r.second.status === 200),
      },
    ],
    notes: [
      `First use: one user creates ${KEYS} keys one after another (after ${WARMUP} unmeasured), each used at once with \`GET ${PATH}\` and then once more; ` +
        "\"create → first use\" runs from the moment the create response has been read to the moment the first 200 arrives (one request when the first " +
        `is admitted, as it must be; up to ${MAX_TRIES} otherwise). The object call is the local entry's \`Server-Timing\` \`object\` (whole milliseconds, ` +
        "so the mean). Local tracing off.",
    ],
  };
}

async function newKeyUses(api, token, name) {
  const createStartedAt = performance.now();
  const { secret } = await api.createKey(token, name);
  const createdAt = performance.now();
  const refused = [];
  let first = null;
  let firstAdmittedAt = null;
  let tries = 0;
  while (tries < MAX_TRIES) {
    tries++;
    const use = await api.timed(PATH, secret);
    first ??= use;
    if (use.status === 200) {
      firstAdmittedAt = use.receivedAt;
      break;
    }
    refused.push(use.status);
  }
  const second = await api.timed(PATH, secret);
  return { createStartedAt, createdAt, first, firstAdmittedAt, tries: firstAdmittedAt === null ? Infinity : tries, second, refused };
}
