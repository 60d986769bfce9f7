// Builds <api-keys-settings>: one minified ES module (Lit included) into component/site/component/,
// where the local Worker serves it, and a copy into component/dist/assets/component/ for production; TypeScript declarations into component/dist/types; and the
// custom-elements.json manifest from the source. Prints the bundle's min+gzip size.
// `--bundle-only` skips the declarations and the manifest.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { BUDGET_BYTES, BUNDLE_FILE, PRODUCTION_BUNDLE_FILE, bundleOptions, bundleSize } from "./bundle.mjs";

const here = dirname(fileURLToPath(import.meta.url));

await build({ ...bundleOptions, logLevel: "warning" });
const { kb, withinBudget } = bundleSize();
console.log(`component: ${BUNDLE_FILE} ${kb.toFixed(1)} KB min+gzip (budget ${BUDGET_BYTES / 1024} KB)`);
if (!withinBudget) {
  console.error("component: over the size budget");
  process.exit(1);
}
// The production assets hold the element alone (the demo page is local development only).
mkdirSync(dirname(PRODUCTION_BUNDLE_FILE), { recursive: true });
copyFileSync(BUNDLE_FILE, PRODUCTION_BUNDLE_FILE);

if (!process.argv.includes("--bundle-only")) {
  execFileSync("tsc", ["-p", join(here, "tsconfig.json")], { stdio: "inherit" });
  execFileSync("cem", ["analyze", "--globs", "src/**/*.ts", "--outdir", "."], { cwd: here, stdio: "inherit" });
}
