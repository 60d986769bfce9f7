import { afterEach, describe, expect, it, vi } from "vitest";
import { createKey, user, useKey, type TestUser } from "../helpers/api";
import { captureUpstream } from "../helpers/upstream";

afterEach(() => vi.restoreAllMocks());

const UPSTREAM = { UPSTREAM_URL: "https://backend.internal/v2" };
const IDENTITY = ["x-api-key-id", "x-api-user-id", "x-api-org-id", "x-api-permissions", "x-api-assertion"];

/** A key and one forwarded request through it: what the upstream received. */
async function sendThrough(headers: Record<string, string>, env: Record<string, string> = {}) {
  const alice = await user({ permissions: ["contacts:read", "deals:read"] });
  const { key, secret } = await createKey(alice);
  const seen = captureUpstream();
  const res = await useKey(secret, "/api/deals", { env: { ...UPSTREAM, ...env }, headers });
  expect(res.status).toBe(200);
  expect(seen).toHaveLength(1);
  return { sent: seen[0]!.headers, alice, keyId: key.id, secret };
}

/** The Worker's own identity headers, exactly, and no other `x-api-*` header in any spelling. */
function expectOnlyWorkerIdentity(sent: Headers, alice: TestUser, keyId: string) {
  const apiNames = [...sent.keys()].filter((n) => n.replaceAll("_", "-").startsWith("x-api-"));
  expect(apiNames.sort()).toEqual([...IDENTITY].sort());
  expect(sent.get("X-Api-Key-Id")).toBe(keyId);
  expect(sent.get("X-Api-User-Id")).toBe(alice.userId);
  expect(sent.get("X-Api-Org-Id")).toBe(alice.orgId);
  expect(sent.get("X-Api-Permissions")).toBe("contacts:read deals:read");
}

/** The names in `headers` that are any of `names`, compared lowercase with `_` read as `-`. */
function namesOf(headers: Headers, names: string[]): string[] {
  const normal = (n: string) => n.toLowerCase().replaceAll("_", "-");
  const wanted = new Set(names.map(normal));
  return [...headers.keys()].filter((n) => wanted.has(normal(n)));
}

describe("client headers never smuggled upstream", () => {
  it("drops identity headers spelled with underscores", async () => {
    const { sent, alice, keyId } = await sendThrough({
      X_Api_User_Id: "victim",
      X_API_ORG_ID: "org_victim",
      x_api_permissions: "everything",
      X_Api_Key_Id: "key_victim",
    });
    expectOnlyWorkerIdentity(sent, alice, keyId);
  });

  it("drops every x-api-* header in any case, not only the identity names", async () => {
    const { sent, alice, keyId } = await sendThrough({
      "x-API-user-id": "victim",
      "X-API-Role": "admin",
      "x-api-tenant": "other",
      x_API_Impersonate: "root",
      "X-Api-": "empty-suffix",
    });
    expectOnlyWorkerIdentity(sent, alice, keyId);
  });

  it("drops both spellings when a name and its underscore variant both arrive", async () => {
    const { sent, alice, keyId } = await sendThrough({
      "X-Api-User-Id": "admin",
      X_Api_User_Id: "victim",
      "X-Api-Org-Id": "org_a",
      "x-api-org-id": "org_b",
      "X-Tenant": "a",
      X_Tenant: "b",
      "X-Kept": "yes",
    });
    expectOnlyWorkerIdentity(sent, alice, keyId);
    expect(sent.get("X-Tenant")).toBeNull();
    expect(sent.get("X_Tenant")).toBeNull();
    expect(sent.get("X-Kept")).toBe("yes");
  });

  it("keeps its own identity headers when Connection names them", async () => {
    const { sent, alice, keyId } = await sendThrough({
      Connection: "X-Api-User-Id, x_api_org_id",
      connection: "X-API-Permissions,X-Api-Key-Id",
    });
    expect(sent.get("Connection")).toBeNull();
    expectOnlyWorkerIdentity(sent, alice, keyId);
  });

  it("drops the headers every Connection value names, in any spelling", async () => {
    const { sent } = await sendThrough({
      Connection: "close, X-Internal-Route",
      connection: " x_debug ,,Accept-Language",
      "X-Internal-Route": "admin",
      "X-Debug": "1",
      "Accept-Language": "fr",
      Accept: "application/json",
    });
    expect(namesOf(sent, ["connection", "x-internal-route", "x-debug", "accept-language"])).toEqual([]);
    expect(sent.get("Accept")).toBe("application/json");
  });

  it.each([
    ["Connection", "keep-alive"],
    ["Keep-Alive", "timeout=5"],
    ["Keep_Alive", "timeout=5"],
    ["Proxy-Connection", "keep-alive"],
    ["Proxy_Connection", "keep-alive"],
    ["Proxy-Authenticate", "Basic"],
    ["Proxy-Authorization", "Basic dXNlcjpwYXNz"],
    ["proxy_authorization", "Basic dXNlcjpwYXNz"],
    ["TE", "trailers"],
    ["Trailer", "X-Checksum"],
    ["Transfer-Encoding", "chunked"],
    ["Transfer_Encoding", "chunked"],
    ["Upgrade", "websocket"],
  ])("drops the hop-by-hop header %s", async (name, value) => {
    const { sent } = await sendThrough({ [name]: value, "X-Kept": "yes" });
    expect(namesOf(sent, [name])).toEqual([]);
    expect(sent.get("X-Kept")).toBe("yes");
  });

  it("never forwards Cookie, Authorization or X-API-Key by default", async () => {
    const { sent } = await sendThrough({ Cookie: "session=victim", Authorization: "Bearer host-app-token", X_API_Key: "ak_live_other" });
    expect(namesOf(sent, ["cookie", "authorization", "x-api-key"])).toEqual([]);
  });

  it("forwards only the credentials UPSTREAM_FORWARD_HEADERS names", async () => {
    const { sent } = await sendThrough(
      { Cookie: "session=abc", Authorization: "Bearer host-app-token" },
      { UPSTREAM_FORWARD_HEADERS: "cookie" },
    );
    expect(sent.get("Cookie")).toBe("session=abc");
    expect(sent.get("Authorization")).toBeNull();
    expect(sent.get("X-API-Key")).toBeNull();
  });

  it("forwards the verified key as X-API-Key when configured, never a client's underscore variant", async () => {
    const { sent, alice, keyId, secret } = await sendThrough(
      { Cookie: "session=abc", Authorization: "Bearer host-app-token", X_API_Key: "ak_live_forged", "X-Api-Key-Extra": "x" },
      { UPSTREAM_FORWARD_HEADERS: "cookie, authorization, x-api-key" },
    );
    expect(sent.get("Cookie")).toBe("session=abc");
    expect(sent.get("Authorization")).toBe("Bearer host-app-token");
    expect(sent.get("X-API-Key")).toBe(secret);
    expect(sent.get("X_API_Key")).toBeNull();
    expect(sent.get("X-Api-Key-Extra")).toBeNull();
    expect(sent.get("X-Api-Key-Id")).toBe(keyId);
    expect(sent.get("X-Api-User-Id")).toBe(alice.userId);
  });

  it("drops a configured credential that Connection names", async () => {
    const { sent } = await sendThrough(
      { Cookie: "session=abc", Authorization: "Bearer t", Connection: "Cookie" },
      { UPSTREAM_FORWARD_HEADERS: "cookie,authorization" },
    );
    expect(sent.get("Cookie")).toBeNull();
    expect(sent.get("Authorization")).toBe("Bearer t");
  });
});

describe("upstream response headers", () => {
  function answer() {
    const headers = new Headers({
      "Content-Type": "application/json",
      "X-Upstream": "yes",
      Connection: "X-Backend-Secret, x_backend_debug",
      "X-Backend-Secret": "s3cret",
      "X-Backend-Debug": "trace",
      "Keep-Alive": "timeout=5",
      Keep_Alive: "timeout=5",
      "Proxy-Authenticate": "Basic",
      Trailer: "X-Checksum",
      "Transfer-Encoding": "chunked",
      Upgrade: "h2c",
    });
    headers.append("Set-Cookie", "upstream_session=1; Path=/");
    headers.append("Set-Cookie", "tracking=2; Path=/");
    headers.append("Set_Cookie", "sneaky=3");
    return new Response('{"ok":true}', { status: 200, headers });
  }

  async function forwardedAnswer(env: Record<string, string> = {}) {
    const { secret } = await createKey(await user({ permissions: ["deals:read"] }));
    captureUpstream(answer);
    const res = await useKey(secret, "/api/deals", { env: { ...UPSTREAM, ...env } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    return res.headers;
  }

  const STRIPPED = ["connection", "x-backend-secret", "x-backend-debug", "keep-alive", "keep_alive", "proxy-authenticate", "trailer", "transfer-encoding", "upgrade"];

  it("passes neither Set-Cookie nor hop-by-hop or Connection-named headers back by default", async () => {
    const headers = await forwardedAnswer();
    expect(headers.get("X-Upstream")).toBe("yes");
    expect(headers.get("RateLimit")).toBe('"burst";r=9;t=1');
    expect(headers.getSetCookie()).toEqual([]);
    expect(headers.get("Set_Cookie")).toBeNull();
    for (const name of STRIPPED) expect(headers.get(name), name).toBeNull();
  });

  it("passes Set-Cookie back when UPSTREAM_FORWARD_SET_COOKIE is true, still without hop-by-hop headers", async () => {
    const headers = await forwardedAnswer({ UPSTREAM_FORWARD_SET_COOKIE: "true" });
    expect(headers.getSetCookie()).toEqual(["upstream_session=1; Path=/", "tracking=2; Path=/"]);
    expect(headers.get("Set_Cookie")).toBe("sneaky=3");
    for (const name of STRIPPED) expect(headers.get(name), name).toBeNull();
  });
});

describe("unsafe paths", () => {
  // Forms that survive `new Request(url)`: URL parsing already collapses `..`, `%2e%2e` and
  // `.%2E` segments and turns `\` into `/` (the rule itself is tested on raw strings in
  // forward-path.test.ts).
  const REFUSED = [
    "/api/files/a%2Fb",
    "/api/files/a%2fb",
    "/api/files/a%252Fb",
    "/api/files/a%5Cb",
    "/api/files/a%5cb",
    "/api/files/a%00b",
    "/api/x/..%2Fadmin",
    "/api/x/%2e%2e%2fadmin",
    "/api/x/%252e%252e/admin",
    "/api/x/%252E./admin",
    "/api/x/..;/admin",
    "/api/x/%c0%af",
    "/api/deals/%2e%2e%2f%2e%2e%2fadmin?page=1",
  ];

  it.each(REFUSED)("refuses %s with 400 problem+json before the upstream or the key's limit", async (path) => {
    const { secret } = await createKey(await user({ permissions: ["deals:read"] }));
    const seen = captureUpstream();
    const res = await useKey(secret, path, { env: UPSTREAM });
    expect(res.status).toBe(400);
    expect(res.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 400, code: "invalid_path" });
    expect(res.headers.get("RateLimit")).toBeNull();
    expect(seen).toHaveLength(0);
  });

  it("refuses before the key is checked: no key still gets 400, not 401", async () => {
    const seen = captureUpstream();
    const res = await useKey(null, "/api/files/a%2Fb", { env: UPSTREAM });
    expect(res.status).toBe(400);
    expect(seen).toHaveLength(0);
  });

  it("spends none of the key's rate limit on refused paths", async () => {
    const { secret } = await createKey(await user({ permissions: ["deals:read"] }));
    const seen = captureUpstream();
    for (const path of REFUSED) expect((await useKey(secret, path, { env: UPSTREAM })).status).toBe(400);
    expect(seen).toHaveLength(0);
    const res = await useKey(secret, "/api/deals/42", { env: UPSTREAM });
    expect(res.status).toBe(200);
    expect(res.headers.get("RateLimit")).toBe('"burst";r=9;t=1');
    expect(seen[0]!.url).toBe("https://backend.internal/v2/deals/42");
  });

  it("forwards the dot segments URL parsing already resolved, inside /api only", async () => {
    const { secret } = await createKey(await user({ permissions: ["deals:read"] }));
    const seen = captureUpstream();
    expect((await useKey(secret, "/api/x/%2e%2e/deals", { env: UPSTREAM })).status).toBe(200);
    expect(seen[0]!.url).toBe("https://backend.internal/v2/deals");
  });
});
