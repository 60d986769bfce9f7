// The examples as a product team would ship them (`npm run test:examples`): the React and Vue apps
// type-checked (tsc, vue-tsc), all three built with `vite build` against the package folder that
// `npm run build:component` assembles, each served from its own origin, and driven in headless
// Chromium against one real `wrangler dev` (fresh local D1 and Durable Objects): create a key,
// copy it, use it, close the reveal, revoke it, and see it refused. Also: every README snippet
// marked `<!-- snippet: … -->` is a copy of its example file's region (readme-snippets.mjs).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { BROWSER_ARGS, describeBrowser, findBrowser } from "../../scripts/find-browser.mjs";
import { killAllDevServersNow, startDevServer } from "../bench/lib/dev-server.mjs";
import { hasValidChecksum } from "../bench/lib/key-format.mjs";
import { snippetProblems } from "./readme-snippets.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const APPS = ["html", "react", "vue"];
const KEY_PATTERN = /^ak_live_[0-9A-Za-z]{64}$/;
const SETUP_TIMEOUT_MS = 240_000;
const FLOW_TIMEOUT_MS = 60_000;
const WAIT_MS = 15_000;
const bin = (path) => join(root, "node_modules", path);

/** Runs a Node CLI to its end: `{ code, output }`, never a rejection. */
function run(script, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ code: -1, output: error.message }));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/** A static file server for a built app (its folder may be filled after it starts), on a free port. */
async function serveFolder(folder) {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://localhost").pathname));
    const file = join(folder, path === "/" ? "index.html" : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function whoamiStatus(workerUrl, key) {
  const response = await fetch(`${workerUrl}/api/whoami`, { headers: { "X-API-Key": key } });
  await response.arrayBuffer();
  return response.status;
}

describe("README snippets", () => {
  test("every snippet marked in README.md is its example file's region", async () => {
    const { problems } = await snippetProblems(await readFile(join(root, "README.md"), "utf8"));
    assert.deepEqual(problems, []);
  });

  test("a snippet that drifted from its file, or names a missing region, is reported", async () => {
    const source = await readFile(join(root, "examples/react/src/App.tsx"), "utf8");
    const region = source.split("// #region readme-react\n")[1].split("// #endregion")[0].trimEnd();
    const marked = (name, code) => `<!-- snippet: examples/react/src/App.tsx#${name} -->\n\n\`\`\`tsx\n${code}\n\`\`\`\n`;
    assert.deepEqual(await snippetProblems(marked("readme-react", region)), { problems: [], count: 1 });
    const drifted = await snippetProblems(marked("readme-react", region.replace("defaultExpiryDays={30}", "defaultExpiryDays={90}")));
    assert.match(drifted.problems.join("\n"), /differs from the file's region/);
    const missing = await snippetProblems(marked("readme-nothing", region));
    assert.match(missing.problems.join("\n"), /no "#region readme-nothing"/);
  });
});

describe("the examples against a real Worker", () => {
  const servers = new Map();
  let outDir;
  let worker;
  let browser;
  let typeChecks;

  before(async () => {
    if (!existsSync(join(root, "component/package/package.json"))) {
      const build = await run(join(root, "component/build.mjs"), [], { PATH: `${bin(".bin")}:${process.env.PATH}` });
      assert.equal(build.code, 0, `npm run build:component failed:\n${build.output}`);
    }
    // The type checks need no Worker: they run while it starts.
    typeChecks = {
      react: run(bin("typescript/bin/tsc"), ["-p", "examples/react/tsconfig.json"]),
      vue: run(fileURLToPath(import.meta.resolve("vue-tsc/bin/vue-tsc.js")), ["-p", "examples/vue/tsconfig.json"]),
    };
    outDir = await mkdtemp(join(tmpdir(), "api-keys-examples-"));
    // Each app on its own origin, which the Worker must allow (CORS), as a product's would be.
    for (const app of APPS) servers.set(app, await serveFolder(join(outDir, app)));
    const origins = [...servers.values()].map((server) => server.origin);
    const found = await findBrowser();
    console.log(`browser: ${describeBrowser(found)}`);
    process.on("exit", killAllDevServersNow);
    worker = await startDevServer(root, { tracing: false, vars: { ALLOWED_ORIGINS: origins.join(",") } });
    const builds = await Promise.all(APPS.map((app) =>
      run(bin("vite/bin/vite.js"), ["build", `examples/${app}`, "--outDir", join(outDir, app), "--emptyOutDir", "--logLevel", "warn"],
        { VITE_API_BASE: worker.baseUrl })));
    builds.forEach((build, i) => assert.equal(build.code, 0, `vite build examples/${APPS[i]} failed:\n${build.output}`));
    browser = await chromium.launch({ executablePath: found.executablePath, args: [...BROWSER_ARGS] });
  }, { timeout: SETUP_TIMEOUT_MS });

  after(async () => {
    await browser?.close();
    await Promise.all([...servers.values()].map((server) => server.close()));
    await worker?.stop();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  test("the React app type-checks (tsc)", async () => {
    const { code, output } = await typeChecks.react;
    assert.equal(code, 0, output);
  });

  test("the Vue app type-checks (vue-tsc)", async () => {
    const { code, output } = await typeChecks.vue;
    assert.equal(code, 0, output);
  });

  for (const app of APPS) {
    test(`${app}: create a key, copy it, use it, close the reveal, revoke it`, { timeout: FLOW_TIMEOUT_MS }, async () => {
      const { origin } = servers.get(app);
      const context = await browser.newContext();
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      const errors = [];
      page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
      page.on("pageerror", (error) => errors.push(error.message));
      try {
        const keyName = `${app} example key`;
        const element = page.locator("api-keys-settings");
        const lastEvent = page.locator("main > p[role=status]");
        await page.goto(origin);
        // Signed in through the app's getToken, the list (empty or not) shows.
        await element.locator("[part=empty], [part=table]").first().waitFor();

        await element.locator("[part=create-button]").first().click();
        await element.locator("#key-name").fill(keyName);
        await element.getByRole("button", { name: "Create key" }).click();
        const shown = (await element.locator("[part=secret] code").textContent()).trim();
        await lastEvent.filter({ hasText: `Created “${keyName}”` }).waitFor();

        await element.locator("[part=secret] [part=copy-button]").click();
        const copied = await clipboardText(page);
        assert.equal(copied, shown);
        assert.match(copied, KEY_PATTERN);
        assert.ok(hasValidChecksum(copied), "the copied key's checksum is valid");
        assert.equal(await whoamiStatus(worker.baseUrl, copied), 200);

        await element.locator("[part=stored-button]").click();
        await element.locator("dialog[open]").waitFor({ state: "detached" });
        assert.equal(await element.locator("[part=secret]").count(), 0, "the secret is gone from the page");

        const row = element.locator("[part=row]", { hasText: keyName });
        await row.getByRole("button", { name: `Revoke ${keyName}` }).click();
        await element.locator("[part=confirm-revoke-button]").click();
        await row.locator("[part=badge]", { hasText: "Revoked" }).waitFor();
        await lastEvent.filter({ hasText: `Revoked “${keyName}”` }).waitFor();
        assert.equal(await whoamiStatus(worker.baseUrl, copied), 401);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
});

/** The clipboard's text once the Copy button's write has landed. */
async function clipboardText(page) {
  const deadline = Date.now() + WAIT_MS;
  let text = "";
  while (Date.now() < deadline) {
    text = await page.evaluate(() => navigator.clipboard.readText());
    if (text) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return text;
}
