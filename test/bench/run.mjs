// `npm run bench`: starts the Worker locally with `wrangler dev`, measures the figures of
// SPEC §9 against it, and prints them as a markdown table on stdout (progress goes to stderr).
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "./lib/client.mjs";
import { killAllDevServersNow, startDevServer, stopAllDevServers } from "./lib/dev-server.mjs";
import { extraRowModules } from "./lib/extra-rows.mjs";
import { log } from "./lib/log.mjs";
import { renderTable } from "./lib/table.mjs";
import { createTraceReader } from "./lib/traces.mjs";
import { badChecksum } from "./scenarios/bad-checksum.mjs";
import { canaryTiming } from "./scenarios/canary-timing.mjs";
import { concurrentBurst } from "./scenarios/concurrent-burst.mjs";
import { failedAuthFlood } from "./scenarios/failed-auth-flood.mjs";
import { firstUse } from "./scenarios/first-use.mjs";
import { forgedKeyFlood, forgedKeyThroughput } from "./scenarios/forged-keys.mjs";
import { BENCH_ADMIN_TOKEN, keyTerms } from "./scenarios/key-terms.mjs";
import { BENCH_LEAK_SECRET, leakReportToRefused } from "./scenarios/leak-report.mjs";
import { overhead } from "./scenarios/overhead.mjs";
import { pacedLoad } from "./scenarios/paced-load.mjs";
import { requestBreakdown } from "./scenarios/request-breakdown.mjs";
import { revokeUnderLoad } from "./scenarios/revoke-under-load.mjs";
import { VERIFICATION_PHASE_CONFIGS, verificationPaths } from "./scenarios/verification-paths.mjs";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, "../..");

// Three fresh Workers: one without local tracing for the timing-sensitive scenarios (tracing adds
// milliseconds to every request), one with it for the scenarios that read workerd's traces, and
// one behind a consuming Worker (two configs, one wrangler dev) for the ways to check a key.
// `position` is the row order of SPEC §9; the extra row modules come last.
const PHASES = [
  {
    tracing: false,
    // HMAC-signed leak reports (POST /v1/leaks) for the "leak report → refused" rows.
    // The admin API token, for the org ceiling the per-key limit rows raise.
    vars: { LEAK_REPORT_HMAC_SECRET: BENCH_LEAK_SECRET, ADMIN_API_TOKEN: BENCH_ADMIN_TOKEN },
    scenarios: [
      { name: "overhead", run: overhead, position: 5 },
      { name: "request breakdown", run: requestBreakdown, position: 5.1 },
      { name: "first use", run: firstUse, position: 5.2 },
      { name: "concurrent burst", run: concurrentBurst, position: 1 },
      { name: "revoke under load", run: revokeUnderLoad, position: 3 },
      { name: "leak report to refused", run: leakReportToRefused, position: 3.1 },
      { name: "paced load", run: pacedLoad, position: 2 },
      { name: "forged-key throughput", run: forgedKeyThroughput, position: 6.5 },
      { name: "canary timing", run: canaryTiming, position: 6.6 },
      { name: "failed-auth flood", run: failedAuthFlood, position: 7 },
      { name: "credits and per-key limits", run: keyTerms, position: 7.5 },
    ],
  },
  {
    tracing: true,
    scenarios: [
      { name: "bad checksums", run: badChecksum, position: 4 },
      { name: "forged keys", run: forgedKeyFlood, position: 6 },
    ],
    extraRows: true,
  },
  {
    tracing: false,
    configs: VERIFICATION_PHASE_CONFIGS,
    scenarios: [{ name: "verification paths", run: verificationPaths, position: 5.5 }],
  },
];

async function main() {
  const started = performance.now();
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
      log(`${signal}: stopping wrangler dev`);
      await stopAllDevServers();
      process.exit(130);
    });
  }
  process.once("exit", killAllDevServersNow);

  const sections = [];
  for (const phase of PHASES) sections.push(...(await runPhase(phase)));
  sections.sort((a, b) => a.position - b.position);

  const rows = sections.flatMap((s) => s.rows);
  const notes = sections.flatMap((s) => s.notes);
  process.stdout.write(`${renderTable(rows, notes)}\n`);
  const failures = sections.filter((s) => s.failed).length;
  const missed = rows.filter((r) => r.met === false).length;
  log(`done in ${Math.round((performance.now() - started) / 1000)} s: ${rows.length} rows, ${missed} marked ✗, ${failures} sections failed to run`);
  process.exitCode = failures > 0 ? 1 : 0;
}

async function runPhase({ tracing, configs, vars, scenarios, extraRows }) {
  const server = await startDevServer(root, { tracing, configs, vars });
  const { baseUrl, persistDir } = server;
  const context = { root, baseUrl, persistDir, api: createClient(baseUrl), traces: createTraceReader(baseUrl), log };
  const sections = [];
  try {
    for (const { name, run, position } of scenarios) {
      sections.push({ ...(await runSection(name, () => run(context))), position });
    }
    if (extraRows) {
      for (const [i, { name, run }] of (await extraRowModules(benchDir)).entries()) {
        sections.push({ ...(await runSection(name, () => run({ root, baseUrl, log }))), position: 100 + i });
      }
    }
  } finally {
    await server.stop();
  }
  return sections;
}

async function runSection(name, run) {
  try {
    const { rows, notes = [] } = await run();
    return { rows, notes, failed: false };
  } catch (error) {
    log(`${name} failed: ${error.stack ?? error}`);
    const reason = String(error.message).split("\n")[0];
    return { rows: [{ measure: name, result: `failed to run: ${reason}`, target: "—", met: false }], notes: [], failed: true };
  }
}

main().catch((error) => {
  log(`bench aborted: ${error.stack ?? error}`);
  process.exitCode = 1;
});
