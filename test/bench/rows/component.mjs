import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { BROWSER_ARGS, describeBrowser, findBrowser } from "../../../scripts/find-browser.mjs";

const RUNS = 7;
const KEYS = 1000;
const BUDGET_KB = 20;

/**
 * Two rows for `<api-keys-settings>`: the bundle's min+gzip size, and the median time to render
 * 1,000 keys in headless Chromium (the one `scripts/find-browser.mjs` picks) (the list response is served from memory so the figure
 * is rendering alone, not the network).
 *
 * @param {{ root: string, baseUrl: string, log: (message: string) => void }} context
 */
export default async function componentRows({ root, baseUrl, log }) {
  log("component: building the bundle");
  execFileSync(process.execPath, [join(root, "component/build.mjs"), "--bundle-only"], { cwd: root, stdio: "ignore" });
  const bundle = readFileSync(join(root, "component/site/component/api-keys-settings.js"));
  const kb = gzipSync(bundle, { level: 9 }).byteLength / 1024;

  log(`component: rendering ${KEYS} keys in Chromium, ${RUNS} runs`);
  const browser = await findBrowser({ log });
  log(`component: browser ${describeBrowser(browser)}`);
  const times = await renderTimes(baseUrl, browser.executablePath);
  const median = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  return {
    rows: [
      { measure: "component bundle, Lit included (min+gzip)", result: `${kb.toFixed(1)} KB (${(bundle.byteLength / 1024).toFixed(1)} KB minified)`, target: `≤ ${BUDGET_KB} KB`, met: kb <= BUDGET_KB },
      { measure: `render ${KEYS.toLocaleString("en")} keys in headless Chromium (median of ${RUNS})`, result: `${median.toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(", ")})` , target: "reported" },
    ],
    notes: [
      `Component render (${browser.version}): the built module loaded from the local Worker; time from appending <api-keys-settings> with a token until ${KEYS} rows are rendered and the next frame has been painted (layout included), the list response answered from memory; headless Chromium with --disable-gpu (software rendering), so layout dominates; gzip level 9.`,
    ],
  };
}

async function renderTimes(baseUrl, executablePath) {
  const browser = await chromium.launch({ executablePath, args: [...BROWSER_ARGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${baseUrl}/`);
    const times = [];
    for (let run = 0; run < RUNS; run++) times.push(await page.evaluate(renderOnce, KEYS));
    return times;
  } finally {
    await browser.close();
  }
}

/** Runs in the page: answers the list from memory, mounts a fresh element, waits for the rows. */
async function renderOnce(count) {
  await customElements.whenDefined("api-keys-settings");
  const now = Date.now();
  const keys = Array.from({ length: count }, (_, i) => ({
    id: `bench${String(i).padStart(11, "0")}`, name: `Integration ${i}`, hint: "ak_live_AbCd…wXyZ",
    createdAt: new Date(now - i * 3_600_000).toISOString(), createdBy: { id: "u", name: "Bench" },
    lastUsedAt: i % 3 ? new Date(now - i * 60_000).toISOString() : null, expiresAt: i % 2 ? new Date(now + 86_400_000 * 30).toISOString() : null,
    revokedAt: null, status: "active", scopes: null, rotatedFromId: null, rotatedToId: null,
  }));
  const body = JSON.stringify({ keys, nextCursor: null });
  const realFetch = window.fetch;
  window.fetch = async () => new Response(body, { headers: { "Content-Type": "application/json" } });
  document.querySelectorAll("api-keys-settings").forEach((el) => el.remove());
  const start = performance.now();
  const el = document.createElement("api-keys-settings");
  el.token = "bench";
  document.body.append(el);
  while (el.shadowRoot?.querySelectorAll("[part=row]").length !== count) await new Promise((r) => setTimeout(r, 0));
  // Until the rows have been laid out and painted: the next frame, then the task after it.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const elapsed = performance.now() - start;
  window.fetch = realFetch;
  el.remove();
  return elapsed;
}
