// Finds a Chromium-family browser for the element tests and the bench, without downloading
// anything: CHROME_PATH, then an installed Chrome or Chromium, then the Chromium shipped inside the
// @sparticuz/chromium npm package (Linux x64), extracted once into node_modules/.cache.
// Run it directly (`npm run browser`) to see which one this machine would use.
import { execFile } from "node:child_process";
import { access, constants, mkdir, readFile, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const VERSION_TIMEOUT_MS = 15_000;

/**
 * Flags every launch uses: headless, no sandbox (CI and containers run as root), and none of the
 * background traffic to Google that a closed network refuses.
 */
export const BROWSER_ARGS = Object.freeze([
  "--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]);

/** Where Chrome and Chromium usually live, in the order they are tried. */
export function installedCandidates(platform = process.platform, home = homedir()) {
  if (platform === "darwin") {
    const apps = ["Google Chrome.app/Contents/MacOS/Google Chrome", "Chromium.app/Contents/MacOS/Chromium",
      "Google Chrome for Testing.app/Contents/MacOS/Google Chrome for Testing"];
    return [...apps.map((app) => join("/Applications", app)), ...apps.map((app) => join(home, "Applications", app))];
  }
  if (platform === "linux") {
    return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable",
      "/opt/google/chrome/chrome", "/snap/bin/chromium", "/usr/local/bin/chromium", "/usr/local/bin/google-chrome"];
  }
  return [];
}

/**
 * The browser to launch: `{ executablePath, version, source }`, where `source` says how it was
 * found (`CHROME_PATH`, `installed`, `@sparticuz/chromium`). A candidate counts only if it runs
 * and prints its version (Ubuntu's `/usr/bin/chromium-browser` without the snap, for example,
 * is a stub that does not). Throws with the ways out when nothing is usable.
 *
 * @example
 * const browser = await findBrowser();
 * await chromium.launch({ executablePath: browser.executablePath, args: [...BROWSER_ARGS] });
 */
export async function findBrowser({ env = process.env, log = () => {} } = {}) {
  if (env.CHROME_PATH) {
    const version = await versionOf(env.CHROME_PATH);
    if (!version) throw new Error(`CHROME_PATH=${env.CHROME_PATH} does not run (\`${env.CHROME_PATH} --version\` failed). Unset it to let the tests find a browser.`);
    return { executablePath: env.CHROME_PATH, version, source: "CHROME_PATH" };
  }
  for (const candidate of installedCandidates()) {
    if (!(await isExecutable(candidate))) continue;
    const version = await versionOf(candidate);
    if (version) return { executablePath: candidate, version, source: "installed" };
    log(`browser: skipping ${candidate} (it does not run)`);
  }
  const packaged = await packagedChromium(log);
  if (packaged) return packaged;
  throw new Error(
    "No browser for the element tests. Install Chrome or Chromium, or set CHROME_PATH to one " +
      `(the packaged Chromium of @sparticuz/chromium covers Linux x64 only; this is ${process.platform} ${process.arch}).`,
  );
}

/** A one-line description for logs: "Chromium 153.0.8010.0 (@sparticuz/chromium: /path)". */
export function describeBrowser(browser) {
  return `${browser.version} (${browser.source}: ${browser.executablePath})`;
}

/**
 * The Chromium inside @sparticuz/chromium, extracted once per package version into
 * node_modules/.cache. Extraction goes to a private folder first and is renamed into place, so
 * an interrupted or concurrent extraction never leaves a half-written browser behind.
 */
async function packagedChromium(log) {
  if (process.platform !== "linux" || process.arch !== "x64") return undefined;
  let packageVersion;
  try {
    const manifest = join(root, "node_modules", "@sparticuz", "chromium", "package.json");
    packageVersion = JSON.parse(await readFile(manifest, "utf8")).version;
  } catch {
    return undefined;
  }
  const cacheDir = join(root, "node_modules", ".cache", `sparticuz-chromium-${packageVersion}`);
  const executablePath = join(cacheDir, "chromium");
  let version = (await isExecutable(executablePath)) ? await versionOf(executablePath) : undefined;
  if (!version) {
    log(`browser: extracting @sparticuz/chromium ${packageVersion} into ${cacheDir}`);
    await extractInto(cacheDir);
    version = await versionOf(executablePath);
    if (!version) throw new Error(`The Chromium of @sparticuz/chromium ${packageVersion} does not run here; \`ldd ${executablePath}\` shows the missing libraries.`);
  }
  return { executablePath, version, source: "@sparticuz/chromium" };
}

async function extractInto(cacheDir) {
  const staging = `${cacheDir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  // The package extracts into os.tmpdir(), which Node reads from TMPDIR on every call.
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  try {
    const { default: Chromium } = await import("@sparticuz/chromium");
    await Chromium.executablePath();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  await rm(cacheDir, { recursive: true, force: true });
  try {
    await rename(staging, cacheDir);
  } catch (error) {
    // Another process renamed its copy into place first: use that one.
    await rm(staging, { recursive: true, force: true });
    if (!(await isExecutable(join(cacheDir, "chromium")))) throw error;
  }
}

async function isExecutable(path) {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function versionOf(executablePath) {
  try {
    const { stdout } = await run(executablePath, ["--version"], { timeout: VERSION_TIMEOUT_MS });
    const version = stdout.trim().split("\n").pop()?.trim();
    return version && /\d+\.\d+/.test(version) ? version : undefined;
  } catch {
    return undefined;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  try {
    const browser = await findBrowser({ log: (line) => console.error(line) });
    console.log(describeBrowser(browser));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
