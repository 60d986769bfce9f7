/**
 * A row of the bench table. `met` is false when the result misses its target, undefined when
 * the row has no pass/fail target.
 *
 * @typedef {{ measure: string, result: string, target: string, met?: boolean }} Row
 */

/**
 * Renders rows as a markdown table (`measure | result | target`), a result that misses its
 * target marked with ✗, followed by numbered notes.
 *
 * @example
 * renderTable([{ measure: "x", result: "1", target: "≤ 2", met: true }], ["how x was measured"]);
 */
export function renderTable(rows, notes = []) {
  const cell = (text) => String(text).replaceAll("|", "\\|").replaceAll("\n", " ");
  const lines = ["| measure | result | target |", "| --- | --- | --- |"];
  for (const row of rows) {
    const result = row.met === false ? `✗ ${row.result}` : row.result;
    lines.push(`| ${cell(row.measure)} | ${cell(result)} | ${cell(row.target)} |`);
  }
  if (notes.length > 0) lines.push("", ...notes.map((note, i) => `${i + 1}. ${note}`));
  return lines.join("\n");
}
