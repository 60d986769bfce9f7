/**
 * The median of a list of numbers (the mean of the middle two for an even count).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * How many responses had each status, as `{ 200: n, 429: m, … }`.
 *
 * @example
 * countStatuses([{ status: 200 }, { status: 429 }]); // { 200: 1, 429: 1 }
 */
export function countStatuses(results) {
  const counts = {};
  for (const { status } of results) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * Describes status counts as `10 × 200, 190 × 429`, biggest first, with `0 other` when only the
 * `expected` statuses occurred.
 *
 * @example
 * describeStatuses({ 200: 10, 429: 190 }, [200, 429]); // "10 × 200, 190 × 429, 0 other"
 */
export function describeStatuses(counts, expected) {
  const parts = expected.map((status) => `${counts[status] ?? 0} × ${status}`);
  const others = Object.entries(counts).filter(([status]) => !expected.includes(Number(status)));
  if (others.length === 0) parts.push("0 other");
  for (const [status, n] of others) parts.push(`${n} × ${status === "0" ? "network error" : status}`);
  return parts.join(", ");
}

/** Formats milliseconds with a sensible precision. */
export function ms(value) {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

/**
 * The `p`-th percentile (0–100) of a list of numbers, nearest rank.
 *
 * @example
 * percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95); // 10
 */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
