// The one place that says how <api-keys-settings> is bundled: used by `npm run build:component`
// (build.mjs) and by the rebuild-on-save loop of `npm run dev` (scripts/dev.mjs).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the Worker serves the module from (`/component/api-keys-settings.js`). */
export const BUNDLE_FILE = join(here, "site", "component", "api-keys-settings.js");
/** The production assets folder (wrangler.toml [env.production.assets]): the element only, no demo page. */
export const PRODUCTION_ASSETS_DIR = join(here, "dist", "assets");
/** The publishable package folder `npm run build:component` assembles (`npm pack` packs it). */
export const PACKAGE_DIR = join(here, "package");
/** The project's version: the element is also served, immutably cached, at /component/v{version}/. */
export const VERSION = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")).version;
/** The versioned copy's path under an assets folder. */
export const VERSIONED_BUNDLE_PATH = join("component", `v${VERSION}`, "api-keys-settings.js");
/** Where the build copies the bundle for production. */
export const PRODUCTION_BUNDLE_FILE = join(PRODUCTION_ASSETS_DIR, "component", "api-keys-settings.js");

/** The budget of SPEC §7: 20 KB min+gzip, Lit included. */
export const BUDGET_BYTES = 20 * 1024;

/**
 * esbuild options for the element: one minified ES module with Lit included.
 *
 * @example
 * await esbuild.build(bundleOptions);
 */
export const bundleOptions = Object.freeze({
  entryPoints: [join(here, "src", "index.ts")],
  outfile: BUNDLE_FILE,
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  legalComments: "none",
  sourcemap: false,
  logLevel: "silent",
});

/**
 * The built module's size, min+gzip (level 9), and whether it is within the budget.
 *
 * @example
 * const { kb, withinBudget } = bundleSize();
 */
export function bundleSize() {
  const bytes = gzipSync(readFileSync(BUNDLE_FILE), { level: 9 }).byteLength;
  return { bytes, kb: bytes / 1024, withinBudget: bytes <= BUDGET_BYTES };
}
