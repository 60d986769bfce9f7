import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Loads the row modules in `test/bench/rows/`, in file-name order, so later work (the
 * component's bundle size and render time) can add rows without touching the runner. Each
 * `*.mjs` file there exports `default async function (context) → { rows, notes? }`; a missing
 * folder or no files means no extra rows.
 *
 * @example
 * for (const { name, run } of await extraRowModules(benchDir)) sections.push(await run(context));
 */
export async function extraRowModules(benchDir) {
  const dir = join(benchDir, "rows");
  const files = (await readdir(dir).catch(() => [])).filter((file) => file.endsWith(".mjs")).sort();
  const modules = [];
  for (const file of files) {
    const module = await import(pathToFileURL(join(dir, file)).href);
    if (typeof module.default === "function") modules.push({ name: `rows/${file}`, run: module.default });
  }
  return modules;
}
