// Builds <api-keys-settings>: one minified ES module (Lit included) and its chunks (each language's
// words, the parts fetched on demand and the code they share) into component/site/component/, where
// the local Worker serves it, and a copy into component/dist/assets/component/ for production;
// TypeScript declarations into component/dist/types; and the custom-elements.json manifest from the
// source. Prints the min+gzip size of the first render and of each part, and fails over budget.
// `--bundle-only` skips the declarations and the manifest.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import {
  BUNDLE_DIR, CHUNKS_DIR, PACKAGE_DIR, PRODUCTION_ASSETS_DIR, VERSIONED_DIR, bundleOptions, bundleSize, elementFiles, sizeReport,
} from "./bundle.mjs";

const here = dirname(fileURLToPath(import.meta.url));

rmSync(CHUNKS_DIR, { recursive: true, force: true }); // chunk names change with their content
await build({ ...bundleOptions, logLevel: "warning" });
const size = bundleSize();
console.log(sizeReport(size));
if (!size.withinBudget) {
  console.error("component: over the size budget");
  process.exit(1);
}
// The production assets hold the element alone (the demo page is local development only), at its
// moving URL and at its versioned one (/component/v{version}/, cached immutably); so do the local ones.
rmSync(PRODUCTION_ASSETS_DIR, { recursive: true, force: true });
rmSync(join(here, "site", VERSIONED_DIR), { recursive: true, force: true });
copyElement(join(PRODUCTION_ASSETS_DIR, "component"));
copyElement(join(PRODUCTION_ASSETS_DIR, VERSIONED_DIR));
copyElement(join(here, "site", VERSIONED_DIR));

if (!process.argv.includes("--bundle-only")) {
  execFileSync("tsc", ["-p", join(here, "tsconfig.json")], { stdio: "inherit" });
  execFileSync("cem", ["analyze", "--globs", "src/**/*.ts", "--outdir", "."], { cwd: here, stdio: "inherit" });
  assemblePackage();
}

/** Copies the module and its chunks into a folder, keeping their relative paths. */
function copyElement(folder) {
  for (const file of elementFiles()) {
    mkdirSync(dirname(join(folder, file)), { recursive: true });
    copyFileSync(join(BUNDLE_DIR, file), join(folder, file));
  }
}

/**
 * component/package/: the installable package (`npm pack component/package`): the bundled module,
 * its declarations, React 19 and Vue 3 typings, the manifest and a README. Its version is the
 * project's; Lit is bundled in, and a dependency only for the declarations' types.
 */
function assemblePackage() {
  const root = JSON.parse(readFileSync(join(here, "..", "package.json"), "utf8"));
  rmSync(PACKAGE_DIR, { recursive: true, force: true });
  mkdirSync(PACKAGE_DIR, { recursive: true });
  copyElement(PACKAGE_DIR);
  cpSync(join(here, "dist", "types"), join(PACKAGE_DIR, "types"), { recursive: true });
  copyFileSync(join(here, "custom-elements.json"), join(PACKAGE_DIR, "custom-elements.json"));
  writeFileSync(join(PACKAGE_DIR, "typings.js"), "// The ./react and ./vue entry points are typings only: nothing runs.\nexport {};\n");
  for (const file of ["README.md", "props.d.ts", "react.d.ts", "vue.d.ts"]) copyFileSync(join(here, "package-files", file), join(PACKAGE_DIR, file));
  const manifest = {
    name: "api-keys-settings",
    version: root.version,
    description: "<api-keys-settings>: a drop-in settings page for your users' API keys (list, create, copy once, revoke, rotate).",
    license: root.license,
    type: "module",
    main: "./api-keys-settings.js",
    module: "./api-keys-settings.js",
    types: "./types/index.d.ts",
    exports: {
      ".": { types: "./types/index.d.ts", import: "./api-keys-settings.js" },
      // Typings; at run time an empty module, so `import "api-keys-settings/react"` also works in a bundler.
      "./react": { types: "./react.d.ts", default: "./typings.js" },
      "./vue": { types: "./vue.d.ts", default: "./typings.js" },
      "./custom-elements.json": "./custom-elements.json",
    },
    customElements: "./custom-elements.json",
    sideEffects: ["./api-keys-settings.js"],
    files: ["api-keys-settings.js", "chunks", "types", "props.d.ts", "react.d.ts", "vue.d.ts", "typings.js", "custom-elements.json", "README.md"],
    dependencies: { lit: root.dependencies.lit },
    peerDependencies: { "@types/react": ">=19", vue: ">=3.3" },
    peerDependenciesMeta: { "@types/react": { optional: true }, vue: { optional: true } },
  };
  writeFileSync(join(PACKAGE_DIR, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`component: package assembled in ${PACKAGE_DIR} (${manifest.name}@${manifest.version})`);
}
