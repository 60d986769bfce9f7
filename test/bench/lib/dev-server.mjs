import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevVars } from "../../../scripts/local-dev.mjs";
import { log, sleep } from "./log.mjs";

const READY_TIMEOUT_MS = 90_000;
const OUTPUT_TAIL_LINES = 40;
/** Servers started and not yet stopped: their `stop`, and a synchronous kill for process exit. */
const running = new Set();
const killers = new Set();

/**
 * Starts the Worker the way `npm run dev` does, but isolated: a fresh persist directory with the
 * migrations applied, a free port, `wrangler dev --local`, workerd's local tracing on or off,
 * optional `vars` overriding wrangler vars (e.g. ALLOWED_ORIGINS for a test page's origin), and
 * optional `configs`: several wrangler configs run together, the first one answering on the port
 * and the others reachable through its bindings (e.g. a consuming Worker in front of this one).
 * Resolves once the Worker answers.
 * Call `stop()` when done (it also removes the persist directory); it is safe to call twice.
 *
 * @example
 * const server = await startDevServer(root, { tracing: false });
 * await fetch(`${server.baseUrl}/nothing-here`);
 * await server.stop();
 */
export async function startDevServer(root, { tracing = true, vars = {}, configs = [] } = {}) {
  await ensureDevVars({ root, say: log });
  const persistDir = await mkdtemp(join(tmpdir(), "api-keys-bench-"));
  log(`applying migrations into ${persistDir}`);
  await runToEnd("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], root).catch(
    async (error) => {
      await rm(persistDir, { recursive: true, force: true });
      throw error;
    },
  );

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  log(`starting wrangler dev on ${baseUrl}${tracing ? " with local tracing" : ""}`);
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--local", "--persist-to", persistDir,
      "--show-interactive-dev-session=false", ...configs.flatMap((config) => ["-c", config]),
      ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`])],
    // Its own process group, so stopping it also stops the workerd processes it starts.
    { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: devEnv(tracing) },
  );
  const output = collectTail(child);
  const killNow = () => signalGroup(child, "SIGKILL");
  const stop = async () => {
    if (!running.has(stop)) return;
    running.delete(stop);
    killers.delete(killNow);
    await killGroup(child);
    await rm(persistDir, { recursive: true, force: true });
  };
  running.add(stop);
  killers.add(killNow);
  try {
    await waitUntilAnswering(baseUrl, child);
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- wrangler dev output ---\n${output.join("\n")}`);
  }
  return { baseUrl, persistDir, stop };
}

/**
 * Stops every server this process started (for a signal handler).
 *
 * @example
 * process.once("SIGINT", async () => { await stopAllDevServers(); process.exit(130); });
 */
export async function stopAllDevServers() {
  await Promise.all([...running].map((stop) => stop()));
}

/**
 * Kills every server this process started, synchronously (for `process.on("exit")`, where
 * nothing asynchronous runs any more; the persist directories stay behind in the temp folder).
 */
export function killAllDevServersNow() {
  for (const kill of killers) kill();
}


function devEnv(tracing = false) {
  // Local observability (workerd's trace of every request) and the explorer API that reads it
  // are wrangler's defaults. Tracing costs a few milliseconds per request, so the bench turns it
  // on only where it reads traces.
  return { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: String(tracing), X_LOCAL_EXPLORER: "true" };
}

function runToEnd(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], env: devEnv() });
    const output = collectTail(child);
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(" ")} exited with ${code}\n${output.join("\n")}`));
    });
  });
}

function collectTail(child) {
  const lines = [];
  const keep = (chunk) => {
    lines.push(...chunk.toString().split("\n").filter(Boolean));
    if (lines.length > OUTPUT_TAIL_LINES) lines.splice(0, lines.length - OUTPUT_TAIL_LINES);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  return lines;
}

async function waitUntilAnswering(baseUrl, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`wrangler dev exited (${child.exitCode ?? child.signalCode}) before answering`);
    }
    try {
      const response = await fetch(`${baseUrl}/nothing-here`);
      await response.arrayBuffer();
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`wrangler dev did not answer within ${READY_TIMEOUT_MS / 1000} s`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function killGroup(child) {
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", resolve));
  signalGroup(child, "SIGTERM");
  let timer;
  await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
  // Whatever is left of the group (a workerd that ignored SIGTERM) goes now.
  signalGroup(child, "SIGKILL");
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}
