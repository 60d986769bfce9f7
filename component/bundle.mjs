// The one place that says how <api-keys-settings> is bundled: used by `npm run build:component`
// (build.mjs) and by the rebuild-on-save loop of `npm run dev` (scripts/dev.mjs).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the build writes the element: the module and its chunks (the Worker serves it as `/component/`). */
export const BUNDLE_DIR = join(here, "site", "component");
/** The module (`/component/api-keys-settings.js`). */
export const BUNDLE_FILE = join(BUNDLE_DIR, "api-keys-settings.js");
/** The chunks the module imports on demand: one per language besides English (content-hashed names). */
export const CHUNKS_DIR = join(BUNDLE_DIR, "chunks");
/** The production assets folder (wrangler.toml [env.production.assets]): the element only, no demo page. */
export const PRODUCTION_ASSETS_DIR = join(here, "dist", "assets");
/** The publishable package folder `npm run build:component` assembles (`npm pack` packs it). */
export const PACKAGE_DIR = join(here, "package");
/** The project's version: the element is also served, immutably cached, at /component/v{version}/. */
export const VERSION = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8")).version;
/** The versioned copy's folder under an assets folder (its module and chunks). */
export const VERSIONED_DIR = join("component", `v${VERSION}`);

/**
 * The budget of SPEC §7: 20 KB min+gzip, Lit included, for everything one page downloads: the
 * module (every feature, English included) plus the largest language chunk.
 */
export const BUDGET_BYTES = 20 * 1024;

/**
 * esbuild options for the element: one minified ES module with Lit included.
 *
 * @example
 * await esbuild.build(bundleOptions);
 */
export const bundleOptions = Object.freeze({
  entryPoints: { "api-keys-settings": join(here, "src", "index.ts") },
  outdir: BUNDLE_DIR,
  // The language catalogues are dynamic imports: each becomes chunks/<language>-<hash>.js.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  legalComments: "none",
  // Text as UTF-8 (a module script is always decoded as UTF-8), not \u escapes: smaller.
  charset: "utf8",
  sourcemap: false,
  logLevel: "silent",
});

/**
 * The element's files relative to BUNDLE_DIR: the module, then its chunks.
 *
 * @example
 * elementFiles(); // ["api-keys-settings.js", "chunks/de-7GQ2K3ZB.js", …]
 */
export function elementFiles() {
  const chunks = existsSync(CHUNKS_DIR) ? readdirSync(CHUNKS_DIR).filter((file) => file.endsWith(".js")).sort() : [];
  return ["api-keys-settings.js", ...chunks.map((file) => `chunks/${file}`)];
}

const gzipBytes = (file) => gzipSync(readFileSync(file), { level: 9 }).byteLength;

/**
 * The built element's size, min+gzip (level 9): the module, each chunk, and what one page
 * downloads at most (the module plus its largest chunk), which is what the budget holds.
 *
 * @example
 * const { kb, moduleBytes, withinBudget } = bundleSize();
 */
export function bundleSize() {
  const moduleBytes = gzipBytes(BUNDLE_FILE);
  const chunks = elementFiles().slice(1).map((file) => ({ file, bytes: gzipBytes(join(BUNDLE_DIR, file)) }));
  const largestChunk = Math.max(0, ...chunks.map((chunk) => chunk.bytes));
  const bytes = moduleBytes + largestChunk;
  return { bytes, kb: bytes / 1024, moduleBytes, chunks, withinBudget: bytes <= BUDGET_BYTES };
}
