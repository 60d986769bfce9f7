import { pool } from "../lib/client.mjs";
import { countKeyAuthorities } from "../lib/durable-objects.mjs";
import { forgedKey, spreadAddress, withTypo, wrongSecretFor } from "../lib/key-format.mjs";
import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses } from "../lib/stats.mjs";
import { tagged } from "../lib/traces.mjs";

const REQUESTS = 1_000;
const CONCURRENCY = 16;
const TAG = "bad-checksum";
const CONTROL_TAG = "control-wrong-secret";
/** Requests per client address: below the failed-auth throttle, so every answer is the 401. */
const PER_ADDRESS = 10;
const GENERIC_CODE = '"code":"invalid_api_key"';

/**
 * SPEC §9 "checksum-failing keys: no Durable Object call, no D1 query". Sends 1,000 keys that
 * are well-formed but have a one-character typo (the first derived from a real key, the rest
 * from 1,000 different random ids), from 100 client addresses (10 each, under the failed-auth
 * throttle), then counts what serving them cost, two ways: the Durable Object calls and D1
 * queries in workerd's trace of those requests, and the Durable Objects created in the persist
 * directory. A control request (the real key's id and tag with a wrong secret, which only its
 * object can refuse) shows that the trace does see a Durable Object call.
 *
 * @example
 * const { rows, notes } = await badChecksum(ctx);
 */
export async function badChecksum({ api, traces, persistDir }) {
  const token = await api.signIn("u_bench_checksum", "org_bench_checksum");
  const { secret } = await api.createKey(token, "bench: checksum source");
  const badKeys = [withTypo(secret), ...Array.from({ length: REQUESTS - 1 }, () => withTypo(forgedKey()))];

  const objectsBefore = await countKeyAuthorities(persistDir);
  log(`bad checksums: ${REQUESTS} requests, ${CONCURRENCY} in flight`);
  const results = await pool(REQUESTS, CONCURRENCY, (i) =>
    api.timed(tagged("/api/whoami", TAG), badKeys[i], { address: spreadAddress(Math.floor(i / PER_ADDRESS)) }),
  );
  const objectsAfter = await countKeyAuthorities(persistDir);
  const control = await api.timed(tagged("/api/whoami", CONTROL_TAG), wrongSecretFor(secret));
  const objectsAfterControl = await countKeyAuthorities(persistDir);

  const counts = countStatuses(results);
  const generic = results.filter((r) => r.status === 401 && r.body.includes(GENERIC_CODE)).length;
  const created = objectsAfter - objectsBefore;
  const trace = await readTrace(traces);

  const costCell = trace
    ? `${trace.bad.doCalls} DO calls, ${trace.bad.d1Queries} D1 queries (trace); ${created} DO objects created`
    : `${created} DO objects created (trace unavailable)`;
  const costMet = created === 0 && (!trace || (trace.bad.doCalls === 0 && trace.bad.d1Queries === 0 && trace.bad.requests === REQUESTS));
  const controlText = trace
    ? `${trace.control.doCalls} DO call in its trace, ${objectsAfterControl - objectsAfter} object created`
    : `${objectsAfterControl - objectsAfter} object created`;
  return {
    rows: [
      {
        measure: `${REQUESTS.toLocaleString("en")} keys with a checksum typo: responses`,
        result: `${describeStatuses(counts, [401])} (${generic} generic invalid_api_key)`,
        target: "all 401",
        met: generic === REQUESTS,
      },
      {
        measure: `${REQUESTS.toLocaleString("en")} keys with a checksum typo: storage touched`,
        result: costCell,
        target: "0 DO calls, 0 D1 queries",
        met: costMet,
      },
    ],
    notes: [
      `Storage touched: "trace" counts the \`durable_object_subrequest\` and D1 spans in workerd's trace of the ${trace?.bad.requests ?? "(unread)"} tagged requests, read from \`wrangler dev\`'s local observability store; ` +
        `"objects created" counts KeyAuthority SQLite files in the persist directory (the keys carry ${REQUESTS} different ids, so a call to each could create one). ` +
        `Sent from ${REQUESTS / PER_ADDRESS} client addresses, ${PER_ADDRESS} each. ` +
        `Control: the real key's id and tag with a wrong secret answered ${control.status}, ${controlText}.`,
    ],
  };
}

async function readTrace(traces) {
  if (!(await traces.available())) return null;
  const read = async () => ({ bad: await traces.requestsFor(TAG), control: await traces.requestsFor(CONTROL_TAG) });
  return traces.settle(read, (t) => t.bad.requests >= REQUESTS && t.control.doCalls >= 1);
}
