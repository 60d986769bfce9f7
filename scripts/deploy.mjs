// `npm run deploy`: builds <api-keys-settings>, then ships the production environment of
// wrangler.toml ([env.production]: worker/index.ts, the element only, no demo page) and applies
// the D1 migrations to the remote database. The webhook queues (api-keys-webhooks and its
// dead-letter queue) are created first when they do not exist yet. The first deploy lets wrangler create the database
// (no database_id configured yet) and migrates right after; later deploys migrate first, so new
// code never meets an old schema.
//
// `npm run deploy -- --dry-run` (and `npm test`, as `npm run test:deploy`) bundles the production
// Worker without deploying and checks it: the bundle builds, it contains no local-development
// code, the assets hold the element and nothing of the demo page, and both stay within budget; the
// webhook queue's consumer retries exactly as often as WEBHOOK_RETRY_DELAYS has delays, over at
// least 24 hours, into its dead-letter queue.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { BUDGET_BYTES, PRODUCTION_ASSETS_DIR, VERSIONED_DIR, bundleSize, elementFiles as builtElementFiles } from "../component/bundle.mjs";
import { ROOT, checkToolchain, fail } from "./local-dev.mjs";

/** The production Worker bundle, gzip level 9 (what Cloudflare counts against the size limit). */
export const WORKER_BUDGET_BYTES = 256 * 1024;
/**
 * Strings only local-development code contains (sample contacts, the demo page, the dev sign-in
 * route handlers, the Server-Timing middleware). Function names survive because wrangler does not minify.
 */
const LOCAL_ONLY_MARKERS = ["Analytical Engines Ltd", "demoPageHandler", "devSessionRoutes", "serverTimingHandler"];
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const ENV = ["--env", "production"];

const dryRun = process.argv.includes("--dry-run");
checkToolchain();
await run(process.execPath, [join(ROOT, "component", "build.mjs"), "--bundle-only"]);
if (dryRun) await checkBundle();
else await deploy();

async function deploy() {
  await ensureWebhookQueues();
  const firstDeploy = !productionDatabaseId();
  if (firstDeploy) {
    console.log("deploy: no database_id for production yet: wrangler creates the D1 database on this deploy");
    await wrangler(["deploy", ...ENV]);
    await wrangler(["d1", "migrations", "apply", "DB", "--remote", ...ENV]);
    console.log("deploy: wrangler wrote the new database_id into wrangler.toml; commit it.");
  } else {
    await wrangler(["d1", "migrations", "apply", "DB", "--remote", ...ENV]);
    await wrangler(["deploy", ...ENV]);
  }
  console.log("deploy: done. Check readiness: curl https://<your-worker>/healthz (200 when configured and migrated).");
}

async function checkBundle() {
  const outdir = mkdtempSync(join(tmpdir(), "api-keys-deploy-"));
  try {
    await wrangler(["deploy", "--dry-run", "--outdir", outdir, ...ENV], { quiet: true });
    const bundle = readFileSync(join(outdir, "index.js"));
    const workerBytes = gzipSync(bundle, { level: 9 }).byteLength;
    const problems = await webhookQueueProblems();
    if (workerBytes > WORKER_BUDGET_BYTES) problems.push(`Worker bundle ${kb(workerBytes)} gzip, over the ${kb(WORKER_BUDGET_BYTES)} budget`);
    const text = bundle.toString("utf8");
    for (const marker of LOCAL_ONLY_MARKERS) {
      if (text.includes(marker)) problems.push(`Worker bundle contains local-development code ("${marker}")`);
    }
    const assets = listFiles(PRODUCTION_ASSETS_DIR);
    // The element's module and all its chunks, at the moving and the versioned URL.
    const built = builtElementFiles();
    const elementFiles = ["component", VERSIONED_DIR].flatMap((folder) => built.map((file) => join(folder, file)));
    for (const file of elementFiles) if (!assets.includes(file)) problems.push(`production assets lack the element (${file})`);
    const strays = assets.filter((file) => !elementFiles.includes(file));
    if (strays.length > 0) problems.push(`production assets hold more than the element: ${strays.join(", ")}`);
    // What a page downloads before the first render, and each part fetched on demand, as shipped.
    const size = problems.length === 0 ? bundleSize(join(PRODUCTION_ASSETS_DIR, "component")) : null;
    if (size && !size.withinBudget) {
      problems.push(`element over budget: first render ${kb(size.firstRender.bytes)} (budget ${kb(BUDGET_BYTES)}); ${size.parts.map((p) => `${p.name} ${kb(p.bytes)}`).join(", ")}`);
    }
    if (problems.length > 0) fail(["deploy check failed:", ...problems.map((p) => `  - ${p}`)]);
    console.log(
      `deploy check: production bundle ${kb(workerBytes)} gzip (budget ${kb(WORKER_BUDGET_BYTES)}), webhook queues consistent, ` +
        `no local-development code; assets: the element only (${elementFiles.length} files: module and chunks, moving and versioned), ` +
        `first render ${kb(size.firstRender.bytes)} gzip (budget ${kb(BUDGET_BYTES)}), parts on demand ${size.parts.map((p) => `${p.name} ${kb(p.bytes)}`).join(", ")}`,
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The production environment as wrangler reads it. */
async function productionConfig() {
  const { unstable_readConfig } = await import("wrangler");
  return unstable_readConfig({ config: join(ROOT, "wrangler.toml"), env: "production" });
}

/**
 * What is wrong with production's webhook queues: the consumer of api-keys-webhooks must retry as
 * many times as WEBHOOK_RETRY_DELAYS has delays (the Worker picks each retry's delay from that list,
 * Queues counts the retries), into a dead-letter queue that this Worker consumes too, and the
 * delays must add up to at least 24 hours.
 */
async function webhookQueueProblems() {
  const config = await productionConfig();
  const problems = [];
  const consumers = config.queues?.consumers ?? [];
  const main = consumers.find((c) => c.queue === "api-keys-webhooks");
  const delays = String(config.vars?.WEBHOOK_RETRY_DELAYS ?? "").split(",").map(Number);
  if (!config.queues?.producers?.some((p) => p.binding === "WEBHOOK_QUEUE" && p.queue === "api-keys-webhooks")) {
    problems.push("production lacks the WEBHOOK_QUEUE producer binding of api-keys-webhooks");
  }
  if (!main) problems.push("production does not consume api-keys-webhooks");
  else {
    if (main.max_retries !== delays.length) problems.push(`api-keys-webhooks: max_retries ${main.max_retries} but WEBHOOK_RETRY_DELAYS has ${delays.length} delays`);
    if (!main.dead_letter_queue || !consumers.some((c) => c.queue === main.dead_letter_queue)) {
      problems.push("api-keys-webhooks needs a dead_letter_queue that production consumes (it marks deliveries failed)");
    }
  }
  const total = delays.reduce((sum, d) => sum + d, 0);
  if (!(total >= 24 * 3600)) problems.push(`WEBHOOK_RETRY_DELAYS adds up to ${total} s; webhooks must be retried over at least 24 h`);
  return problems;
}

/** Creates the webhook queues that do not exist yet (wrangler deploy does not create queues). */
async function ensureWebhookQueues() {
  const config = await productionConfig();
  const names = new Set((config.queues?.consumers ?? []).flatMap((c) => [c.queue, c.dead_letter_queue].filter(Boolean)));
  for (const name of names) {
    try {
      await wrangler(["queues", "info", name], { quiet: true });
    } catch {
      console.log(`deploy: creating the queue ${name}`);
      await wrangler(["queues", "create", name]);
    }
  }
}

/** The database_id of [[env.production.d1_databases]], or null while wrangler has not written one. */
function productionDatabaseId() {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const block = toml.split("[[env.production.d1_databases]]")[1]?.split(/\n\[/)[0] ?? "";
  return /^\s*database_id\s*=\s*"([^"]+)"/m.exec(block)?.[1] ?? null;
}

function listFiles(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function wrangler(args, { quiet = false } = {}) {
  return run(process.execPath, [WRANGLER, ...args], { quiet });
}

/** Runs a command from the repository root; rejects (and shows its output) when it fails. */
function run(command, args, { quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code === 0) return resolve(output);
      if (quiet) process.stderr.write(output);
      reject(new Error(`${relative(ROOT, args[0]) || command} ${args.slice(1).join(" ")} failed (exit ${code})`));
    });
  });
}
