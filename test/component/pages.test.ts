import { expect } from "@esm-bundle/chai";
import { executeServerCommand } from "@web/test-runner-commands";

// The Worker's pages, opened by a second Chromium straight from `wrangler dev` (page-checks.mjs):
// this page is on another origin and could not read them.

interface SeenResponse {
  path: string;
  status: number;
  csp: string | null;
  nosniff: string | null;
  referrerPolicy: string | null;
}

interface Visit {
  violations: string[];
  consoleErrors: string[];
  responses: SeenResponse[];
  styleProbe: string;
  secretShown?: boolean;
  rowNames?: string[];
  flowError?: string;
}

interface Injection {
  scriptRan: boolean;
  scriptError: string | null;
  violations: string[];
}

interface Framing {
  frameUrl: string;
  loaded: boolean;
  blocked: string[];
  consoleErrors: string[];
}

const SLOW = 60_000;
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

function command<T>(name: string, payload: unknown): Promise<T> {
  return executeServerCommand<T, unknown>(name, payload) as Promise<T>;
}

describe("the demo page under its Content-Security-Policy, from wrangler dev", () => {
  let visit: Visit;
  before(async function () {
    this.timeout(SLOW);
    visit = await command<Visit>("visit-page", { path: "/", demoFlow: true });
  });

  it("signs a demo user in, lists their keys and creates one through the element", () => {
    expect(visit.flowError, `violations: ${visit.violations.join(", ")}`).to.equal(undefined);
    expect(visit.secretShown).to.equal(true);
    expect(visit.rowNames).to.include("CSP check");
  });

  it("runs all of that with no policy violation and no console error", () => {
    expect(visit.violations).to.deep.equal([]);
    expect(visit.consoleErrors).to.deep.equal([]);
  });

  it("gets every file of the page through the Worker, with the page's policy", () => {
    const files = visit.responses.filter((r) => ["/", "/demo.js", "/demo.css", "/demo-users.js"].includes(r.path));
    expect(files.map((r) => r.path).sort()).to.deep.equal(["/", "/demo-users.js", "/demo.css", "/demo.js"]);
    for (const file of files) {
      expect(file.csp, file.path).to.match(/^default-src 'none'; script-src 'self';.*frame-ancestors 'none'/);
      expect(file.nosniff, file.path).to.equal("nosniff");
      expect(file.referrerPolicy, file.path).to.equal("no-referrer");
    }
  });

  it("gets the element's module with a policy that leaves embedding to the host page", () => {
    const module = visit.responses.find((r) => r.path === "/component/api-keys-settings.js");
    expect(module?.csp).to.equal("default-src 'none'");
    expect(module?.nosniff).to.equal("nosniff");
  });

  it("gets the sign-in and API answers with the API policy", () => {
    const api = visit.responses.filter((r) => r.path.startsWith("/dev/") || r.path.startsWith("/v1/"));
    expect(api.length).to.be.greaterThan(1);
    for (const response of api) expect(response.csp, response.path).to.equal(API_POLICY);
  });

  it("refuses a script injected into the page", async function () {
    this.timeout(SLOW);
    const injection = await command<Injection>("inject-into-page", { path: "/" });
    expect(injection.scriptRan).to.equal(false);
    expect(injection.violations.join("\n")).to.match(/require-trusted-types-for|script-src/);
    expect(injection.violations.join("\n")).to.contain("img-src https://elsewhere.invalid/pixel.png");
  });
});

describe("/docs under its Content-Security-Policy, from wrangler dev", () => {
  it("applies its inline style, allowed by hash, with no violation", async function () {
    this.timeout(SLOW);
    const visit = await command<Visit>("visit-page", { path: "/docs" });
    expect(visit.violations).to.deep.equal([]);
    expect(visit.consoleErrors).to.deep.equal([]);
    expect(visit.styleProbe).to.equal("1472px"); // .layout { max-width: 92rem }, from the hashed inline style
  });

  it("refuses a script injected into the page", async function () {
    this.timeout(SLOW);
    const injection = await command<Injection>("inject-into-page", { path: "/docs" });
    expect(injection.scriptRan).to.equal(false);
    expect(injection.violations.join("\n")).to.match(/script-src/);
  });
});

describe("framing by a page of another origin", () => {
  it("is refused for the demo page", async function () {
    this.timeout(SLOW);
    const framing = await command<Framing>("frame-from-other-origin", { path: "/" });
    expect(framing.loaded).to.equal(false);
    expect(framing.blocked).to.deep.equal(["/ net::ERR_BLOCKED_BY_RESPONSE"]);
    expect(framing.consoleErrors.join("\n")).to.contain("frame-ancestors 'none'");
  });

  it("is refused for /docs", async function () {
    this.timeout(SLOW);
    const framing = await command<Framing>("frame-from-other-origin", { path: "/docs" });
    expect(framing.loaded).to.equal(false);
    expect(framing.consoleErrors.join("\n")).to.contain("frame-ancestors 'none'");
  });

  it("is allowed for the element's module, whose point is to be used by other origins", async function () {
    this.timeout(SLOW);
    const framing = await command<Framing>("frame-from-other-origin", { path: "/component/api-keys-settings.js" });
    expect(framing.loaded).to.equal(true);
    expect(framing.blocked).to.deep.equal([]);
  });
});
