// `npm run dev:reset`: deletes the local D1 database and Durable Object storage that `npm run dev`
// uses (.wrangler/state) and applies migrations/ to a fresh, empty database. For a local schema
// that no longer matches migrations/ (a migration edited after it was applied), or to start over.
import { rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { STATE_DIR, applyLocalMigrations, checkToolchain, devPort, fail, portInUse, stateDirForHumans } from "./local-dev.mjs";

checkToolchain();
const port = devPort();
if (!process.argv.includes("--force") && (await portInUse(port))) {
  fail([
    `Something listens on port ${port}: if it is \`npm run dev\`, stop it first (Ctrl-C), because deleting`,
    "its database under it corrupts it. Then run `npm run dev:reset` again.",
    "(If the port belongs to something else: `npm run dev:reset -- --force`.)",
  ]);
}
if (existsSync(STATE_DIR)) {
  await rm(STATE_DIR, { recursive: true, force: true });
  console.log(`dev:reset: deleted ${stateDirForHumans()}/ (local D1 and Durable Objects: every key, user and audit event)`);
} else {
  console.log(`dev:reset: no local data yet (${stateDirForHumans()}/)`);
}
await applyLocalMigrations();
console.log("dev:reset: applied migrations/ to a fresh local database; `npm run dev` starts from empty");
