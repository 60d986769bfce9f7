// `npm run dev`: one command for the whole local loop. Checks Node and the port, creates
// .dev.vars, migrates the local D1, rebuilds <api-keys-settings> whenever component/src changes
// (esbuild watch), runs `wrangler dev`, and ends its start-up with a banner that says what is
// where. Ctrl-C stops all of it.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { bundleOptions, bundleSize } from "../component/bundle.mjs";
import { DEMO_USERS } from "../component/site/demo-users.js";
import {
  ROOT, applyLocalMigrations, checkToolchain, devPort, ensureDevVars, fail, portInUse, stateDirForHumans,
} from "./local-dev.mjs";

const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 5_000;

checkToolchain();
const port = devPort();
if (await portInUse(port)) {
  fail([
    `Port ${port} is already in use, probably by another \`npm run dev\` (or the bench/tests).`,
    `Stop that one (Ctrl-C in its terminal; \`lsof -i :${port}\` names it), or use another port:`,
    `  PORT=${port + 1} npm run dev`,
  ]);
}
const baseUrl = `http://127.0.0.1:${port}`;

await ensureDevVars();
console.log("dev: applying D1 migrations to the local database");
await applyLocalMigrations();

const element = await watchElement();
const origins = allowedOrigins(port);
const worker = startWorker(port, origins);
stopOnSignals([element, worker]);
if (await worker.ready(baseUrl)) printBanner(baseUrl, origins.list);

/** esbuild in watch mode: the first build now, then one per change under component/src. */
async function watchElement() {
  // Imported here, after checkToolchain(), so a missing node_modules gets its message, not a stack.
  const { context } = await import("esbuild");
  let first = true;
  const ctx = await context({
    ...bundleOptions,
    logLevel: "error",
    plugins: [{
      name: "report",
      setup(build) {
        let started = 0;
        build.onStart(() => void (started = performance.now()));
        build.onEnd((result) => {
          if (result.errors.length > 0) {
            console.log("element: build failed (the page keeps the last good module); fix the error and save again");
            return;
          }
          const { kb } = bundleSize(); // the first render: module, shared chunks, one language
          const took = (performance.now() - started).toFixed(0);
          console.log(first ? `element: built (${kb.toFixed(1)} KB min+gzip); rebuilding on every change under component/src`
            : `element: rebuilt in ${took} ms (${kb.toFixed(1)} KB min+gzip): reload the page`);
          first = false;
        });
      },
    }],
  });
  await ctx.watch();
  return { stop: () => ctx.dispose() };
}

/**
 * The origins the Worker will allow: ALLOWED_ORIGINS from .dev.vars, else from wrangler.toml.
 * On a port other than 8787 the page's own origins are added (`--var`), so the demo page works.
 */
function allowedOrigins(port) {
  const configured = readVar(join(ROOT, ".dev.vars"), "ALLOWED_ORIGINS") ?? readVar(join(ROOT, "wrangler.toml"), "ALLOWED_ORIGINS") ?? "";
  const list = configured.split(",").map((origin) => origin.trim()).filter(Boolean);
  const own = [`http://127.0.0.1:${port}`, `http://localhost:${port}`].filter((origin) => !list.includes(origin));
  return { list: [...list, ...own], override: own.length > 0 };
}

function readVar(file, name) {
  if (!existsSync(file)) return undefined;
  const match = readFileSync(file, "utf8").match(new RegExp(`^\\s*${name}\\s*=\\s*"?([^"\\n]*)"?\\s*$`, "m"));
  return match?.[1];
}

/** `wrangler dev` in its own process group, so stopping it also stops the workerd it starts. */
function startWorker(port, origins) {
  // --test-scheduled: GET /__scheduled runs the Cron Trigger's scheduled handler (the expiry
  // reminders), which wrangler dev never runs on its own. Only this loopback dev server has it.
  const args = ["dev", "--ip", "127.0.0.1", "--port", String(port), "--show-interactive-dev-session=false", "--test-scheduled"];
  if (origins.override) args.push("--var", `ALLOWED_ORIGINS:${origins.list.join(",")}`);
  const child = spawn(process.execPath, [join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js"), ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
  const signal = (name) => {
    try {
      process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const exited = new Promise((resolve) => child.once("exit", (code, sig) => resolve(code ?? sig)));
  process.on("exit", () => signal("SIGKILL"));
  return {
    exited,
    async ready(url) {
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) return false;
        try {
          await (await fetch(`${url}/`)).arrayBuffer();
          return true;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
      fail(`wrangler dev did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s; its output is above.`);
    },
    async stop() {
      signal("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
      signal("SIGKILL");
    },
  };
}

/** Ctrl-C (or a terminal closing) stops the watcher and the Worker; so does the Worker exiting. */
function stopOnSignals(parts) {
  let stopping = false;
  const stopAll = async (code) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(parts.map((part) => part.stop()));
    process.exit(code);
  };
  for (const name of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(name, () => void stopAll(0));
  worker.exited.then((code) => {
    if (stopping) return;
    console.error(`dev: wrangler dev exited (${code}); stopping`);
    void stopAll(typeof code === "number" && code !== 0 ? code : 1);
  });
}

/** How /dev/session signs: HS256, or ES256 through the Worker's own /dev/jwks.json (.dev.vars.example). */
function signInMode(url) {
  const jwksUrl = readVar(join(ROOT, ".dev.vars"), "AUTH_JWKS_URL");
  if (!jwksUrl) return "HS256 with AUTH_JWT_SECRET; for ES256 through a JWKS see .dev.vars.example";
  const own = new URL(`${url}/dev/jwks.json`);
  const configured = URL.parse(jwksUrl);
  if (configured?.port !== own.port || configured.pathname !== own.pathname) {
    return `AUTH_JWKS_URL is ${jwksUrl}, but this Worker publishes its dev key at ${own}: sign-ins will fail`;
  }
  return `ES256, verified against ${jwksUrl} (a new dev key on every restart)`;
}

function printBanner(url, origins) {
  const users = Object.values(DEMO_USERS);
  const nameWidth = Math.max(...users.map((user) => user.name.length));
  const example = users[1];
  const session = JSON.stringify({ userId: example.userId, orgId: example.orgId, name: example.name, permissions: example.permissions });
  console.log(`
  API keys at the edge: ready

  Demo page     ${url}/
                the element rebuilds when a file under component/src changes: reload to see it
  API docs      ${url}/docs   (OpenAPI: ${url}/v1/openapi.json)

  Demo users    pick one in the page's "Signed in as" switch:
${users.map((user) => `                  ${user.name.padEnd(nameWidth)}  ${user.userId} in ${user.orgId}: ${user.permissions.join(", ")}`).join("\n")}
  Sign in from a shell (POST /dev/session, local only):
    TOKEN=$(curl -s -X POST ${url}/dev/session -H 'Content-Type: application/json' \\
      -d '${session}' | jq -r .token)
  Tokens        ${signInMode(url)}

  Cron run      curl "${url}/__scheduled?cron=*/15+*+*+*+*"   (expiry reminders; every 15 min when deployed)

  The help article's call, with a key created on the demo page:
    curl -H "X-API-Key: ak_live_…" ${url}/api/contacts

  Local data    ${stateDirForHumans()}/ (D1 and Durable Objects); start over: npm run dev:reset
  Origins       ${origins.join(", ")} (ALLOWED_ORIGINS in .dev.vars)
  Stop          Ctrl-C stops the Worker and the element watcher
`);
}
