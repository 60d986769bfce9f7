// What `npm run dev` and `npm run dev:reset` share: the local data folder, the Node and port
// checks, .dev.vars, and applying the D1 migrations (with a record of what was applied, so an
// edited migration is noticed instead of surfacing later as "no such column").
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** wrangler dev's local D1 and Durable Object storage (its default persist folder). */
export const STATE_DIR = join(ROOT, ".wrangler", "state");
const MIGRATIONS_DIR = join(ROOT, "migrations");
/** Hashes of the migration files as they were when applied to the local D1. */
const APPLIED_RECORD = join(STATE_DIR, "applied-migrations.json");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
const REQUIRED_NODE_MAJOR = 22;

/** Prints a message for a person and exits: for problems a newcomer can fix. */
export function fail(lines) {
  console.error(`\n${[].concat(lines).join("\n")}\n`);
  process.exit(1);
}

/**
 * Stops early, with the fix, when the tools can't run: node_modules missing, or a Node older
 * than wrangler needs (the project brings Node 22; `npm run …` puts it first on PATH).
 */
export function checkToolchain() {
  if (!existsSync(WRANGLER)) fail(["node_modules is missing or incomplete.", "Run `npm install` first."]);
  const major = Number(process.versions.node.split(".")[0]);
  if (major < REQUIRED_NODE_MAJOR) {
    fail([
      `This is Node ${process.versions.node}; wrangler needs Node ${REQUIRED_NODE_MAJOR} or newer.`,
      "Start it through npm (`npm run dev`), which uses the Node 22 the project installs",
      "(the `node` devDependency). If that fails too, run `npm install` again: `--ignore-scripts` skips that Node.",
    ]);
  }
}

/** The port to serve on: `PORT`, else 8787. */
export function devPort(env = process.env) {
  if (env.PORT === undefined || env.PORT === "") return 8787;
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`PORT=${env.PORT} is not a port number (1–65535).`);
  return port;
}

/** Whether something already listens on 127.0.0.1:`port`. */
export function portInUse(port) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) => (error.code === "EADDRINUSE" || error.code === "EACCES" ? resolve(true) : reject(error)));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(false)));
  });
}

/**
 * Creates .dev.vars from .dev.vars.example when it is missing, and appends to an existing one
 * every variable the example gained since (a new required secret would otherwise stop the
 * Worker with "server_misconfigured" after a pull). Values already set are never changed.
 * `say` reports what it did.
 */
export async function ensureDevVars({ root = ROOT, say = (line) => console.log(`dev: ${line}`) } = {}) {
  const devVars = join(root, ".dev.vars");
  const example = join(root, ".dev.vars.example");
  if (!existsSync(devVars)) {
    await copyFile(example, devVars);
    say("created .dev.vars from .dev.vars.example (local secrets; never deployed)");
    return;
  }
  const present = new Set(varNames(await readFile(devVars, "utf8")));
  const lines = (await readFile(example, "utf8")).split("\n");
  const missing = lines.filter((line) => {
    const name = varNames(line)[0];
    return name !== undefined && !present.has(name);
  });
  if (missing.length === 0) return;
  const current = await readFile(devVars, "utf8");
  await writeFile(devVars, `${current.replace(/\n*$/, "\n")}# Added from .dev.vars.example by npm run dev:\n${missing.join("\n")}\n`);
  say(`added ${missing.map((line) => varNames(line)[0]).join(", ")} to .dev.vars from .dev.vars.example`);
}

/** The variable names a .dev.vars text assigns (NAME=… lines, comments skipped). */
function varNames(text) {
  return [...text.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/gm)].map((m) => m[1]);
}

/**
 * Runs wrangler with the project's Node and returns its output; rejects with that output when
 * it fails.
 */
export function wrangler(args, { quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRANGLER, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    });
    let output = "";
    const keep = (chunk) => {
      output += chunk;
      if (!quiet) process.stdout.write(chunk);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(output) : reject(Object.assign(new Error(`wrangler ${args.join(" ")} failed`), { output }))));
  });
}

/**
 * Applies migrations/ to the local D1. Warns when a migration already applied has been edited
 * since (D1 never re-applies it, so the local schema is stale), and fails with the fix when
 * applying fails.
 */
export async function applyLocalMigrations() {
  const current = await migrationHashes();
  const applied = await readApplied();
  const edited = Object.keys(applied).filter((name) => name in current && current[name] !== applied[name]);
  if (edited.length > 0) {
    console.warn(`dev: ${edited.join(", ")} changed after it was applied to the local D1; the local schema is stale.`);
    console.warn("dev: run `npm run dev:reset` to start from an empty local database with the current migrations.");
  }
  try {
    await wrangler(["d1", "migrations", "apply", "DB", "--local"]);
  } catch (error) {
    fail([
      "Applying the D1 migrations to the local database failed:",
      tail(error.output),
      "If a migration was edited or renamed after it was applied, reset the local data: `npm run dev:reset`.",
    ]);
  }
  // Everything in migrations/ is applied now. A name already recorded keeps the hash it was
  // applied with, so the warning above stays until the local data is reset.
  await mkdir(STATE_DIR, { recursive: true });
  await writeFile(APPLIED_RECORD, `${JSON.stringify({ ...current, ...applied }, null, 2)}\n`);
}

/** The local state folder, relative to the repository root, for messages. */
export function stateDirForHumans() {
  return relative(ROOT, STATE_DIR);
}

async function migrationHashes() {
  const names = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith(".sql")).sort();
  const entries = await Promise.all(
    names.map(async (name) => [name, createHash("sha256").update(await readFile(join(MIGRATIONS_DIR, name))).digest("hex")]),
  );
  return Object.fromEntries(entries);
}

async function readApplied() {
  try {
    return JSON.parse(await readFile(APPLIED_RECORD, "utf8"));
  } catch {
    return {};
  }
}

function tail(text = "", lines = 15) {
  return text.trim().split("\n").slice(-lines).join("\n");
}
