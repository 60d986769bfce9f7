import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pool } from "../lib/client.mjs";
import { createKeyPool } from "../lib/key-pool.mjs";
import { log } from "../lib/log.mjs";
import { countStatuses, describeStatuses, median, ms } from "../lib/stats.mjs";

const USERS = 4;
const KEYS_PER_USER = 50;
const WARMUP = 20;
const SEQUENTIAL = 300;
const CONCURRENCY = 8;
const THROUGHPUT_MS = 3_000;
/** The consuming Worker's own route that calls KEY_VERIFIER.verify (test/bench/consumer.mjs). */
const BINDING_PATH = "/__bench/verify-binding";
/** The Worker the consuming Worker binds to: the top-level `name` of wrangler.toml. */
const CONSUMED_SERVICE = "api-keys-edge-dev";

/**
 * The configs of the phase this scenario runs in: the consuming Worker answers on the port, the
 * key service runs beside it as an auxiliary Worker (one `wrangler dev`, two configs).
 */
export const VERIFICATION_PHASE_CONFIGS = ["test/bench/consumer.toml", "wrangler.toml"];

/**
 * Three ways to check a key, compared through one consuming Worker (test/bench/consumer.toml) so
 * each crosses exactly one binding into the key service: `GET /api/whoami` with `X-API-Key` and
 * `POST /v1/verify` with the service token, both over the `EDGE` service binding (fetch), and
 * `KEY_VERIFIER.verify()` over RPC. Each is one admission in the key's Durable Object. Keys
 * rotate through a pool of 200 so none is rate-limited. Reports the median latency of
 * sequential requests (interleaved) and the throughput with 8 in flight.
 *
 * @example
 * const { rows, notes } = await verificationPaths(ctx); // in a phase started with VERIFICATION_PHASE_CONFIGS
 */
export async function verificationPaths({ root, baseUrl, api }) {
  await expectConsumedService(root);
  const token = await devVar(root, "VERIFY_API_TOKEN");
  const keys = createKeyPool(await createKeys(api));
  const paths = [
    { label: "GET /api/whoami", run: () => keys.use((secret) => timed(baseUrl, "GET", "/api/whoami", { "X-API-Key": secret })) },
    {
      label: "POST /v1/verify",
      run: () =>
        keys.use((secret) =>
          timed(baseUrl, "POST", "/v1/verify", { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, JSON.stringify({ key: secret })),
        ),
    },
    { label: "KeyVerifier binding", run: () => keys.use((secret) => timed(baseUrl, "GET", BINDING_PATH, { "X-API-Key": secret })) },
  ];

  log(`verification paths: every key once, then ${SEQUENTIAL} sequential requests each, interleaved`);
  // A key's first use may wake its Durable Object and load the key from D1: not what is compared here.
  await keys.useEach((secret) => timed(baseUrl, "GET", "/api/whoami", { "X-API-Key": secret }));
  await sequential(WARMUP, paths);
  const runs = await sequential(SEQUENTIAL, paths);
  const loads = [];
  for (const path of paths) {
    log(`verification paths: ${path.label}, ${CONCURRENCY} in flight for ${THROUGHPUT_MS / 1000} s`);
    loads.push(await throughput(path.run));
  }

  const statuses = paths.map((_, i) => countStatuses([...runs[i], ...loads[i].results]));
  const allAdmitted = paths.every((_, i) => (statuses[i][200] ?? 0) === runs[i].length + loads[i].results.length);
  const latencies = runs.map((list) => median(list.map((r) => r.receivedAt - r.sentAt)));
  const labels = paths.map((p) => p.label).join(" vs ");
  return {
    rows: [
      {
        measure: `median latency, ${SEQUENTIAL} sequential, from a consuming Worker: ${labels}`,
        result: latencies.map(ms).join(" vs "),
        target: "reported",
        met: allAdmitted,
      },
      {
        measure: `throughput, ${CONCURRENCY} in flight for ${THROUGHPUT_MS / 1000} s, from a consuming Worker: ${labels}`,
        result: `${loads.map((l) => Math.round(l.perSecond)).join(" vs ")} req/s`,
        target: "reported",
        met: allAdmitted,
      },
    ],
    notes: [
      `Verification paths: one \`wrangler dev -c test/bench/consumer.toml -c wrangler.toml\`; the consuming Worker answers on the port and reaches the key service ` +
        `over its \`EDGE\` service binding (fetch: \`/api/whoami\`, \`POST /v1/verify\` with VERIFY_API_TOKEN) or its \`KEY_VERIFIER\` binding (RPC: \`verify(key, { clientAddress })\`), ` +
        `so each path crosses one binding and makes one Durable Object admission. ${USERS * KEYS_PER_USER} keys in rotation, none used more than 10 times in any second. ` +
        paths.map((p, i) => `${p.label}: ${describeStatuses(statuses[i], [200])}`).join("; ") +
        "." +
        (keys.waits > 0 ? ` The key pool ran out of quota ${keys.waits} times, so throughput may be understated.` : ""),
    ],
  };
}

/**
 * A request timed on the client's monotonic clock. `POST /v1/verify` always answers 200, so its
 * outcome is read from the body: 200 when valid, 429 when rate-limited, else 401.
 */
async function timed(baseUrl, method, path, headers, body) {
  const sentAt = performance.now();
  try {
    const response = await fetch(baseUrl + path, { method, headers, body });
    const receivedAt = performance.now();
    const text = await response.text();
    let status = response.status;
    if (path === "/v1/verify" && status === 200) {
      const result = JSON.parse(text);
      status = result.valid ? 200 : result.code === "rate_limited" ? 429 : 401;
    }
    return { status, sentAt, receivedAt };
  } catch (error) {
    return { status: 0, sentAt, receivedAt: performance.now(), body: String(error) };
  }
}

async function createKeys(api) {
  log(`verification paths: creating ${USERS * KEYS_PER_USER} keys for ${USERS} users`);
  const secrets = [];
  for (let u = 1; u <= USERS; u++) {
    const token = await api.signIn(`u_bench_verify_${u}`, "org_bench_verify");
    const created = await pool(KEYS_PER_USER, CONCURRENCY, (i) => api.createKey(token, `bench: verify ${u}.${i}`));
    secrets.push(...created.map((k) => k.secret));
  }
  return secrets;
}

async function sequential(count, paths) {
  const runs = paths.map(() => []);
  for (let i = 0; i < count; i++) {
    for (const [j, path] of paths.entries()) runs[j].push(await path.run());
  }
  return runs;
}

async function throughput(request) {
  const results = [];
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < THROUGHPUT_MS) results.push(await request());
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { results, perSecond: results.length / ((performance.now() - start) / 1000) };
}

/** A variable's value in .dev.vars (the local secrets `wrangler dev` reads). */
async function devVar(root, name) {
  const text = await readFile(join(root, ".dev.vars"), "utf8");
  const match = new RegExp(`^\\s*${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|(\\S*))`, "m").exec(text);
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  if (!value) throw new Error(`${name} is not set in .dev.vars (npm run dev adds it from .dev.vars.example)`);
  return value;
}

/** Fails early, with the fix, when consumer.toml binds to a name wrangler.toml no longer has. */
async function expectConsumedService(root) {
  const name = /^name\s*=\s*"([^"]+)"/m.exec(await readFile(join(root, "wrangler.toml"), "utf8"))?.[1];
  if (name !== CONSUMED_SERVICE) {
    throw new Error(`wrangler.toml's Worker is "${name}", but test/bench/consumer.toml binds to "${CONSUMED_SERVICE}": update both`);
  }
}
