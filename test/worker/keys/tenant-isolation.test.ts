import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { admin, call, createKey, user } from "../helpers/api";

/** Every route that takes a key id, with a body that would succeed on one's own key. */
const ROUTES: { method: string; path: (id: string) => string; json?: unknown }[] = [
  { method: "GET", path: (id) => `/v1/keys/${id}` },
  { method: "POST", path: (id) => `/v1/keys/${id}/revoke`, json: {} },
  { method: "POST", path: (id) => `/v1/keys/${id}/rotate`, json: { graceSeconds: 60 } },
];

/** The body of a 404 without the per-request id. */
async function notFoundShape(res: Response) {
  const { requestId, ...rest } = (await res.json()) as { requestId: string };
  expect(requestId).toMatch(/^req_/);
  return { status: res.status, type: res.headers.get("Content-Type"), rest };
}

describe("tenant isolation", () => {
  for (const route of ROUTES) {
    it(`${route.method} ${route.path("{id}")}: another org's key, even for its admin, is the same 404 as a nonexistent id and stays unchanged`, async () => {
      const alice = await user();
      const { key } = await createKey(alice);
      const before = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(key.id).first();
      const intruder = await admin("org_other_" + alice.orgId);
      const foreign = await call(route.method, route.path(key.id), { token: intruder.token, json: route.json });
      const missing = await call(route.method, route.path("AAAAAAAAAAAAAAAA"), { token: intruder.token, json: route.json });
      expect(await notFoundShape(foreign)).toEqual(await notFoundShape(missing));
      expect(foreign.status).toBe(404);
      const after = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(key.id).first();
      expect(after).toEqual(before);
    });
  }

  it("ignores an org sent in a header and refuses one in the query or body", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const mallory = await user();
    const viaHeader = await call("GET", "/v1/keys", { token: mallory.token, headers: { "X-Org-Id": alice.orgId } });
    expect(await viaHeader.text()).not.toContain(key.id);
    const viaQuery = await call("GET", `/v1/keys?org_id=${alice.orgId}`, { token: mallory.token });
    expect(viaQuery.status).toBe(422);
    const viaBody = await call("POST", "/v1/keys", { token: mallory.token, json: { name: "x", org_id: alice.orgId } });
    expect(viaBody.status).toBe(422);
  });

  it("does not show another org's audit events, even to its admin", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const intruder = await admin("org_other_" + alice.orgId);
    const res = await call("GET", "/v1/audit-events", { token: intruder.token });
    expect(await res.text()).not.toContain(key.id);
  });
});
