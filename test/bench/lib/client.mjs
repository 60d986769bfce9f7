import { parseServerTiming } from "./server-timing.mjs";

/**
 * The bench's view of the Worker: sign in through `POST /dev/session`, manage keys through
 * `/v1/keys`, and timed requests to the key-protected API.
 *
 * @example
 * const api = createClient("http://127.0.0.1:8787");
 * const token = await api.signIn("u_bench", "org_bench");
 * const { id, secret } = await api.createKey(token, "bench key");
 * const { status, sentAt, receivedAt } = await api.timed("/api/whoami", secret);
 */
export function createClient(baseUrl) {
  async function call(method, path, token, body) {
    const response = await fetch(baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  }

  return {
    baseUrl,

    /** A JSON call to the management API as `token` (or a local-development route); throws unless 2xx. */
    json: call,

    /** A token for a fresh user who may read contacts. */
    async signIn(userId, orgId) {
      const response = await fetch(`${baseUrl}/dev/session`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ userId, orgId, name: `Bench ${userId}`, permissions: ["contacts:read"] }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`POST /dev/session answered ${response.status}: ${text}`);
      return JSON.parse(text).token;
    },

    /** Creates a key; returns its id and the full key string (`secret`). */
    async createKey(token, name) {
      const { key, secret } = await call("POST", "/v1/keys", token, { name });
      return { id: key.id, secret };
    },

    /** Revokes a key; resolves when the revoke response has arrived. */
    async revokeKey(token, id) {
      return call("POST", `/v1/keys/${id}/revoke`, token);
    },

    /**
     * A GET with `X-API-Key` (when `apiKey` is given), timed on the client's monotonic clock:
     * `sentAt` just before the request leaves, `receivedAt` when the response head arrives.
     * Network errors come back as status 0 rather than throwing. `address` is sent as
     * `CF-Connecting-IP` (wrangler dev keeps a client's value; Cloudflare sets it itself), so a
     * scenario can stand for many clients or for one. `timing` is the response's `Server-Timing`
     * (the local-development entry's breakdown of `/api/*` requests), `{}` when it has none.
     */
    async timed(path, apiKey, { address } = {}) {
      const headers = apiKey ? { "X-API-Key": apiKey } : {};
      if (address) headers["CF-Connecting-IP"] = address;
      const sentAt = performance.now();
      try {
        const response = await fetch(baseUrl + path, { headers });
        const receivedAt = performance.now();
        const body = await response.text();
        return { status: response.status, sentAt, receivedAt, body, timing: parseServerTiming(response.headers.get("Server-Timing")) };
      } catch (error) {
        return { status: 0, sentAt, receivedAt: performance.now(), body: String(error), timing: {} };
      }
    },
  };
}

/**
 * Runs `task(i)` for i = 0…count−1 with at most `concurrency` in flight; resolves to the
 * results in order.
 *
 * @example
 * const results = await pool(1000, 16, (i) => api.timed("/api/whoami", keys[i]));
 */
export async function pool(count, concurrency, task) {
  const results = new Array(count);
  let next = 0;
  async function worker() {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
