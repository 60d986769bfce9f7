import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, readConfig } from "../../worker/config";
import { call, unique } from "./helpers/api";

type EnvOverrides = { [K in keyof Env]?: Env[K] | undefined };

/** A fresh env object each time, so readConfig's per-env cache never answers for another test. */
function configWith(overrides: EnvOverrides) {
  return () => readConfig({ ...env, ...overrides } as Env);
}

function jwksUrl(): string {
  return `https://${unique("idp")}.test/.well-known/jwks.json`;
}

function signIn(overrides: EnvOverrides = {}): EnvOverrides {
  return { AUTH_JWKS_URL: jwksUrl(), AUTH_ISSUER: `https://${unique("issuer")}.test/`, AUTH_AUDIENCE: unique("aud"), ...overrides };
}

afterEach(() => vi.restoreAllMocks());

describe("readConfig for sign-in through a JWKS", () => {
  it("refuses AUTH_JWKS_URL without AUTH_ISSUER", () => {
    expect(configWith(signIn({ AUTH_ISSUER: undefined }))).toThrow(new ConfigError("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE"));
  });

  it("refuses AUTH_JWKS_URL whose AUTH_AUDIENCE is blank", () => {
    expect(configWith(signIn({ AUTH_AUDIENCE: "  " }))).toThrow(new ConfigError("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE"));
  });

  it("accepts AUTH_JWKS_URL with both AUTH_ISSUER and AUTH_AUDIENCE", () => {
    const settings = signIn();
    expect(configWith(settings)()).toMatchObject({ jwksUrl: settings.AUTH_JWKS_URL, issuer: settings.AUTH_ISSUER, audience: settings.AUTH_AUDIENCE });
  });

  it.each([
    ["http on a public host", `http://${unique("idp")}.example.com/jwks.json`],
    ["http on a host that only starts with localhost", `http://localhost.${unique("idp")}.example.com/jwks.json`],
    ["a scheme other than http or https", `ftp://${unique("idp")}.example.com/jwks.json`],
    ["a relative address", `/${unique("jwks")}.json`],
  ])("refuses a JWKS URL with %s", (_, url) => {
    expect(configWith(signIn({ AUTH_JWKS_URL: url }))).toThrow(ConfigError);
  });

  it.each(["localhost", "127.0.0.1", "[::1]"])("accepts an http JWKS URL on %s", (host) => {
    const url = `http://${host}:9000/${unique("jwks")}.json`;
    expect(configWith(signIn({ AUTH_JWKS_URL: url }))().jwksUrl).toBe(url);
  });
});

describe("readConfig for ADMIN_API_TOKEN", () => {
  it("refuses an ADMIN_API_TOKEN of 31 characters", () => {
    const token = unique("admin").padEnd(31, "x").slice(0, 31);
    expect(configWith({ ADMIN_API_TOKEN: token })).toThrow(new ConfigError("ADMIN_API_TOKEN must be at least 32 characters"));
  });

  it("accepts an ADMIN_API_TOKEN of exactly 32 characters", () => {
    const token = unique("admin").padEnd(32, "y").slice(0, 32);
    expect(configWith({ ADMIN_API_TOKEN: token })().adminApiToken).toBe(token);
  });

  it("leaves the admin API off when ADMIN_API_TOKEN is unset", () => {
    expect(configWith({ ADMIN_API_TOKEN: undefined })().adminApiToken).toBeNull();
  });
});

describe("a Worker whose configuration is refused", () => {
  it("answers 500 server_misconfigured and logs the reason, which stays out of the response", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call("GET", "/v1/keys", { env: signIn({ AUTH_AUDIENCE: undefined }) });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toMatchObject({ code: "server_misconfigured", status: 500 });
    expect(text).not.toContain("AUTH_AUDIENCE");
    expect(log.mock.calls.flat().join("\n")).toContain("AUTH_JWKS_URL needs AUTH_ISSUER and AUTH_AUDIENCE");
  });
});
