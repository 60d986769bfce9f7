import { describe, expect, it } from "vitest";
import packageJson from "../../../package.json";
import { call } from "../helpers/api";

describe("GET /component/api-keys-settings.js", () => {
  it("serves the built element as JavaScript with CORS for an allowed origin", async () => {
    const res = await call("GET", "/component/api-keys-settings.js", { headers: { Origin: "https://app.example.com" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/javascript/);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
    expect(res.headers.get("Vary")).toContain("Origin");
    expect(await res.text()).toContain("api-keys-settings");
  });

  it("gives no CORS grant to an origin outside ALLOWED_ORIGINS", async () => {
    const res = await call("GET", "/component/api-keys-settings.js", { headers: { Origin: "https://evil.example" } });
    expect(res.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("answers 404 problem+json for a file that does not exist", async () => {
    const res = await call("GET", "/component/nope.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  });
});

describe("GET /component/v{version}/api-keys-settings.js", () => {
  const versioned = `/component/v${packageJson.version}/api-keys-settings.js`;

  it("serves the same module as the moving URL, cached immutably for a year, with the same CORS", async () => {
    const [fixed, moving] = await Promise.all([
      call("GET", versioned, { headers: { Origin: "https://app.example.com" } }),
      call("GET", "/component/api-keys-settings.js"),
    ]);
    expect(fixed.status).toBe(200);
    expect(fixed.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(fixed.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example.com");
    expect(moving.headers.get("Cache-Control")).toBe("public, max-age=0, must-revalidate");
    expect(await fixed.text()).toBe(await moving.text());
  });

  it("answers 404 for a version that was never built, without caching it", async () => {
    const res = await call("GET", "/component/v0.0.0-nope/api-keys-settings.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("Cache-Control")).not.toContain("immutable");
  });
});
