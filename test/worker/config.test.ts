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

describe("readConfig for key tags, forwarding and the failed-auth throttle", () => {
  const secret = (label: string) => `${label}-tag-secret-0123456789abcdef0123456789`;

  it("takes the first KEY_TAG_SECRETS entry for new keys and keeps every entry for verifying", () => {
    const config = configWith({ KEY_TAG_SECRETS: ` c:${secret("c")} , a:${secret("a")}` })();
    expect(config.keyTagSecrets.current).toEqual({ id: "c", secret: secret("c") });
    expect([...config.keyTagSecrets.byId.keys()]).toEqual(["c", "a"]);
  });

  it.each([
    ["missing", undefined, /KEY_TAG_SECRETS must be set/],
    ["blank", "  ", /KEY_TAG_SECRETS must be set/],
    ["without an id", secret("x"), /entries must look like/],
    ["with a two-character id", `ab:${secret("x")}`, /entries must look like/],
    ["with a non-alphanumeric id", `_:${secret("x")}`, /entries must look like/],
    ["with a short secret", "a:short", /at least 32 characters/],
    ["with one id twice", `a:${secret("x")},a:${secret("y")}`, /names the id "a" twice/],
  ])("refuses KEY_TAG_SECRETS %s", (_label, value, message) => {
    expect(configWith({ KEY_TAG_SECRETS: value })).toThrow(message);
  });

  it("forwards no credential headers and no Set-Cookie unless told to", () => {
    const config = configWith({ UPSTREAM_FORWARD_HEADERS: undefined, UPSTREAM_FORWARD_SET_COOKIE: undefined })();
    expect([...config.upstreamForwardHeaders]).toEqual([]);
    expect(config.upstreamForwardSetCookie).toBe(false);
    const opened = configWith({ UPSTREAM_FORWARD_HEADERS: " Cookie, AUTHORIZATION ,x-api-key", UPSTREAM_FORWARD_SET_COOKIE: "true" })();
    expect([...opened.upstreamForwardHeaders]).toEqual(["cookie", "authorization", "x-api-key"]);
    expect(opened.upstreamForwardSetCookie).toBe(true);
  });

  it.each([
    ["UPSTREAM_FORWARD_HEADERS naming another header", { UPSTREAM_FORWARD_HEADERS: "cookie,x-forwarded-for" }, /may name only cookie, authorization, x-api-key/],
    ["UPSTREAM_FORWARD_SET_COOKIE that is not a boolean", { UPSTREAM_FORWARD_SET_COOKIE: "yes" }, /must be true or false/],
    ["AUTH_FAILURE_PERIOD_SECONDS other than 10 or 60", { AUTH_FAILURE_PERIOD_SECONDS: "30" }, /must be 10 or 60/],
  ])("refuses %s", (_label, overrides, message) => {
    expect(configWith(overrides as EnvOverrides)).toThrow(message);
  });

  it("answers 500 server_misconfigured, not a guess, when KEY_TAG_SECRETS is missing", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call("GET", "/api/whoami", { env: { KEY_TAG_SECRETS: undefined } });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "server_misconfigured" });
  });
});

describe("readConfig names every problem at once", () => {
  it("lists each missing or unsafe setting in one error and logs it once per isolate, never a value", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const overrides: EnvOverrides = {
      KEY_HASH_SECRET: undefined,
      KEY_TAG_SECRETS: "a:short-tag-secret",
      ADMIN_API_TOKEN: "also-short",
      ALLOWED_ORIGINS: "http://app.example.com,https://ok.example.com",
      UPSTREAM_URL: "http://backend.example.com",
      MAX_ACTIVE_KEYS_PER_USER: "-1",
    };
    const envObject = { ...env, ...overrides } as Env;
    let error: ConfigError | null = null;
    try {
      readConfig(envObject);
    } catch (thrown) {
      error = thrown as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const names = ["KEY_HASH_SECRET", "KEY_TAG_SECRETS", "ADMIN_API_TOKEN", "ALLOWED_ORIGINS", "UPSTREAM_URL", "MAX_ACTIVE_KEYS_PER_USER"];
    for (const name of names) expect(error!.problems.some((p) => p.includes(name))).toBe(true);
    expect(error!.problems).toHaveLength(names.length);
    expect(() => readConfig(envObject)).toThrow(ConfigError);
    expect(log).toHaveBeenCalledTimes(1);
    const logged = log.mock.calls.flat().join(" ");
    for (const name of names) expect(logged).toContain(name);
    for (const value of ["short-tag-secret", "also-short"]) expect(logged).not.toContain(value);
  });

  it("accepts loopback http origins and an empty ALLOWED_ORIGINS", () => {
    expect([...configWith({ ALLOWED_ORIGINS: "http://localhost:3000, http://127.0.0.1:8787" })().allowedOrigins]).toEqual([
      "http://localhost:3000",
      "http://127.0.0.1:8787",
    ]);
    expect(configWith({ ALLOWED_ORIGINS: "" })().allowedOrigins.size).toBe(0);
  });

  it.each([
    ["a path", "https://app.example.com/settings"],
    ["a trailing slash", "https://app.example.com/"],
    ["no scheme", "app.example.com"],
  ])("refuses an ALLOWED_ORIGINS entry with %s", (_label, origin) => {
    expect(configWith({ ALLOWED_ORIGINS: origin })).toThrow(/ALLOWED_ORIGINS entries must be exact https origins/);
  });
});

describe("readConfig for webhooks", () => {
  it("reads the retry schedule, the timeout and the localhost exception", () => {
    const config = configWith({ WEBHOOK_RETRY_DELAYS: " 5, 300 ,0", WEBHOOK_TIMEOUT_SECONDS: "7", WEBHOOK_ALLOW_LOCALHOST: "true", DEV_LOGIN: "true" })();
    expect(config.webhooks).toEqual({ retryDelaysSeconds: [5, 300, 0], timeoutMs: 7000, allowLocalhost: true });
  });

  it("never lets plain http to localhost through outside local development, whatever WEBHOOK_ALLOW_LOCALHOST says", () => {
    expect(configWith({ WEBHOOK_ALLOW_LOCALHOST: "true", DEV_LOGIN: "false" })().webhooks.allowLocalhost).toBe(false);
    expect(configWith({ WEBHOOK_ALLOW_LOCALHOST: "true", DEV_LOGIN: undefined })().webhooks.allowLocalhost).toBe(false);
  });

  it("defaults to the Standard Webhooks schedule (over 24 h), 10 s and no localhost", () => {
    const { webhooks } = configWith({ WEBHOOK_RETRY_DELAYS: undefined, WEBHOOK_TIMEOUT_SECONDS: undefined, WEBHOOK_ALLOW_LOCALHOST: undefined })();
    expect(webhooks).toEqual({ retryDelaysSeconds: [5, 300, 1800, 7200, 18000, 36000, 36000], timeoutMs: 10_000, allowLocalhost: false });
    expect(webhooks.retryDelaysSeconds.reduce((a, b) => a + b)).toBeGreaterThan(24 * 3600);
  });

  it.each([
    ["a delay over Queues' 12 hours", { WEBHOOK_RETRY_DELAYS: "5,43201" }, /WEBHOOK_RETRY_DELAYS/],
    ["a delay that is not a whole number", { WEBHOOK_RETRY_DELAYS: "5,1.5" }, /WEBHOOK_RETRY_DELAYS/],
    ["an empty delay", { WEBHOOK_RETRY_DELAYS: "5,,6" }, /WEBHOOK_RETRY_DELAYS/],
    ["more than 100 delays", { WEBHOOK_RETRY_DELAYS: Array(101).fill("1").join(",") }, /WEBHOOK_RETRY_DELAYS/],
    ["a timeout over 30 s", { WEBHOOK_TIMEOUT_SECONDS: "31" }, /WEBHOOK_TIMEOUT_SECONDS/],
    ["a timeout of 0", { WEBHOOK_TIMEOUT_SECONDS: "0" }, /WEBHOOK_TIMEOUT_SECONDS/],
    ["a localhost flag that is not a boolean", { WEBHOOK_ALLOW_LOCALHOST: "yes" }, /WEBHOOK_ALLOW_LOCALHOST must be true or false/],
  ])("refuses %s", (_label, overrides, message) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(configWith(overrides)).toThrow(message);
  });
});
