import { createClient, pool } from "../lib/client.mjs";
import { startDevServer } from "../lib/dev-server.mjs";
import { countKeyAuthorities, keyAuthorityFiles, newFiles } from "../lib/durable-objects.mjs";
import { forgedKey, spreadAddress } from "../lib/key-format.mjs";
import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";
import { createTraceReader, tagged } from "../lib/traces.mjs";

const KEYS = 2_000;
const CONCURRENCY = 16;
/** Requests per client address: a botnet's spread, below the failed-auth throttle. */
const PER_ADDRESS = 10;
/** Addresses of this scenario start here, clear of the other scenarios' addresses. */
const ADDRESS_BASE = 20_000;
const TAG = "forged-keys";
const PER_SERVER = 1_000;
const UNPROTECTED = "/nothing-here";
const GENERIC_CODE = '"code":"invalid_api_key"';

/**
 * Issue 8's forged-key flood: 2,000 keys with valid checksums (the checksum is public) and
 * forged id tags, 16 in flight, spread over 200 client addresses. Counts what they cost from
 * workerd's trace (Durable Object calls, D1 queries) and the persist directory (objects created,
 * new storage files and their bytes), on two fresh traced Workers of 1,000 requests each (the
 * local trace store holds about 1,600 of them). Their throughput is {@link forgedKeyThroughput}.
 *
 * @example
 * const { rows, notes } = await forgedKeyFlood(ctx);
 */
export async function forgedKeyFlood({ root }) {
  const keys = Array.from({ length: KEYS }, forgedKey);
  const forged = { results: [] };
  const trace = { requests: 0, doCalls: 0, d1Queries: 0, available: true };
  let created = 0;
  const added = { count: 0, bytes: 0 };
  // The local trace store stops taking traces after about 1,600 of these requests, so the 2,000
  // go to fresh Workers (own D1 and Durable Object storage) in parts small enough to be traced.
  for (let start = 0; start < KEYS; start += PER_SERVER) {
    const server = await startDevServer(root, { tracing: true });
    try {
      const api = createClient(server.baseUrl);
      const traces = createTraceReader(server.baseUrl);
      await api.createKey(await api.signIn("u_bench_forged", "org_bench_forged"), "bench: an object exists");
      const objectsBefore = await countKeyAuthorities(server.persistDir);
      const filesBefore = await keyAuthorityFiles(server.persistDir);
      log(`forged keys ${start + 1}–${start + PER_SERVER}: ${CONCURRENCY} in flight, ${PER_SERVER / PER_ADDRESS} addresses`);
      const tag = `${TAG}-${start}`;
      const part = await pool(PER_SERVER, CONCURRENCY, (i) =>
        api.timed(tagged("/api/whoami", tag), keys[start + i], { address: spreadAddress(ADDRESS_BASE + Math.floor((start + i) / PER_ADDRESS)) }),
      );
      forged.results.push(...part);
      if (await traces.available()) {
        const seen = await traces.settle(() => traces.requestsFor(tag), (t) => t.requests >= PER_SERVER);
        trace.requests += seen.requests;
        trace.doCalls += seen.doCalls;
        trace.d1Queries += seen.d1Queries;
      } else trace.available = false;
      created += (await countKeyAuthorities(server.persistDir)) - objectsBefore;
      const grown = newFiles(filesBefore, await keyAuthorityFiles(server.persistDir));
      added.count += grown.count;
      added.bytes += grown.bytes;
    } finally {
      await server.stop();
    }
  }

  const counts = countStatuses(forged.results);
  const generic = forged.results.filter((r) => r.status === 401 && r.body.includes(GENERIC_CODE)).length;
  const storageMet = created === 0 && added.count === 0 && trace.available && trace.doCalls === 0 && trace.d1Queries === 0 && trace.requests === KEYS;
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
          (trace.available ? `${trace.doCalls} DO calls, ${trace.d1Queries} D1 queries (trace of ${trace.requests}); ` : "trace unavailable; ") +
          `${created} DO objects created, ${added.count} new storage files (${added.bytes} bytes)`,
        target: "0 DO calls, 0 objects, 0 bytes",
        met: storageMet,
      },
    ],
    notes: [
      `Forged keys: each has a random id, a made-up 8-character tag and a correct CRC-32, sent to two fresh traced Workers (${PER_SERVER} each; the local trace store holds about 1,600 of these) from ${KEYS / PER_ADDRESS} addresses (${PER_ADDRESS} each, as a botnet would spread them; ` +
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
