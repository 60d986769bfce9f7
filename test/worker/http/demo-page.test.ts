import { describe, expect, it } from "vitest";
import type { ProblemBody } from "../../../worker/http/problem";
import { call } from "../helpers/api";

/** A production deploy: wrangler.toml's vars only, no `.dev.vars`. */
const PRODUCTION = { env: { DEV_LOGIN: undefined } };
const DEMO_FILES = ["/", "/index.html", "/demo.js", "/demo.css", "/demo-users.js"];

describe("the demo page in local development (DEV_LOGIN)", () => {
  it("serves the host page at /", async () => {
    const res = await call("GET", "/");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<api-keys-settings");
  });

  it("serves the page's script as JavaScript", async () => {
    const res = await call("GET", "/demo.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/javascript/);
  });

  it("answers 404 problem+json for a file that does not exist", async () => {
    const res = await call("GET", "/missing.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
  });
});

describe("the demo page in a production deploy (no DEV_LOGIN)", () => {
  it.each(DEMO_FILES)("%s is the app's 404 problem+json, like any unknown path", async (path) => {
    const res = await call("GET", path, PRODUCTION);
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(res.headers.get("Content-Security-Policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    const body = (await res.json()) as ProblemBody;
    const unknown = (await (await call("GET", "/nothing-here", PRODUCTION)).json()) as ProblemBody;
    expect({ ...body, requestId: "" }).toEqual({ ...unknown, requestId: "" });
  });

  it("still serves the element's module", async () => {
    const res = await call("GET", "/component/api-keys-settings.js", PRODUCTION);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/javascript/);
  });

  it("still serves /docs", async () => {
    const res = await call("GET", "/docs", PRODUCTION);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/html/);
  });

  it("has no POST /dev/session either", async () => {
    const res = await call("POST", "/dev/session", { ...PRODUCTION, json: { userId: "u_ada", orgId: "org_acme" } });
    expect(res.status).toBe(404);
  });
});
