import { pool } from "../lib/client.mjs";
import { countKeyAuthorities, keyAuthorityFiles, newFiles } from "../lib/durable-objects.mjs";
import { forgedKey, spreadAddress } from "../lib/key-format.mjs";
import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";
import { tagged } from "../lib/traces.mjs";

const KEYS = 2_000;
const CONCURRENCY = 16;
/** Requests per client address: a botnet's spread, below the failed-auth throttle. */
const PER_ADDRESS = 10;
/** Addresses of this scenario start here, clear of the other scenarios' addresses. */
const ADDRESS_BASE = 20_000;
const TAG = "forged-keys";
const TRACE_BATCH = 250;
const UNPROTECTED = "/nothing-here";
const GENERIC_CODE = '"code":"invalid_api_key"';

/**
 * Issue 8's forged-key flood: 2,000 keys with valid checksums (the checksum is public) and
 * forged id tags, 16 in flight, spread over 200 client addresses. Counts what they cost from
 * workerd's trace (Durable Object calls, D1 queries) and the persist directory (objects created,
 * new storage files and their bytes). Their throughput is {@link forgedKeyThroughput}.
 *
 * @example
 * const { rows, notes } = await forgedKeyFlood(ctx);
 */
export async function forgedKeyFlood({ api, traces, persistDir }) {
  const keys = Array.from({ length: KEYS }, forgedKey);
  const objectsBefore = await countKeyAuthorities(persistDir);
  const filesBefore = await keyAuthorityFiles(persistDir);
  log(`forged keys: ${KEYS} requests, ${CONCURRENCY} in flight, ${KEYS / PER_ADDRESS} addresses`);
  // In batches, each read from the trace store right after it is sent: the local store keeps a
  // bounded number of recent traces.
  const tracing = await traces.available();
  const forged = { results: [] };
  const trace = tracing ? { requests: 0, doCalls: 0, d1Queries: 0 } : null;
  for (let start = 0; start < KEYS; start += TRACE_BATCH) {
    const tag = `${TAG}-${start}`;
    const batch = await pool(TRACE_BATCH, CONCURRENCY, (i) =>
      api.timed(tagged("/api/whoami", tag), keys[start + i], { address: spreadAddress(ADDRESS_BASE + Math.floor((start + i) / PER_ADDRESS)) }),
    );
    forged.results.push(...batch);
    if (trace) {
      const seen = await traces.settle(() => traces.requestsFor(tag), (t) => t.requests >= TRACE_BATCH);
      trace.requests += seen.requests;
      trace.doCalls += seen.doCalls;
      trace.d1Queries += seen.d1Queries;
    }
  }
  const created = (await countKeyAuthorities(persistDir)) - objectsBefore;
  const added = newFiles(filesBefore, await keyAuthorityFiles(persistDir));

  const counts = countStatuses(forged.results);
  const generic = forged.results.filter((r) => r.status === 401 && r.body.includes(GENERIC_CODE)).length;
  const storageMet = created === 0 && added.count === 0 && (!trace || (trace.doCalls === 0 && trace.d1Queries === 0 && trace.requests === KEYS));
  return {
    rows: [
      {
        measure: `${KEYS.toLocaleString("en")} forged keys (valid checksum, forged tag): responses`,
        result: `${describeStatuses(counts, [401])} (${generic} generic invalid_api_key)`,
        target: "all 401",
        met: generic === KEYS,
      },
      {
        measure: `${KEYS.toLocaleString("en")} forged keys: storage`,
        result:
          (trace ? `${trace.doCalls} DO calls, ${trace.d1Queries} D1 queries (trace of ${trace.requests}); ` : "trace unavailable; ") +
          `${created} DO objects created, ${added.count} new storage files (${added.bytes} bytes)`,
        target: "0 DO calls, 0 objects, 0 bytes",
        met: storageMet,
      },
    ],
    notes: [
      `Forged keys: each has a random id, a made-up 8-character tag and a correct CRC-32, sent from ${KEYS / PER_ADDRESS} addresses (${PER_ADDRESS} each, as a botnet would spread them; ` +
        `the failed-auth throttle is measured in its own row). Storage: KeyAuthority files in the persist directory that were not there before the flood, and their bytes. ` +
        `Throughput: ${KEYS} more forged keys against ${KEYS} \`GET ${UNPROTECTED}\` (the app's 404, no storage), alternating in blocks of ${BLOCK}, ${CONCURRENCY} in flight, local tracing off. ` +
        `Before issue 8 the same flood created about 2,800 storage files and 80 MB, at ~65 req/s.`,
    ],
  };
}

async function timedRun(count, task) {
  const started = performance.now();
  const results = await pool(count, CONCURRENCY, task);
  return { results, perSecond: count / ((performance.now() - started) / 1000) };
}

const BLOCK = 250;

/**
 * The forged-key flood's throughput next to the unauthenticated route's: 2,000 of each through
 * the same Worker with local tracing off, alternating in blocks of 250 so that both meet the
 * same machine load.
 *
 * @example
 * const { rows } = await forgedKeyThroughput(ctx);
 */
export async function forgedKeyThroughput({ api }) {
  const forgedMs = [];
  const plainMs = [];
  const statuses = [];
  log(`forged keys: throughput, ${KEYS} forged vs ${KEYS} unauthenticated, blocks of ${BLOCK}`);
  await timedRun(100, () => api.timed(UNPROTECTED)); // warm-up
  for (let done = 0; done < KEYS; done += BLOCK) {
    const keys = Array.from({ length: BLOCK }, forgedKey);
    const forged = await timedRun(BLOCK, (i) =>
      api.timed("/api/whoami", keys[i], { address: spreadAddress(ADDRESS_BASE + 10_000 + Math.floor((done + i) / PER_ADDRESS)) }),
    );
    forgedMs.push(BLOCK / forged.perSecond);
    statuses.push(...forged.results);
    plainMs.push(BLOCK / (await timedRun(BLOCK, () => api.timed(UNPROTECTED))).perSecond);
  }
  const perSecond = (seconds) => KEYS / seconds.reduce((a, b) => a + b, 0);
  const forgedRate = perSecond(forgedMs);
  const plainRate = perSecond(plainMs);
  const ratio = forgedRate / plainRate;
  return {
    rows: [
      {
        measure: `${KEYS.toLocaleString("en")} forged keys: throughput vs unauthenticated route, ${CONCURRENCY} in flight`,
        result: `${Math.round(forgedRate)} vs ${Math.round(plainRate)} req/s (ratio ${ratio.toFixed(2)}); ${describeStatuses(countStatuses(statuses), [401])}`,
        target: "close to unauthenticated",
        met: ratio >= 0.75 && statuses.every((r) => r.status === 401),
      },
    ],
  };
}
