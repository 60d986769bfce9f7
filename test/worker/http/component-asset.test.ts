import { describe, expect, it } from "vitest";
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
