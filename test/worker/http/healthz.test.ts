import { afterEach, describe, expect, it, vi } from "vitest";
import { call } from "../helpers/api";

afterEach(() => vi.restoreAllMocks());

describe("GET /healthz", () => {
  it("answers 200 with every check ok when configured and migrated", async () => {
    const res = await call("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(await res.json()).toEqual({ status: "ok", checks: { configuration: "ok", database: "ok" } });
  });

  it("answers 503 naming the failed check, but no setting and no value, when the configuration is unusable", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const secret = "a-secret-value-that-must-never-appear-0123456789";
    const res = await call("GET", "/healthz", { env: { KEY_HASH_SECRET: undefined, ADMIN_API_TOKEN: "short", AUTH_JWT_SECRET: secret } });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: "unavailable", checks: { configuration: "misconfigured", database: "ok" } });
    for (const leak of [secret, "short", "KEY_HASH_SECRET", "ADMIN_API_TOKEN"]) expect(text).not.toContain(leak);
  });

  it("answers 503 database unreachable when D1 fails", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    // A D1 outage is a state the real local D1 cannot produce on demand.
    const down = { prepare: () => { throw new Error("D1_ERROR: network connection lost"); } } as unknown as D1Database;
    const res = await call("GET", "/healthz", { env: { DB: down } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "unavailable", checks: { database: "unreachable" } });
  });
});

describe("GET /healthz without a way to verify users' tokens", () => {
  it("reports the configuration as misconfigured", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call("GET", "/healthz", { env: { AUTH_JWT_SECRET: undefined, AUTH_JWKS_URL: undefined } });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ checks: { configuration: "misconfigured" } });
  });
});
