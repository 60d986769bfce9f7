import { describe, expect, it } from "vitest";
import { call, user } from "../helpers/api";

/** In ALLOWED_ORIGINS of the test configuration (test/vitest.config.ts). */
const ALLOWED = "https://app.example.com";
const ALSO_ALLOWED = "http://127.0.0.1:8787";

const DISALLOWED: Array<{ label: string; origin: string }> = [
  { label: "an unrelated origin", origin: "https://evil.test" },
  { label: "the opaque origin null", origin: "null" },
  { label: "an allowed origin with an attacker's suffix", origin: "https://app.example.com.evil.test" },
  { label: "a subdomain of an allowed origin", origin: "https://evil.app.example.com" },
  { label: "an allowed host over http instead of https", origin: "http://app.example.com" },
  { label: "an allowed host on another port", origin: "https://app.example.com:8443" },
  { label: "an allowed origin with a trailing slash", origin: "https://app.example.com/" },
  { label: "an allowed origin in upper case", origin: "HTTPS://APP.EXAMPLE.COM" },
  { label: "a wildcard", origin: "*" },
];

function varyNames(res: Response): string[] {
  return (res.headers.get("Vary") ?? "").split(",").map((v) => v.trim().toLowerCase());
}

function preflight(origin: string, path = "/v1/keys"): Promise<Response> {
  return call("OPTIONS", path, {
    headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
  });
}

describe("CORS on the management API for an allowed origin", () => {
  it("echoes the origin in Access-Control-Allow-Origin on an authenticated response", async () => {
    const member = await user();
    const res = await call("GET", "/v1/keys", { token: member.token, headers: { Origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
  });

  it("says Vary: Origin on an allowed origin's response", async () => {
    const member = await user();
    const res = await call("GET", "/v1/keys", { token: member.token, headers: { Origin: ALLOWED } });
    expect(varyNames(res)).toContain("origin");
  });

  it("echoes each origin of the list, not only the first", async () => {
    const member = await user();
    const res = await call("GET", "/v1/keys", { token: member.token, headers: { Origin: ALSO_ALLOWED } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ALSO_ALLOWED);
  });

  it("echoes the origin on an error response, so the page can read the problem", async () => {
    const res = await call("POST", "/v1/keys", { json: { name: "No token" }, headers: { Origin: ALLOWED } });
    expect(res.status).toBe(401);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
    expect(varyNames(res)).toContain("origin");
  });

  it("exposes the request id and rate-limit headers to the page", async () => {
    const member = await user();
    const res = await call("GET", "/v1/keys", { token: member.token, headers: { Origin: ALLOWED } });
    const exposed = (res.headers.get("Access-Control-Expose-Headers") ?? "").split(",").map((h) => h.trim().toLowerCase());
    expect(exposed).toEqual(expect.arrayContaining(["x-request-id", "retry-after", "ratelimit", "ratelimit-policy"]));
  });

  it("never allows credentials, since the API authenticates with bearer tokens", async () => {
    const member = await user();
    const res = await call("GET", "/v1/keys", { token: member.token, headers: { Origin: ALLOWED } });
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });

  it("answers a preflight with 204, the origin, the methods and the headers the API takes", async () => {
    const res = await preflight(ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
    const methods = (res.headers.get("Access-Control-Allow-Methods") ?? "").split(",").map((m) => m.trim());
    // DELETE: the element removes webhook endpoints (DELETE /v1/webhooks/{id}) from the browser.
    expect(methods).toEqual(expect.arrayContaining(["GET", "POST", "PUT", "PATCH", "DELETE"]));
    const headers = (res.headers.get("Access-Control-Allow-Headers") ?? "").split(",").map((h) => h.trim().toLowerCase());
    expect(headers).toEqual(expect.arrayContaining(["authorization", "content-type"]));
    expect(varyNames(res)).toContain("origin");
  });

  it("allows DELETE from an allowed origin, so the element can delete a webhook endpoint", async () => {
    const res = await call("OPTIONS", "/v1/webhooks/whk_anything", {
      headers: { Origin: ALLOWED, "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "authorization" },
    });
    expect(res.status).toBe(204);
    expect((res.headers.get("Access-Control-Allow-Methods") ?? "").split(",").map((m) => m.trim())).toContain("DELETE");
  });

  it("answers a preflight for a key action path without asking for a token", async () => {
    const res = await preflight(ALLOWED, "/v1/keys/ak_anything/rotate");
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
  });
});

describe("CORS on the management API for a disallowed origin", () => {
  for (const { label, origin } of DISALLOWED) {
    it(`gives ${label} no Access-Control-Allow-Origin but still Vary: Origin`, async () => {
      const member = await user();
      const res = await call("GET", "/v1/keys", { token: member.token, headers: { Origin: origin } });
      expect(res.status).toBe(200);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(res.headers.get("Access-Control-Expose-Headers")).toBeNull();
      expect(varyNames(res)).toContain("origin");
    });

    it(`answers a preflight from ${label} without any allowance`, async () => {
      const res = await preflight(origin);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
      expect(res.headers.get("Access-Control-Allow-Methods")).toBeNull();
      expect(res.headers.get("Access-Control-Allow-Headers")).toBeNull();
      expect(varyNames(res)).toContain("origin");
    });
  }

  it("says Vary: Origin on a response to a request with no Origin at all", async () => {
    const member = await user();
    const res = await call("GET", "/v1/keys", { token: member.token });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(varyNames(res)).toContain("origin");
  });
});

describe("CORS never answers with a wildcard", () => {
  it("ignores a * in ALLOWED_ORIGINS rather than allowing every origin", async () => {
    const env = { ALLOWED_ORIGINS: `*,${ALLOWED}` };
    const outsider = await call("OPTIONS", "/v1/keys", {
      env,
      headers: { Origin: "https://evil.test", "Access-Control-Request-Method": "POST" },
    });
    expect(outsider.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const listed = await call("OPTIONS", "/v1/keys", {
      env,
      headers: { Origin: ALLOWED, "Access-Control-Request-Method": "POST" },
    });
    expect(listed.headers.get("Access-Control-Allow-Origin")).toBe(ALLOWED);
  });

  it("answers with the exact origin, never *, across success, error and preflight responses", async () => {
    const member = await user();
    const responses = await Promise.all([
      call("GET", "/v1/keys", { token: member.token, headers: { Origin: ALLOWED } }),
      call("GET", "/v1/keys", { headers: { Origin: ALLOWED } }),
      call("GET", "/v1/openapi.json", { headers: { Origin: ALLOWED } }),
      call("GET", "/v1/no-such-route", { headers: { Origin: ALLOWED } }),
      preflight(ALLOWED),
    ]);
    expect(responses.map((r) => r.headers.get("Access-Control-Allow-Origin"))).toEqual(Array(5).fill(ALLOWED));
  });
});
