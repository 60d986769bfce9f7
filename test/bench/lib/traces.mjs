import { sleep } from "./log.mjs";

const QUERY_PATH = "/cdn-cgi/local/explorer/api/local/observability/query";

/**
 * Reads workerd's own trace of each request, which `wrangler dev` keeps in its local
 * observability store (spans for every Durable Object call and D1 query, with the request URL)
 * and exposes read-only through its local explorer API. The bench tags requests with a
 * `?bench=<tag>` query so it can find their traces.
 *
 * @example
 * const traces = createTraceReader(baseUrl);
 * await traces.requestsFor("bad-checksum"); // { requests, doCalls, d1Queries }
 */
export function createTraceReader(baseUrl) {
  async function query(sql, params = []) {
    const response = await fetch(baseUrl + QUERY_PATH, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sql, params }),
    });
    const body = await response.json().catch(() => null);
    if (!response.ok || !body?.success) {
      throw new Error(`trace store query failed (${response.status}): ${JSON.stringify(body?.errors ?? body)}`);
    }
    return body.result.rows;
  }

  const ROOTS = `
    SELECT trace_id FROM spans
    WHERE parent_id IS NULL AND kind = 'http' AND json_extract(attributes, '$."url.full"') LIKE ?`;

  return {
    /** Whether this `wrangler dev` keeps traces the bench can read. */
    async available() {
      try {
        await query("SELECT count(*) FROM spans");
        return true;
      } catch {
        return false;
      }
    },

    /** Requests tagged `tag`, and the Durable Object calls and D1 queries made while serving them. */
    async requestsFor(tag) {
      const [[requests, doCalls, d1Queries]] = await query(
        `WITH roots AS (${ROOTS})
         SELECT (SELECT count(*) FROM roots),
           (SELECT count(*) FROM spans WHERE trace_id IN (SELECT trace_id FROM roots) AND name = 'durable_object_subrequest'),
           (SELECT count(*) FROM spans WHERE trace_id IN (SELECT trace_id FROM roots) AND kind = 'd1')`,
        [likeTag(tag)],
      );
      return { requests, doCalls, d1Queries };
    },

    /**
     * Polls `read` until `done(value)` holds (the store is written a moment after each
     * response), then returns the value; after `timeoutMs` returns the last value anyway.
     */
    async settle(read, done, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      let value = await read();
      while (!done(value) && Date.now() < deadline) {
        await sleep(250);
        value = await read();
      }
      return value;
    },
  };
}

/** The path-and-query suffix that tags a request for {@link createTraceReader}. */
export function tagged(path, tag) {
  return `${path}?bench=${encodeURIComponent(tag)}`;
}

function likeTag(tag) {
  return `%?bench=${encodeURIComponent(tag)}`;
}
