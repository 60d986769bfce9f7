// README code that comes from the examples stays a copy of them. In the README, a fenced block
// right after `<!-- snippet: examples/react/src/App.tsx#readme-react -->` must equal the region
// `readme-react` of that file: the lines between its `#region readme-react` and `#endregion`
// comment lines (`// #region …` in code, `<!-- #region … -->` in HTML and Vue files), with their
// common indentation removed. Every marker present is checked; a README without markers passes.
// Run it alone with `node test/examples/readme-snippets.mjs [file.md]` (default: README.md).
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MARKER = /^<!--\s*snippet:\s*(\S+?)#(\S+)\s*-->\s*$/;
const FENCE = /^(`{3,}|~{3,})/;

/**
 * The problems of every snippet marker in `markdown` (an empty list when all match), and how many
 * markers it has. Paths in markers are relative to `base` (the repository root).
 *
 * @example
 * const { problems, count } = await snippetProblems(await readFile("README.md", "utf8"));
 */
export async function snippetProblems(markdown, base = root) {
  const lines = markdown.split("\n");
  const problems = [];
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const marker = lines[i].trim().match(MARKER);
    if (!marker) continue;
    count++;
    const [, file, region] = marker;
    const where = `line ${i + 1} (${file}#${region})`;
    const block = fencedBlockAfter(lines, i + 1);
    if (block === undefined) {
      problems.push(`${where}: no fenced code block follows the marker`);
      continue;
    }
    let source;
    try {
      source = await readFile(join(base, file), "utf8");
    } catch {
      problems.push(`${where}: ${file} does not exist`);
      continue;
    }
    const expected = regionOf(source, region);
    if (typeof expected !== "string") problems.push(`${where}: ${expected.problem}`);
    else if (block !== expected) problems.push(`${where}: the README block differs from the file's region:\n${firstDifference(block, expected)}`);
  }
  return { problems, count };
}

/** The code of the fenced block starting at the first non-blank line from `start`, if any. */
function fencedBlockAfter(lines, start) {
  let i = start;
  while (i < lines.length && lines[i].trim() === "") i++;
  const open = lines[i]?.match(FENCE);
  if (!open) return undefined;
  const body = [];
  for (i++; i < lines.length; i++) {
    if (lines[i].trimEnd() === open[1]) return body.join("\n");
    body.push(lines[i]);
  }
  return undefined;
}

/** The named region's lines, dedented, or `{ problem }`. */
function regionOf(source, name) {
  const lines = source.split("\n");
  const start = lines.findIndex((line) => new RegExp(`#region\\s+${escapeRegExp(name)}(\\s|-->|$)`).test(line));
  if (start === -1) return { problem: `no "#region ${name}" in the file` };
  const end = lines.findIndex((line, i) => i > start && /#endregion\b/.test(line));
  if (end === -1) return { problem: `"#region ${name}" has no #endregion` };
  const body = lines.slice(start + 1, end);
  if (body.some((line) => /#region\b/.test(line))) return { problem: `"#region ${name}" contains another region (not supported)` };
  return dedent(body).join("\n");
}

function dedent(lines) {
  const indents = lines.filter((line) => line.trim() !== "").map((line) => line.match(/^[ \t]*/)[0].length);
  const cut = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(cut));
}

function firstDifference(actual, expected) {
  const a = actual.split("\n");
  const e = expected.split("\n");
  for (let i = 0; i < Math.max(a.length, e.length); i++) {
    if (a[i] !== e[i]) return `  README: ${JSON.stringify(a[i] ?? "(end)")}\n  file:   ${JSON.stringify(e[i] ?? "(end)")}`;
  }
  return "";
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2] ?? join(root, "README.md");
  const { problems, count } = await snippetProblems(await readFile(file, "utf8"));
  for (const problem of problems) console.error(problem);
  console.log(`${file}: ${count} snippet${count === 1 ? "" : "s"}, ${problems.length} not matching the examples`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
