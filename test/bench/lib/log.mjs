const started = performance.now();

/**
 * Prints a progress line to stderr (stdout carries only the table), prefixed with the seconds
 * since the bench started.
 *
 * @example
 * log("paced load: 42 s left");
 */
export function log(message) {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * await sleep(250);
 */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
