// Server commands for pages.test.ts: they look at the Worker's own pages (the demo page, /docs)
// as a visitor's browser does. The element tests' page lives on another origin and cannot read
// those pages, so a second Chromium, driven by playwright-core from Node, opens them straight
// from the `wrangler dev` this run started.
import { chromium } from "playwright-core";
import { BROWSER_ARGS } from "../../scripts/find-browser.mjs";

const FRAME_PAGE = "/__frame-check.html";
const WAIT_MS = 15_000;

/**
 * A web-test-runner plugin with three commands, each in a fresh browser context:
 * - `visit-page` `{ path, demoFlow }`: loads the page and reports every `securitypolicyviolation`,
 *   console error and same-origin response (status and security headers); with `demoFlow` it also
 *   waits for the element's list, creates a key through the UI and switches user and theme
 *   (`flowError` says which step failed).
 * - `inject-into-page` `{ path }`: what an injected inline script and an image from another
 *   origin run into: whether the script ran, and the violations reported.
 * - `frame-from-other-origin` `{ path }`: a page of the test server (another origin) frames the
 *   path; reports whether the frame loaded it.
 *
 * @example
 * plugins: [pageChecks({ executablePath, workerUrl: worker.baseUrl, pageOrigin })]
 */
export function pageChecks({ executablePath, workerUrl, pageOrigin }) {
  let launched;
  const browser = () => (launched ??= chromium.launch({ executablePath, args: [...BROWSER_ARGS] }));
  const commands = new Map([
    ["visit-page", (payload) => withPage(browser, (page) => visitPage(page, workerUrl, payload))],
    ["inject-into-page", (payload) => withPage(browser, (page) => injectIntoPage(page, workerUrl, payload))],
    ["frame-from-other-origin", (payload) => withPage(browser, (page) => frameFromOtherOrigin(page, workerUrl, pageOrigin, payload))],
  ]);
  return {
    name: "page-checks",
    serve(context) {
      if (context.path !== FRAME_PAGE) return undefined;
      const target = workerUrl + new URLSearchParams(context.querystring).get("path");
      return { body: `<!doctype html><title>framer</title><iframe src="${target.replace(/[&"<>]/g, "")}"></iframe>`, type: "html" };
    },
    async executeCommand({ command, payload }) {
      // Any other command belongs to another plugin.
      return commands.get(command)?.(payload);
    },
    async serverStop() {
      if (launched) await (await launched).close();
    },
  };
}

async function withPage(browser, use) {
  const context = await (await browser()).newContext();
  try {
    await context.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.effectiveDirective} ${e.blockedURI}`), true);
    });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const consoleErrors = [];
    page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    const result = await use(page);
    return { ...result, consoleErrors };
  } finally {
    await context.close();
  }
}

async function visitPage(page, workerUrl, { path, demoFlow = false }) {
  const responses = [];
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (url.origin !== workerUrl) return;
    const headers = response.headers();
    responses.push({
      path: url.pathname,
      status: response.status(),
      csp: headers["content-security-policy"] ?? null,
      nosniff: headers["x-content-type-options"] ?? null,
      referrerPolicy: headers["referrer-policy"] ?? null,
    });
  });
  await page.goto(workerUrl + path);
  // A failed step is reported next to the violations, which usually say why it failed.
  const flow = demoFlow ? await runDemoFlow(page).catch((error) => ({ flowError: error.message.split("\n")[0] })) : {};
  await page.waitForLoadState("networkidle");
  // A value only the page's own stylesheet sets: the docs' layout width (92rem), else the body's.
  const styleProbe = await page.evaluate(() => getComputedStyle(document.querySelector(".layout") ?? document.body).maxWidth);
  return { ...flow, responses, styleProbe, violations: await page.evaluate(() => window.__violations) };
}

/**
 * demo.js signs the saved (or first) demo user in by itself; from there, the element's main
 * flow as a user runs it, then a theme and a user switch.
 */
async function runDemoFlow(page) {
  const element = page.locator("api-keys-settings");
  const list = element.locator("[part=empty], [part=table]").first();
  await list.waitFor();
  await element.locator("button", { hasText: "New API key" }).first().click();
  await element.locator("#key-name").fill("CSP check");
  await element.locator("button", { hasText: "Create key" }).click();
  const secret = (await element.locator("[part=secret] code").textContent()) ?? "";
  await element.locator("button", { hasText: "I have stored it" }).click();
  await element.locator("[part=row]").first().waitFor();
  const rowNames = await element.locator("[part=row] strong").allTextContents();
  await page.selectOption("#demo-theme", "dark");
  await page.selectOption("#demo-user", "member");
  await list.waitFor();
  return { secretShown: secret.length > 0, rowNames };
}

async function injectIntoPage(page, workerUrl, { path }) {
  await page.goto(workerUrl + path);
  return page.evaluate(async () => {
    let scriptError = null;
    try {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.head.append(script);
    } catch (error) {
      scriptError = error.message;
    }
    const image = new Image();
    image.src = "https://elsewhere.invalid/pixel.png";
    document.body.append(image);
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { scriptRan: window.__injected === true, scriptError, violations: window.__violations };
  });
}

async function frameFromOtherOrigin(page, workerUrl, pageOrigin, { path }) {
  const blocked = [];
  page.on("requestfailed", (request) => blocked.push(`${new URL(request.url()).pathname} ${request.failure()?.errorText}`));
  await page.goto(`${pageOrigin}${FRAME_PAGE}?path=${encodeURIComponent(path)}`);
  const frame = await (await page.locator("iframe").elementHandle()).contentFrame();
  await frame.waitForLoadState("load");
  return { frameUrl: frame.url(), loaded: frame.url() === workerUrl + path, blocked };
}
