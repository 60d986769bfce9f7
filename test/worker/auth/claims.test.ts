import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseClaimPath, readClaim, readPermissionList, writeClaim } from "../../../worker/auth/claims";
import { ConfigError, readConfig } from "../../../worker/config";
import { call, unique } from "../helpers/api";
import { mintToken } from "../helpers/jwt";

afterEach(() => vi.restoreAllMocks());

/** Claims as JSON.parse makes them from a token's payload, `__proto__` keys included. */
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("readClaim: which claim a setting names", () => {
  it.each([
    ["a top-level name", { org_id: "org_1" }, "org_id", "org_1"],
    ["a dotted path into nested objects (Clerk's o.id)", { o: { id: "org_1", rol: "admin" } }, "o.id", "org_1"],
    ["a three-level path", { a: { b: { c: "deep" } } }, "a.b.c", "deep"],
    ["a namespaced URL claim (Auth0)", { "https://example.com/org_id": "org_1" }, "https://example.com/org_id", "org_1"],
    ["a key inside a namespaced URL claim", { "https://example.com/claims": { org: "org_1" } }, "https://example.com/claims.org", "org_1"],
    ["a URL claim whose path has dots before its last slash", { "https://example.com/v1.0/claims": { org: "org_1" } }, "https://example.com/v1.0/claims.org", "org_1"],
    ["a top-level key that contains dots, read as is", { "o.id": "org_flat" }, "o.id", "org_flat"],
    ["a top-level URL key with a dot after its last slash", { "https://example.com/claims.org": "org_flat" }, "https://example.com/claims.org", "org_flat"],
    ["a colon-named claim (Cognito's custom: attributes)", { "custom:org_id": "org_1" }, "custom:org_id", "org_1"],
    ["an array value at the end of the path", { o: { per: ["a:b"] } }, "o.per", ["a:b"]],
  ])("reads %s", (_, claims, name, expected) => {
    expect(readClaim(claims, name)).toEqual(expected);
  });

  it("prefers the top-level key when both it and the path exist", () => {
    expect(readClaim({ "o.id": "flat", o: { id: "nested" } }, "o.id")).toBe("flat");
  });

  it.each([
    ["a missing claim", { sub: "u" }, "org_id"],
    ["a path through a string", { o: "org_1" }, "o.id"],
    ["a path into an array by index", { o: ["org_1"] }, "o.0"],
    ["a path through null", { o: null }, "o.id"],
    ["an inherited property of a plain object", { o: {} }, "o.toString"],
    ["a path that only an own __proto__ key would satisfy", json('{"__proto__":{"id":"evil"}}'), "__proto__.id"],
    ["a forbidden segment even when the key exists", json('{"o":{"constructor":"evil"}}'), "o.constructor"],
  ])("reads nothing for %s", (_, claims, name) => {
    expect(readClaim(claims, name)).toBeUndefined();
  });

  it("does not follow objects that JSON cannot produce (class instances, maps)", () => {
    expect(readClaim({ o: new Map([["id", "org_1"]]) } as Record<string, unknown>, "o.id")).toBeUndefined();
    expect(readClaim({ o: new (class { id = "org_1"; })() } as Record<string, unknown>, "o.id")).toBeUndefined();
    expect(readClaim({ o: Object.assign(Object.create(null), { id: "org_1" }) } as Record<string, unknown>, "o.id")).toBe("org_1");
  });

  it("leaves Object.prototype alone when a token carries __proto__ keys", () => {
    const claims = json('{"__proto__":{"polluted":"yes"},"o":{"__proto__":{"id":"evil"}}}');
    expect([readClaim(claims, "o.id"), readClaim(claims, "polluted"), ({} as Record<string, unknown>).polluted]).toEqual([undefined, undefined, undefined]);
  });
});

describe("parseClaimPath: which names a setting may use", () => {
  it.each([
    ["o.id", ["o", "id"]],
    ["org_id", ["org_id"]],
    ["https://example.com/org_id", ["https://example.com/org_id"]],
    ["https://example.com/claims.org", ["https://example.com/claims", "org"]],
    ["https://example.com/claims.org.id", ["https://example.com/claims", "org", "id"]],
    ["custom:org_id", ["custom:org_id"]],
  ])("splits %s", (name, path) => {
    expect(parseClaimPath(name)).toEqual({ ok: true, path });
  });

  it.each([
    ["an empty name", ""],
    ["a leading dot", ".id"],
    ["a trailing dot", "o."],
    ["two dots in a row", "o..id"],
    ["a URL namespace followed by an empty key", "https://example.com/claims."],
    ["__proto__", "__proto__"],
    ["a __proto__ segment", "o.__proto__"],
    ["a constructor segment", "o.constructor.prototype"],
    ["a prototype segment", "prototype.x"],
    ["nine segments", "a.b.c.d.e.f.g.h.i"],
    ["257 characters", "x".repeat(257)],
  ])("refuses %s", (_, name) => {
    expect(parseClaimPath(name).ok).toBe(false);
  });
});

describe("writeClaim: the local signer shapes tokens as they are read", () => {
  it("nests a dotted path and merges siblings into one object", () => {
    const claims: Record<string, unknown> = {};
    expect([writeClaim(claims, "o.id", "org_1"), writeClaim(claims, "o.per", ["a:b"])]).toEqual([true, true]);
    expect(claims).toEqual({ o: { id: "org_1", per: ["a:b"] } });
    expect(readClaim(claims, "o.id")).toBe("org_1");
  });

  it("writes a namespaced URL claim as one top-level key", () => {
    const claims: Record<string, unknown> = {};
    writeClaim(claims, "https://example.com/org_id", "org_1");
    expect(claims).toEqual({ "https://example.com/org_id": "org_1" });
  });

  it("refuses to write through a value that is not an object, or over an object", () => {
    const claims: Record<string, unknown> = { org: "org_1", o: { id: "org_1" } };
    expect([writeClaim(claims, "org.perms", []), writeClaim(claims, "o", "x")]).toEqual([false, false]);
    expect(claims).toEqual({ org: "org_1", o: { id: "org_1" } });
  });

  it("refuses a name that does not parse", () => {
    const claims: Record<string, unknown> = {};
    expect(writeClaim(claims, "__proto__.polluted", "yes")).toBe(false);
    expect([claims, ({} as Record<string, unknown>).polluted]).toEqual([{}, undefined]);
  });
});

describe("readPermissionList: permissions claims as identity providers send them", () => {
  it.each([
    ["an array of strings (Auth0, WorkOS permissions; Okta scp)", ["contacts:read", "billing:read"], ["contacts:read", "billing:read"]],
    ["a space-separated string (OAuth and Cognito scope)", "openid contacts:read  billing:read", ["openid", "contacts:read", "billing:read"]],
    ["a comma-separated string (Clerk o.per)", "read,manage", ["read", "manage"]],
    ["commas and spaces mixed, with padding", " a:b, c:d ,e:f\tg:h\n", ["a:b", "c:d", "e:f", "g:h"]],
    ["an empty string", "", []],
    ["an empty array", [], []],
    ["repeats, which collapse", ["a:b", "a:b", "c:d"], ["a:b", "c:d"]],
    ["entries that are not permissions, which are dropped", ["ok:1", 7, null, { p: "x" }, "two words", "bad/slash", "", "é:x"], ["ok:1"]],
  ])("reads %s", (_, value, expected) => {
    expect(readPermissionList(value)).toEqual(expected);
  });

  it.each([
    ["undefined", undefined],
    ["a number", 42],
    ["an object", { "contacts:read": true }],
    ["null", null],
  ])("reads %s as no permissions", (_, value) => {
    expect(readPermissionList(value)).toEqual([]);
  });

  it("keeps at most 200 permissions", () => {
    const many = Array.from({ length: 250 }, (_, i) => `p:${i}`);
    expect(readPermissionList(many)).toHaveLength(200);
    expect(readPermissionList(many.join(" "))).toEqual(many.slice(0, 200));
  });
});

type EnvOverrides = { [K in keyof Env]?: Env[K] | undefined } & { AUTH_NAME_CLAIM?: string; AUTH_ADMIN_PERMISSION?: string };

/** A fresh env object each time, so readConfig's per-env cache never answers for another test. */
function configWith(overrides: EnvOverrides) {
  return () => readConfig({ ...env, ...overrides } as Env);
}

describe("readConfig for the claim settings", () => {
  it("defaults to org_id, permissions, name and api_keys:admin", () => {
    expect(configWith({ AUTH_ORG_CLAIM: undefined, AUTH_PERMISSIONS_CLAIM: undefined })()).toMatchObject({
      orgClaim: "org_id",
      permissionsClaim: "permissions",
      nameClaim: "name",
      adminPermission: "api_keys:admin",
    });
  });

  it("accepts dotted paths and namespaced URLs", () => {
    const settings = { AUTH_ORG_CLAIM: "o.id", AUTH_PERMISSIONS_CLAIM: "https://example.com/claims.permissions", AUTH_NAME_CLAIM: "https://example.com/name" };
    expect(configWith(settings)()).toMatchObject({ orgClaim: "o.id", permissionsClaim: "https://example.com/claims.permissions", nameClaim: "https://example.com/name" });
  });

  it.each([
    ["AUTH_ORG_CLAIM", { AUTH_ORG_CLAIM: "o.__proto__" }, /AUTH_ORG_CLAIM must not use the segment __proto__/],
    ["AUTH_PERMISSIONS_CLAIM", { AUTH_PERMISSIONS_CLAIM: "o..per" }, /AUTH_PERMISSIONS_CLAIM must not start or end with a dot/],
    ["AUTH_NAME_CLAIM", { AUTH_NAME_CLAIM: "constructor" }, /AUTH_NAME_CLAIM must not use the segment constructor/],
    ["AUTH_ADMIN_PERMISSION", { AUTH_ADMIN_PERMISSION: "api keys admin" }, /AUTH_ADMIN_PERMISSION must be a permission name/],
  ])("refuses an unusable %s", (_, settings, message) => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(configWith(settings)).toThrow(ConfigError);
    expect(configWith(settings)).toThrow(message);
  });

  it("answers 500 server_misconfigured to a sign-in when AUTH_ORG_CLAIM has a __proto__ segment", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const token = await mintToken({ claims: { sub: unique("u"), org_id: unique("org"), exp: Math.floor(Date.now() / 1000) + 60 } });
    const res = await call("GET", "/v1/keys", { token, env: { AUTH_ORG_CLAIM: "__proto__.id" } });
    expect([res.status, ((await res.json()) as { code: string }).code]).toEqual([500, "server_misconfigured"]);
  });
});
