import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createKey, user, useKey } from "../helpers/api";

afterEach(() => vi.restoreAllMocks());

/** A Content-Security-Policy as a map from directive name to its value. */
function directives(res: Response): Map<string, string> {
  const policy = res.headers.get("Content-Security-Policy") ?? "";
  return new Map(
    policy.split(";").map((part) => part.trim()).filter(Boolean).map((part) => {
      const [name, ...values] = part.split(/\s+/);
      return [name!, values.join(" ")];
    }),
  );
}

/** The checks every response shares: no sniffing, no referrer, no inline script, no eval. */
function expectCommonHeaders(res: Response): Map<string, string> {
  expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  const policy = directives(res);
  expect(policy.get("default-src")).toBe("'none'");
  expect(res.headers.get("Content-Security-Policy")).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  return policy;
}

async function sha256Base64(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest)));
}

describe("security headers on the demo page's files", () => {
  it.each(["/", "/demo.js", "/demo.css", "/demo-users.js"])("%s allows this origin's scripts, styles and fetches, and no framing", async (path) => {
    const res = await call("GET", path);
    expect(res.status).toBe(200);
    const policy = expectCommonHeaders(res);
    expect(policy.get("script-src")).toBe("'self'");
    expect(policy.get("style-src")).toBe("'self'");
    expect(policy.get("connect-src")).toBe("'self'");
    expect(policy.get("base-uri")).toBe("'none'");
    expect(policy.get("frame-ancestors")).toBe("'none'");
    expect(policy.get("require-trusted-types-for")).toBe("'script'");
  });

  it("serves the page itself as HTML with no inline script", async () => {
    const res = await call("GET", "/");
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every((tag) => /\bsrc="\//.test(tag))).toBe(true);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });
});

describe("security headers on /docs", () => {
  it("refuses scripts and framing, and allows its one inline style by hash", async () => {
    const res = await call("GET", "/docs");
    const policy = expectCommonHeaders(res);
    expect(policy.get("frame-ancestors")).toBe("'none'");
    expect(policy.has("script-src")).toBe(false);
    const html = await res.text();
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(styles).toHaveLength(1);
    expect(policy.get("style-src")).toBe(`'sha256-${await sha256Base64(styles[0]!)}'`);
  });

  it("has no script of any kind", async () => {
    const html = await (await call("GET", "/docs")).text();
    expect(html).not.toMatch(/<script\b|\son[a-z]+=|javascript:|\sstyle=/i);
  });
});

describe("security headers on the element's module", () => {
  it("may be loaded by other origins' pages: a strict policy without frame-ancestors, CORS kept", async () => {
    const res = await call("GET", "/component/api-keys-settings.js", { headers: { Origin: "https://app.example.com" } });
    expect(res.status).toBe(200);
    const policy = expectCommonHeaders(res);
    expect(policy.has("frame-ancestors")).toBe(false);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
    expect(res.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
  });
});

describe("security headers on API responses", () => {
  it("gives the OpenAPI document the API policy, next to no-store, CORS and the request id", async () => {
    const res = await call("GET", "/v1/openapi.json", { headers: { Origin: "https://app.example.com" } });
    expect(res.status).toBe(200);
    const policy = expectCommonHeaders(res);
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(policy.get("frame-ancestors")).toBe("'none'");
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
  });

  it("gives an /api 401 the API policy", async () => {
    const res = await useKey(null);
    expect(res.status).toBe(401);
    expectCommonHeaders(res);
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("gives a 404 the API policy", async () => {
    const res = await call("GET", "/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expectCommonHeaders(res);
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("X-Request-Id")).toMatch(/^req_/);
  });

  it("gives a CORS preflight the API policy", async () => {
    const res = await call("OPTIONS", "/v1/keys", {
      headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "POST" },
    });
    expect(res.status).toBe(204);
    expectCommonHeaders(res);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
  });

  it("gives the 500 of a misconfigured deployment the API policy", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call("GET", "/v1/openapi.json", { env: { KEY_HASH_SECRET: "too short" } });
    expect(res.status).toBe(500);
    expectCommonHeaders(res);
  });

  it("keeps the policy an upstream sets on its own response, and fills in what it leaves out", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    vi.spyOn(globalThis, "fetch").mockImplementation(async () =>
      Response.json({ ok: true }, { headers: { "Content-Security-Policy": "default-src 'self'" } }),
    );
    const res = await useKey(secret, "/api/deals", { env: { UPSTREAM_URL: "https://backend.internal/v2" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'self'");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  });
});

describe("no security header beyond the contract", () => {
  /** What Hono's secureHeaders sends by default and this Worker turns off. */
  const NOT_SENT = [
    "Strict-Transport-Security",
    "X-Frame-Options",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Resource-Policy",
    "Origin-Agent-Cluster",
    "X-DNS-Prefetch-Control",
    "X-Download-Options",
    "X-Permitted-Cross-Domain-Policies",
    "X-XSS-Protection",
    "Permissions-Policy",
  ];

  it.each([
    ["the OpenAPI document", "/v1/openapi.json"],
    ["a 404", "/nothing-here"],
    ["/docs", "/docs"],
    ["the demo page", "/"],
    ["the element's module", "/component/api-keys-settings.js"],
  ])("%s carries only nosniff, no-referrer and its CSP", async (_, path) => {
    const res = await call("GET", path);
    expectCommonHeaders(res);
    for (const name of NOT_SENT) expect(res.headers.get(name), name).toBeNull();
  });

  it("an /api 401 carries only nosniff, no-referrer and its CSP", async () => {
    const res = await useKey(null);
    expect(res.status).toBe(401);
    for (const name of NOT_SENT) expect(res.headers.get(name), name).toBeNull();
  });
});
