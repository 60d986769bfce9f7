// Component tests in headless Chromium (CHROME_PATH, an installed Chrome or Chromium, else the one
// inside @sparticuz/chromium: see scripts/find-browser.mjs). Flow tests talk to a real Worker: this config
// starts `wrangler dev` (fresh local D1 and Durable Objects) before the run and stops it after,
// allowing the test page's origin in ALLOWED_ORIGINS. Its URL reaches the tests as
// `window.WORKER_URL`. The Worker's secrets for leak reports and the admin API are made here and
// stay in Node: tests ask the commands below to sign a report or set an org's policy.
import { createHmac, randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { esbuildPlugin } from "@web/dev-server-esbuild";
import { a11ySnapshotPlugin } from "@web/test-runner-commands/plugins";
import { chromeLauncher } from "@web/test-runner-chrome";
import { BROWSER_ARGS, describeBrowser, findBrowser } from "../../scripts/find-browser.mjs";
import { killAllDevServersNow, startDevServer, stopAllDevServers } from "../bench/lib/dev-server.mjs";
import { pageChecks } from "./page-checks.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PORT = 8765;
const pageOrigin = `http://localhost:${PORT}`;

const browser = await findBrowser({ log: (line) => console.log(line) });
console.log(`browser: ${describeBrowser(browser)}`);
/** LEAK_REPORT_HMAC_SECRET and ADMIN_API_TOKEN of this run's Worker: known to Node only. */
const leakSecret = randomBytes(32).toString("hex");
const adminToken = randomBytes(32).toString("hex");
const worker = await startDevServer(root, {
  tracing: false,
  vars: { ALLOWED_ORIGINS: pageOrigin, LEAK_REPORT_HMAC_SECRET: leakSecret, ADMIN_API_TOKEN: adminToken },
});
process.on("exit", killAllDevServersNow);

/** Paths of the test server that answer 503 for now ("fail-path"): a chunk that can't be fetched. */
const failing = new Set();

/**
 * A leak report from "our own reporter": the HMAC mode of POST /v1/leaks (README "Leak reports"),
 * signed over the timestamp, a dot and the exact body. Answers the status and the verdicts.
 */
async function reportLeak({ token, url }) {
  const body = JSON.stringify([{ token, type: "api_keys_edge_key", url, source: "content" }]);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", leakSecret).update(`${timestamp}.${body}`).digest("hex");
  const response = await fetch(`${worker.baseUrl}/v1/leaks`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Leak-Report-Timestamp": timestamp, "X-Leak-Report-Signature": `sha256=${signature}` },
    body,
  });
  return { status: response.status, body: await response.json() };
}

/** The org's leak policy through the admin API (`PUT /v1/admin/orgs/{orgId}/policy`): answers the status. */
async function setLeakPolicy({ orgId, leakPolicy }) {
  const response = await fetch(`${worker.baseUrl}/v1/admin/orgs/${encodeURIComponent(orgId)}/policy`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ leakPolicy }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** An org's whole policy document through the admin API (`PUT` replaces it): answers the status and the body. */
async function setOrgPolicy({ orgId, policy }) {
  const response = await fetch(`${worker.baseUrl}/v1/admin/orgs/${encodeURIComponent(orgId)}/policy`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(policy),
  });
  return { status: response.status, body: await response.json() };
}

/** @type {import("@web/test-runner").TestRunnerConfig} */
export default {
  rootDir: root,
  files: ["test/component/**/*.test.ts"],
  port: PORT,
  nodeResolve: true,
  concurrency: 1,
  testsFinishTimeout: 180_000,
  middleware: [
    // The parts' chunks are never reused from the browser's cache (the test runner marks every
    // file cacheable for a year, and sets that last; `Vary: *` outweighs it), so each test file's
    // page fetches them afresh, and can fail to, whatever the files before it opened.
    async (context, next) => {
      await next();
      if (context.path.startsWith("/component/src/lazy/")) context.set("Vary", "*");
    },
    // A webhook receiver on this machine (local development lets the Worker post to localhost):
    // /webhook-receiver/<status> answers that status to every delivery.
    (context, next) => {
      const receiver = /^\/webhook-receiver\/(\d{3})$/.exec(context.path);
      if (!receiver) return next();
      context.status = Number(receiver[1]);
      context.body = "";
      return undefined;
    },
    (context, next) => {
      if (!failing.has(context.path)) return next();
      context.status = 503;
      // The test runner marks every file it serves cacheable for a year, failures too: `Vary: *`
      // keeps the browser from reusing this answer once the path is served again.
      context.set("Vary", "*");
      context.body = "unavailable";
      return undefined;
    },
  ],
  plugins: [
    {
      // "report-leak" { token, url }: an HMAC-signed leak report; "set-leak-policy" { orgId, leakPolicy };
      // "set-org-policy" { orgId, policy }: the org's whole policy document.
      name: "leaks",
      executeCommand({ command, payload }) {
        if (command === "report-leak") return reportLeak(payload);
        if (command === "set-leak-policy") return setLeakPolicy(payload);
        if (command === "set-org-policy") return setOrgPolicy(payload);
        return undefined;
      },
    },
    // a11ySnapshot(): what a screen reader is given (policies-and-controls.test.ts: the live region while a modal dialog is open).
    a11ySnapshotPlugin(),
    {
      // "emulate-timezone" <IANA zone | null>: the test page's time zone (null: the machine's).
      name: "emulate-timezone",
      async executeCommand({ command, payload, session }) {
        if (command !== "emulate-timezone") return undefined;
        await session.browser.getPage(session.id).emulateTimezone(payload ?? undefined);
        return true;
      },
    },
    {
      // "fail-path" { path, fail }: the test server answers 503 for `path` (a part's chunk) until told otherwise.
      name: "fail-path",
      executeCommand({ command, payload }) {
        if (command !== "fail-path") return undefined;
        if (payload.fail) failing.add(payload.path);
        else failing.delete(payload.path);
        return true;
      },
    },
    esbuildPlugin({ ts: true, target: "es2022", tsconfig: path.join(root, "component/tsconfig.json") }),
    { name: "stop-worker", serverStop: () => stopAllDevServers() },
    // The Worker's own pages, opened by a second browser straight from wrangler dev (pages.test.ts).
    pageChecks({ executablePath: browser.executablePath, workerUrl: worker.baseUrl, pageOrigin }),
    {
      // An integration uses keys from a server, never from a browser: tests call the
      // key-protected API through this command, from Node.
      name: "use-key",
      // "use-key" answers the status; "whoami" the status and body; "use-key-burst" sends
      // `count` requests at once and answers their statuses (to run into the 10-per-second limit).
      async executeCommand({ command, payload }) {
        const whoami = (key) => fetch(`${worker.baseUrl}/api/whoami`, { headers: { "X-API-Key": key } });
        if (command === "use-key") return (await whoami(payload)).status;
        if (command === "whoami") {
          const response = await whoami(payload);
          return { status: response.status, body: await response.json() };
        }
        if (command === "use-key-burst") {
          return Promise.all(Array.from({ length: payload.count }, async () => (await whoami(payload.secret)).status));
        }
        return undefined;
      },
    },
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: browser.executablePath,
        headless: true,
        args: [...BROWSER_ARGS],
      },
    }),
  ],
  testFramework: { config: { timeout: 20_000 } },
  testRunnerHtml: (framework) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
    <script>window.WORKER_URL = ${JSON.stringify(worker.baseUrl)};</script>
    <script src="/node_modules/axe-core/axe.min.js"></script></head>
    <body><script type="module" src="${framework}"></script></body></html>`,
};
