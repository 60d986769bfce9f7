import { wrongSecretFor, spreadAddress } from "../lib/key-format.mjs";
import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses, median, ms, percentile } from "../lib/stats.mjs";

/** Uses of each kind measured. */
const USES = 200;
const WARMUP = 10;
const PATH = "/api/whoami";
/** Requests per client address, well below the failed-attempt throttle (all of them count as invalid keys). */
const PER_ADDRESS = 5;
/** Addresses of this scenario start here, clear of the other scenarios' addresses. */
const ADDRESS_BASE = 60_000;
const GENERIC_CODE = '"code":"invalid_api_key"';

/**
 * Issue 14's canary timing row: is a canary key's use told apart from an unknown key's by how long
 * it takes? One user creates a canary key and an ordinary key; then, interleaved one after another
 * (canary, unknown, canary, unknown…), `USES` uses of the canary and `USES` of an unknown key that
 * reaches a Durable Object like the canary does (the ordinary key's id and tag with a wrong secret:
 * a key an attacker could build from a real one), each from an address of its own few. Reports the
 * median and p95 latency of each and the bytes of their answers. A bench row, not a timed
 * assertion: the Worker test (test/worker/keys/canary.test.ts) compares the answers byte for byte.
 *
 * @example
 * const { rows, notes } = await canaryTiming(ctx);
 */
export async function canaryTiming({ api }) {
  const token = await api.signIn("u_bench_canary", "org_bench_canary");
  const canary = await createCanary(api, token);
  const real = await api.createKey(token, "bench: canary baseline");
  const unknown = () => wrongSecretFor(real.secret);
  log(`canary timing: ${USES} canary uses and ${USES} unknown-key uses, interleaved`);
  let address = ADDRESS_BASE;
  const use = (key, i) => api.timed(PATH, key, { address: spreadAddress(address + Math.floor(i / PER_ADDRESS)) });
  // The first use of each places its chain's object (one D1 read each); the warm-up leaves both warm.
  for (let i = 0; i < WARMUP; i++) {
    await use(canary.secret, i);
    await use(unknown(), i);
  }
  address += WARMUP;
  const fromCanary = [];
  const fromUnknown = [];
  for (let i = 0; i < USES; i++) {
    fromCanary.push(await use(canary.secret, 2 * i));
    fromUnknown.push(await use(unknown(), 2 * i + 1));
  }

  const latency = (results) => results.map((r) => r.receivedAt - r.sentAt);
  const generic = (results) => results.filter((r) => r.status === 401 && r.body.includes(GENERIC_CODE)).length;
  const sameBodies = new Set([...fromCanary, ...fromUnknown].map((r) => r.body)).size === 1;
  const [canaryMs, unknownMs] = [latency(fromCanary), latency(fromUnknown)];
  return {
    rows: [
      {
        measure: `canary key vs unknown key (GET ${PATH}, ${USES} each, interleaved): latency`,
        result:
          `canary median ${ms(median(canaryMs))}, p95 ${ms(percentile(canaryMs, 95))}; ` +
          `unknown median ${ms(median(unknownMs))}, p95 ${ms(percentile(unknownMs, 95))}`,
        target: "reported (no timed assertion)",
        met: true,
      },
      {
        measure: `canary key vs unknown key: answers`,
        result:
          `canary ${describeStatuses(countStatuses(fromCanary), [401])}, unknown ${describeStatuses(countStatuses(fromUnknown), [401])}; ` +
          `${sameBodies ? "one body, byte for byte" : "bodies differ"}`,
        target: "all the generic 401, one body",
        met: generic(fromCanary) === USES && generic(fromUnknown) === USES && sameBodies,
      },
    ],
    notes: [
      `Canary timing: one canary key and one ordinary key of one user; the unknown key is the ordinary key's id and tag with a fresh random secret each time ` +
        `(it passes every check the edge makes alone and is refused by the key's Durable Object, as the canary is). ${WARMUP} unmeasured uses of each first, ` +
        `then ${USES} of each, alternating, one at a time, ${PER_ADDRESS} per client address (both count against the failed-attempt throttle, like any invalid key). ` +
        "The canary's use is reported to its object after the answer (waitUntil), so the row shows whether that report can be seen in the answer's latency. Local tracing off.",
    ],
  };
}

/** Creates a canary key (the bench client's createKey makes ordinary keys only). */
async function createCanary(api, token) {
  const response = await fetch(`${api.baseUrl}/v1/keys`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "bench: canary", canary: true }),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /v1/keys (canary) answered ${response.status}: ${text}`);
  const { key, secret } = JSON.parse(text);
  return { id: key.id, secret };
}
