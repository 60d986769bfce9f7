import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, call, unique } from "../helpers/api";
import { adminCall, createEndpoint, type EndpointJson, snapshotWebhookTables } from "./webhook-helpers";

const ALL_EVENTS = [
  "key.created",
  "key.revoked",
  "key.rotated",
  "key.leaked",
  "key.expiring",
  "key.expired",
  "user.deactivated",
  "key.paused",
  "key.resumed",
  "key.canary_used",
  "key.grace_ended",
];

async function problem(res: Response): Promise<{ status: number; code: string; errors?: { field: string; message: string }[] }> {
  const body = (await res.json()) as { code: string; errors?: { field: string; message: string }[] };
  return { status: res.status, code: body.code, ...(body.errors ? { errors: body.errors } : {}) };
}

describe("webhook endpoints API", () => {
  it("creates an endpoint listening for every event by default, with a Standard Webhooks secret shown in that response only", async () => {
    const owner = await admin(unique("org_api"));
    const res = await call("POST", "/v1/webhooks", { token: owner.token, json: { url: "https://hooks.example.com/a", description: "  Security  " } });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const created = (await res.json()) as EndpointJson;
    expect(Object.keys(created).sort()).toEqual(["createdAt", "description", "enabled", "events", "id", "secret", "updatedAt", "url"]);
    expect(created).toMatchObject({ url: "https://hooks.example.com/a", events: ALL_EVENTS, description: "Security", enabled: true });
    expect(created.id).toMatch(/^whk_[0-9A-Za-z]{24}$/);
    // whsec_ and base64 of 32 bytes: at least the 24 random bytes Standard Webhooks asks for.
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const listed = await call("GET", "/v1/webhooks", { token: owner.token });
    expect(listed.status).toBe(200);
    const { secret, ...endpoint } = created;
    expect(await listed.json()).toEqual({ endpoints: [endpoint] });
    const patched = await call("PATCH", `/v1/webhooks/${created.id}`, { token: owner.token, json: { enabled: false } });
    const patchedText = await patched.text();
    for (const text of [patchedText, JSON.stringify(await (await call("GET", "/v1/webhooks", { token: owner.token })).json())]) {
      expect(text).not.toContain(secret!.slice(6));
    }
    const stored = JSON.stringify((await env.DB.prepare("SELECT * FROM webhook_endpoints WHERE id = ?").bind(created.id).all()).results);
    expect(stored, "D1 keeps a salt, never the secret").not.toContain(secret!.slice(6));
  });

  it("gives each endpoint its own secret", async () => {
    const owner = await admin(unique("org_api"));
    const a = await createEndpoint(owner, { url: "https://hooks.example.com/a" });
    const b = await createEndpoint(owner, { url: "https://hooks.example.com/a" });
    expect(a.secret).not.toBe(b.secret);
  });

  it("changes url, events, description and enabled, and refuses an empty or unknown change", async () => {
    const owner = await admin(unique("org_api"));
    const endpoint = await createEndpoint(owner, { url: "https://hooks.example.com/a", events: ["key.revoked"] });
    const res = await call("PATCH", `/v1/webhooks/${endpoint.id}`, {
      token: owner.token,
      json: { url: "https://hooks2.example.com:8443/b?x=1", events: ["key.leaked", "key.revoked"], description: null, enabled: false },
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as EndpointJson;
    expect(updated).toMatchObject({ url: "https://hooks2.example.com:8443/b?x=1", events: ["key.leaked", "key.revoked"], description: null, enabled: false });
    expect(updated.updatedAt >= endpoint.updatedAt).toBe(true);
    const before = await snapshotWebhookTables();
    for (const json of [{}, { secret: "whsec_x" }, { events: [] }, { events: ["key.updated"] }, { events: ["key.revoked", "key.revoked"] }, { enabled: "no" }]) {
      const refused = await call("PATCH", `/v1/webhooks/${endpoint.id}`, { token: owner.token, json });
      expect((await problem(refused)).status, JSON.stringify(json)).toBe(422);
    }
    expect(await snapshotWebhookTables()).toBe(before);
  });

  it("deletes an endpoint: 204, then 404 for it", async () => {
    const owner = await admin(unique("org_api"));
    const endpoint = await createEndpoint(owner, { url: "https://hooks.example.com/a" });
    expect((await call("DELETE", `/v1/webhooks/${endpoint.id}`, { token: owner.token })).status).toBe(204);
    expect(await problem(await call("DELETE", `/v1/webhooks/${endpoint.id}`, { token: owner.token }))).toEqual({ status: 404, code: "not_found" });
    expect(await problem(await call("GET", `/v1/webhooks/${endpoint.id}/deliveries`, { token: owner.token }))).toEqual({ status: 404, code: "not_found" });
  });

  it("refuses a 21st endpoint with 409 webhook_endpoint_limit, even when the creates race", async () => {
    const owner = await admin(unique("org_api"));
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => call("POST", "/v1/webhooks", { token: owner.token, json: { url: `https://hooks.example.com/${i}` } })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
    const refused = results.find((r) => r.status === 409)!;
    expect((await refused.json()) as { code: string }).toMatchObject({ code: "webhook_endpoint_limit" });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM webhook_endpoints WHERE org_id = ?").bind(owner.orgId).first("n");
    expect(count).toBe(20);
  });

  it("keeps orgs apart: another org's endpoint is a 404 to every route, and its list is not ours", async () => {
    const mine = await admin(unique("org_api"));
    const theirs = await admin(unique("org_api"));
    const endpoint = await createEndpoint(theirs, { url: "https://hooks.example.com/theirs" });
    expect(await (await call("GET", "/v1/webhooks", { token: mine.token })).json()).toEqual({ endpoints: [] });
    const before = await snapshotWebhookTables();
    for (const [method, path, json] of [
      ["PATCH", `/v1/webhooks/${endpoint.id}`, { enabled: false }],
      ["DELETE", `/v1/webhooks/${endpoint.id}`, undefined],
      ["GET", `/v1/webhooks/${endpoint.id}/deliveries`, undefined],
    ] as const) {
      expect(await problem(await call(method, path, { token: mine.token, json })), `${method} ${path}`).toEqual({ status: 404, code: "not_found" });
    }
    expect(await snapshotWebhookTables()).toBe(before);
  });

  it("answers the same routes to the host backend under /v1/admin/orgs/{orgId}/webhooks, for that org only", async () => {
    const orgId = unique("org_api");
    const created = await adminCall("POST", `/orgs/${orgId}/webhooks`, { url: "https://hooks.example.com/backend", events: ["user.deactivated"] });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as EndpointJson;
    expect(endpoint.secret).toMatch(/^whsec_/);
    const owner = await admin(orgId);
    const { secret: _secret, ...shown } = endpoint;
    expect(await (await call("GET", "/v1/webhooks", { token: owner.token })).json()).toEqual({ endpoints: [shown] });
    expect(await (await adminCall("GET", `/orgs/${orgId}/webhooks`)).json()).toEqual({ endpoints: [shown] });
    expect(await problem(await adminCall("PATCH", `/orgs/${unique("org_other")}/webhooks/${endpoint.id}`, { enabled: false }))).toEqual({
      status: 404,
      code: "not_found",
    });
    expect((await adminCall("PATCH", `/orgs/${orgId}/webhooks/${endpoint.id}`, { enabled: false })).status).toBe(200);
    expect((await adminCall("DELETE", `/orgs/${orgId}/webhooks/${endpoint.id}`)).status).toBe(204);
    const unauthenticated = await call("GET", `/v1/admin/orgs/${orgId}/webhooks`, { token: owner.token });
    expect(await problem(unauthenticated)).toEqual({ status: 401, code: "unauthenticated" });
  });
});

/** The setting a deploy has (wrangler.toml [env.production]): no plain http, not even to localhost. */
const PRODUCTION = { WEBHOOK_ALLOW_LOCALHOST: "false" };

describe("webhook endpoint URLs (SSRF)", () => {
  const REFUSED: [string, string][] = [
    ["http://hooks.example.com/", "must be https"],
    ["ftp://hooks.example.com/", "must be https"],
    ["https://user:pass@hooks.example.com/", "user name or password"],
    ["https://token@hooks.example.com/", "user name or password"],
    ["https://hooks.example.com/#frag", "fragment"],
    ["https://hooks.example.com:8080/", "port"],
    ["https://10.0.0.1/", "private"],
    ["https://172.16.5.4/", "private"],
    ["https://192.168.1.1/", "private"],
    ["https://169.254.169.254/latest/meta-data", "private"],
    ["https://100.64.0.1/", "private"],
    ["https://127.0.0.1/", "private"],
    ["https://0.0.0.0/", "private"],
    ["https://2130706433/", "private"], // 127.0.0.1 as one decimal number
    ["https://0x7f.0.0.1/", "private"],
    ["https://127.1/", "private"],
    ["https://[::1]/", "private"],
    ["https://[::]/", "private"],
    ["https://[fe80::1]/", "private"],
    ["https://[fc00::1]/", "private"],
    ["https://[fd12:3456::1]/", "private"],
    ["https://[::ffff:10.0.0.1]/", "private"],
    ["https://[::ffff:127.0.0.1]/", "private"],
    ["https://[64:ff9b::a00:1]/", "private"],
    ["https://[2002:a00:1::]/", "private"],
    ["https://localhost/", "public host"],
    ["https://LOCALHOST./", "public host"],
    ["https://api.localhost/", "public host"],
    ["https://printer.local/", "public host"],
    ["https://metadata.google.internal/", "public host"],
    ["https://nas.home.arpa/", "public host"],
    ["https://intranet/", "public host"],
    [`https://hooks.example.com/${"a".repeat(2040)}`, "2048"],
    ["not a url", "absolute URL"],
  ];

  for (const [url, reason] of REFUSED) {
    it(`refuses ${url.length > 60 ? `${url.slice(0, 40)}… (${url.length} characters)` : url} with 422 at url, storing nothing`, async () => {
      const owner = await admin(unique("org_ssrf"));
      const before = await snapshotWebhookTables();
      // As a deploy is configured: local development's exception for this machine is off.
      const res = await call("POST", "/v1/webhooks", { token: owner.token, json: { url }, env: PRODUCTION });
      const body = await problem(res);
      expect({ status: body.status, code: body.code, field: body.errors?.[0]?.field }).toEqual({ status: 422, code: "validation_failed", field: "url" });
      expect(body.errors![0]!.message).toContain(reason);
      expect(await snapshotWebhookTables()).toBe(before);
    });
  }

  it("refuses the same URLs on PATCH, leaving the endpoint as it was", async () => {
    const owner = await admin(unique("org_ssrf"));
    const endpoint = await createEndpoint(owner, { url: "https://hooks.example.com/ok" });
    const before = await snapshotWebhookTables();
    for (const url of ["https://10.1.2.3/", "https://[::ffff:192.168.0.1]/", "http://hooks.example.com/", "https://localhost/"]) {
      const res = await call("PATCH", `/v1/webhooks/${endpoint.id}`, { token: owner.token, json: { url }, env: PRODUCTION });
      expect((await problem(res)).status).toBe(422);
    }
    expect(await snapshotWebhookTables()).toBe(before);
  });

  it("takes public https URLs, IP literals included, and normalises them", async () => {
    const owner = await admin(unique("org_ssrf"));
    for (const [url, stored] of [
      ["https://Hooks.Example.com/path?q=1", "https://hooks.example.com/path?q=1"],
      ["https://hooks.example.com:443/x", "https://hooks.example.com/x"],
      ["https://hooks.example.com:8443/x", "https://hooks.example.com:8443/x"],
      ["https://1.1.1.1/hook", "https://1.1.1.1/hook"],
      ["https://[2606:4700:4700::1111]/hook", "https://[2606:4700:4700::1111]/hook"],
    ]) {
      expect((await createEndpoint(owner, { url })).url).toBe(stored);
    }
  });

  it("takes plain http to localhost only in local development (WEBHOOK_ALLOW_LOCALHOST), never in a production configuration", async () => {
    const owner = await admin(unique("org_ssrf"));
    expect((await createEndpoint(owner, { url: "http://127.0.0.1:9/hook" })).url).toBe("http://127.0.0.1:9/hook");
    expect((await createEndpoint(owner, { url: "http://localhost:9/hook" })).url).toBe("http://localhost:9/hook");
    // Even locally only this machine: a private network is as refused as in production.
    expect((await call("POST", "/v1/webhooks", { token: owner.token, json: { url: "http://10.0.0.1/hook" } })).status).toBe(422);
    const before = await snapshotWebhookTables();
    for (const url of ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook", "https://127.0.0.1/hook"]) {
      const res = await call("POST", "/v1/webhooks", { token: owner.token, json: { url }, env: PRODUCTION });
      expect((await problem(res)).status, url).toBe(422);
    }
    expect(await snapshotWebhookTables()).toBe(before);
  });
});
