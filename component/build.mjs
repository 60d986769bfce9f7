// Builds <api-keys-settings>: one minified ES module (Lit included) into component/site/component/,
// where the Worker serves it; TypeScript declarations into component/dist/types; and the
// custom-elements.json manifest from the source. Prints the bundle's min+gzip size.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "site", "component", "api-keys-settings.js");
/** The budget of SPEC §7: 20 KB min+gzip, Lit included. */
const BUDGET_BYTES = 20 * 1024;

await build({
  entryPoints: [join(here, "src", "index.ts")],
  outfile,
  bundle: true,
  format: "esm",
  minify: true,
  target: "es2022",
  legalComments: "none",
  sourcemap: false,
});
const gzipped = gzipSync(readFileSync(outfile), { level: 9 }).byteLength;
console.log(`component: ${outfile} ${(gzipped / 1024).toFixed(1)} KB min+gzip (budget ${BUDGET_BYTES / 1024} KB)`);
if (gzipped > BUDGET_BYTES) {
  console.error("component: over the size budget");
  process.exit(1);
}

if (!process.argv.includes("--bundle-only")) {
  execFileSync("tsc", ["-p", join(here, "tsconfig.json")], { stdio: "inherit" });
  execFileSync("cem", ["analyze", "--globs", "src/**/*.ts", "--outdir", "."], { cwd: here, stdio: "inherit" });
}
