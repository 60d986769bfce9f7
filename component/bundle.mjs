// The one place that says how <api-keys-settings> is bundled: used by `npm run build:component`
// (build.mjs) and by the rebuild-on-save loop of `npm run dev` (scripts/dev.mjs).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));

/** Where the build writes the element: the module and its chunks (the Worker serves it as `/component/`). */
export const BUNDLE_DIR = join(here, "site", "component");
/** The module's chunks (content-hashed names): the languages' words, the parts fetched on demand, and the code they share. */
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
 * The budget of SPEC §7: 20 KB min+gzip, Lit included, for everything a page downloads before the
 * element's first render: the module, the chunks it imports statically (code it shares with the
 * parts fetched on demand) and its language's words (the largest language counts).
 */
export const BUDGET_BYTES = 20 * 1024;
/**
 * Each part fetched on demand (a dialog, the webhooks section), min+gzip: its chunk, the shared
 * chunks it needs beyond the first render's, and its words in the largest language.
 */
export const PART_BUDGET_BYTES = 12 * 1024;

/**
 * esbuild options for the element: one minified ES module with Lit included, and chunks for what
 * it fetches on demand: each language's words (`chunks/<language>-<hash>.js`), each part that is
 * not needed for the first render (`component/src/lazy/<part>.ts` → `chunks/<part>-<hash>.js`)
 * with its words (`chunks/<language>-<part words>-<hash>.js`), and the code they share
 * (`chunks/chunk-<hash>.js`).
 *
 * @example
 * await esbuild.build(bundleOptions);
 */
export const bundleOptions = Object.freeze({
  entryPoints: { "api-keys-settings": join(here, "src", "index.ts") },
  outdir: BUNDLE_DIR,
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
 * elementFiles(); // ["api-keys-settings.js", "chunks/chunk-7DCKI63P.js", "chunks/de-7GQ2K3ZB.js", …]
 */
export function elementFiles(dir = BUNDLE_DIR) {
  const chunksDir = join(dir, "chunks");
  const chunks = existsSync(chunksDir) ? readdirSync(chunksDir).filter((file) => file.endsWith(".js")).sort() : [];
  return ["api-keys-settings.js", ...chunks.map((file) => `chunks/${file}`)];
}

const gzipBytes = (file) => gzipSync(readFileSync(file), { level: 9 }).byteLength;
/** A language's words for the first render: `chunks/de-<hash>.js`. */
const FIRST_WORDS = /^chunks\/[a-z]{2}-[A-Z0-9]+\.js$/;
/** A language's words of a part: `chunks/de-dialogs-<hash>.js`. */
const PART_WORDS = /^chunks\/[a-z]{2}-[a-z]+-[A-Z0-9]+\.js$/;

/**
 * What each built file imports, as esbuild writes it: statically (`from"./x.js"`, `import"./x.js"`)
 * and on demand (`import("./x.js")`), as paths relative to the bundle folder.
 */
function importGraph(dir, files) {
  const graph = new Map();
  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    const resolve = (specifier) => posix.normalize(posix.join(posix.dirname(file), specifier));
    graph.set(file, {
      static: [...text.matchAll(/(?:\bfrom|\bimport)\s*"(\.\.?\/[^"]+)"/g)].map((m) => resolve(m[1])),
      dynamic: [...text.matchAll(/\bimport\(\s*"(\.\.?\/[^"]+)"\s*\)/g)].map((m) => resolve(m[1])),
    });
  }
  return graph;
}

/** `roots` and every file they import statically, transitively. */
function staticClosure(graph, roots) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !graph.has(file)) return;
    seen.add(file);
    for (const next of graph.get(file).static) visit(next);
  };
  roots.forEach(visit);
  return seen;
}

/**
 * The built element's sizes, min+gzip (level 9), from its files and the imports between them:
 *
 * - `firstRender`: what a page downloads before the element renders: the module, its static
 *   chunks and the largest language's words (`language`), which `BUDGET_BYTES` holds;
 * - `parts`: each part fetched on demand (`name`, e.g. "key-forms"): its chunk, the static chunks
 *   it needs beyond the first render's, and its largest language's words, each held by
 *   `PART_BUDGET_BYTES`;
 * - `moduleBytes`, every file's `chunks` size and the `total` of all files.
 *
 * @example
 * const { firstRender, parts, withinBudget } = bundleSize();
 */
export function bundleSize(dir = BUNDLE_DIR) {
  const files = elementFiles(dir);
  const size = new Map(files.map((file) => [file, gzipBytes(join(dir, file))]));
  const sum = (list) => [...list].reduce((total, file) => total + size.get(file), 0);
  const graph = importGraph(dir, files);
  const entry = staticClosure(graph, [files[0]]);
  const onDemand = [...new Set([...entry].flatMap((file) => graph.get(file).dynamic))];
  const largest = (candidates, outside) =>
    candidates.map((file) => ({ file, bytes: sum([...staticClosure(graph, [file])].filter((f) => !outside.has(f))) })).reduce((a, b) => (b.bytes > a.bytes ? b : a), { file: null, bytes: 0 });
  const words = largest(onDemand.filter((file) => FIRST_WORDS.test(file)), entry);
  const firstBytes = sum(entry) + words.bytes;
  const loaded = new Set([...entry, ...(words.file ? staticClosure(graph, [words.file]) : [])]);
  const parts = onDemand
    .filter((file) => !FIRST_WORDS.test(file) && !PART_WORDS.test(file))
    .map((file) => {
      const own = [...staticClosure(graph, [file])].filter((f) => !loaded.has(f));
      const partWords = largest([...new Set(own.flatMap((f) => graph.get(f).dynamic))].filter((f) => PART_WORDS.test(f)), loaded);
      const bytes = sum(own) + partWords.bytes;
      return { name: file.replace(/^chunks\/|-[A-Z0-9]+\.js$/g, ""), file, bytes, words: partWords.file, withinBudget: bytes <= PART_BUDGET_BYTES };
    });
  const chunks = files.slice(1).map((file) => ({ file, bytes: size.get(file) }));
  return {
    bytes: firstBytes,
    kb: firstBytes / 1024,
    firstRender: { bytes: firstBytes, files: [...entry], language: words.file },
    parts,
    moduleBytes: size.get(files[0]),
    chunks,
    total: sum(files),
    withinBudget: firstBytes <= BUDGET_BYTES && parts.every((part) => part.withinBudget),
  };
}

/**
 * The size report `npm run build:component` prints: the first render against its budget, then
 * each part fetched on demand against its own.
 *
 * @example
 * console.log(sizeReport(bundleSize()));
 */
export function sizeReport(size) {
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const { firstRender } = size;
  const language = size.chunks.find((chunk) => chunk.file === firstRender.language);
  const lines = [
    `component: first render ${kb(firstRender.bytes)} min+gzip (budget ${kb(BUDGET_BYTES)}): the module ${kb(size.moduleBytes)}, ` +
      `${firstRender.files.length - 1} chunk(s) it imports ${kb(firstRender.bytes - size.moduleBytes - (language?.bytes ?? 0))}, ` +
      `the largest language ${kb(language?.bytes ?? 0)} (${firstRender.language ?? "none"})`,
    ...size.parts.map((part) => `component: on demand, ${part.name}: ${kb(part.bytes)} with its words (budget ${kb(PART_BUDGET_BYTES)})${part.withinBudget ? "" : ": over"}`),
    `component: all ${size.chunks.length + 1} files ${kb(size.total)}`,
  ];
  return lines.join("\n");
}
