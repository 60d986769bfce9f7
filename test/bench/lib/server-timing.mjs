/**
 * Reads a `Server-Timing` header into `{ name: milliseconds }`: the local-development entry adds
 * one to every `/api/*` response (`tag`, `digest`, `object`, `total`; worker/http/server-timing.ts).
 * An absent header or entry without `dur` reads as nothing.
 *
 * @example
 * parseServerTiming("digest;dur=0.000, object;dur=3.000, total;dur=4.000"); // { digest: 0, object: 3, total: 4 }
 */
export function parseServerTiming(header) {
  const timing = {};
  for (const entry of (header ?? "").split(",")) {
    const [name, ...params] = entry.trim().split(";");
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith("dur="));
    if (name && dur) timing[name] = Number(dur.slice(4));
  }
  return timing;
}
