import type { ApiKey, AuditEvent, Drain, OrgPolicy, Problem, Usage, UsageWindow } from "./types";

/** A refused or failed call: the problem the API sent, or a network failure (status 0). */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** Where the element gets the signed-in user's token. */
export interface TokenSource {
  token: string | null;
  getToken: (() => Promise<string>) | null;
  /**
   * A fresh token after `refused` got a 401 (default: `getToken()`): the element asks `getToken`
   * once for the requests refused together, and keeps the answer for the requests after them.
   */
  renew?: (refused: string | null) => Promise<string>;
}

/**
 * The management API as the element uses it. Sends the user's token as a bearer token; after a
 * 401 it asks `getToken` once for a fresh token and retries.
 *
 * @example
 * const api = new ApiClient("https://keys.example.com", { token, getToken: null });
 * const { keys } = await api.list({ status: "active" });
 */
export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly auth: TokenSource,
  ) {}

  list(query: { status?: string; cursor?: string | null; canary?: boolean; limit?: number }): Promise<{ keys: ApiKey[]; nextCursor: string | null }> {
    const params = new URLSearchParams();
    if (query.status) params.set("status", query.status);
    if (query.cursor) params.set("cursor", query.cursor);
    if (query.canary !== undefined) params.set("canary", `${query.canary}`);
    if (query.limit) params.set("limit", `${query.limit}`);
    const qs = params.toString();
    return this.request("GET", `/v1/keys${qs ? `?${qs}` : ""}`);
  }

  /** One key; for a key in a rotation's grace period also its `drain` (null otherwise). */
  get(id: string): Promise<{ key: ApiKey; drain?: Drain | null }> {
    return this.request("GET", `/v1/keys/${encodeURIComponent(id)}`);
  }

  create(body: { name: string; expiresAt: string | null; scopes?: string[]; region?: string; allowedIps?: string[]; description?: string; canary?: boolean }): Promise<{ key: ApiKey; secret: string }> {
    return this.request("POST", "/v1/keys", body);
  }

  /** Renames a key, moves its expiry earlier, sets its IP allowlist (null: any address) or description (null: none), pauses or resumes it. */
  update(id: string, body: { name?: string; expiresAt?: string; allowedIps?: string[] | null; description?: string | null; enabled?: boolean }): Promise<{ key: ApiKey }> {
    return this.request("PATCH", `/v1/keys/${encodeURIComponent(id)}`, body);
  }

  /** The signed-in user's current permissions (the choices for a key's scopes), and whether they are an org admin. */
  me(): Promise<{ user: { id: string; name: string | null }; permissions: string[]; isAdmin: boolean }> {
    return this.request("GET", "/v1/me");
  }

  /** The org's key policies as they apply now (read-only): what the create form may offer. */
  policy(): Promise<{ policy: OrgPolicy }> {
    return this.request("GET", "/v1/org/policy");
  }

  /** A key's usage over a window, in the window's default buckets (24h and 7d: hours; 30d: days). */
  usage(id: string, window: UsageWindow): Promise<Usage> {
    return this.request("GET", `/v1/keys/${encodeURIComponent(id)}/usage?window=${window}`);
  }

  /** The first page of a key's audit events, newest first. */
  events(keyId: string): Promise<{ events: AuditEvent[] }> {
    return this.request("GET", `/v1/audit-events?keyId=${encodeURIComponent(keyId)}`);
  }

  /** Revokes a key, with the reason shown on it from then on when one is given. */
  revoke(id: string, reason?: string): Promise<{ key: ApiKey }> {
    return this.request("POST", `/v1/keys/${encodeURIComponent(id)}/revoke`, reason ? { reason } : {});
  }

  /**
   * Issues a key's successor. The old key keeps working for `graceSeconds` (null: until revoked);
   * with `idleSeconds` its grace also ends by itself once the successor has been used and the old
   * key has been idle that long.
   */
  rotate(id: string, graceSeconds: number | null, idleSeconds?: number): Promise<{ key: ApiKey; secret: string; previous: ApiKey }> {
    // JSON leaves out what is undefined.
    const body = { graceSeconds: graceSeconds ?? undefined, graceUntilIdle: idleSeconds ? { idleSeconds } : undefined };
    return this.request("POST", `/v1/keys/${encodeURIComponent(id)}/rotate`, body);
  }

  /**
   * Any call of the management API: the answer's JSON (undefined for 204 No Content), or an
   * ApiError with the problem. The parts fetched on demand (the webhooks section) call their
   * routes through it.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let token = this.auth.token ?? (this.auth.getToken ? await this.auth.getToken() : null);
    let response = await this.fetch(method, path, token, body);
    if (response.status === 401 && this.auth.getToken) {
      token = await (this.auth.renew ?? this.auth.getToken)(token);
      response = await this.fetch(method, path, token, body);
    }
    if (response.status === 204) return undefined as T;
    if (response.ok) return (await response.json()) as T;
    let problem: Problem = { status: response.status };
    try {
      problem = { ...(await response.json()), status: response.status };
    } catch {
      // A body that is not JSON (a proxy's HTML error page): the status is all there is.
    }
    throw new ApiError(problem);
  }

  private async fetch(method: string, path: string, token: string | null, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      return await fetch(this.base.replace(/\/+$/, "") + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit",
        cache: "no-store",
      });
    } catch {
      throw new ApiError({ status: 0, code: "network_error" });
    }
  }
}
