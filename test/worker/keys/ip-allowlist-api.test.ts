import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { KeyAuthority } from "../../../worker/authority/key-authority";
import { authorityFor } from "../../../worker/authority/key-authority-client";
import { admin, call, createKey, type KeyJson, snapshotTables, type TestUser, user, useKey } from "../helpers/api";

interface Problem {
  status: number;
  code: string;
  errors?: Array<{ field: string; message: string }>;
}

async function problemOf(res: Response): Promise<Problem> {
  const body = (await res.json()) as { code: string; errors?: Array<{ field: string; message: string }> };
  return { status: res.status, code: body.code, errors: body.errors };
}

function create(owner: TestUser, json: unknown): Promise<Response> {
  return call("POST", "/v1/keys", { token: owner.token, json });
}

function edit(owner: TestUser, id: string, json: unknown): Promise<Response> {
  return call("PATCH", `/v1/keys/${id}`, { token: owner.token, json });
}

async function edited(owner: TestUser, id: string, json: unknown): Promise<KeyJson> {
  const res = await edit(owner, id, json);
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

async function stored(owner: TestUser, id: string): Promise<KeyJson> {
  const res = await call("GET", `/v1/keys/${id}`, { token: owner.token });
  expect(res.status).toBe(200);
  return ((await res.json()) as { key: KeyJson }).key;
}

/** The allowlist the key's Durable Object decides with (undefined: no object holds the key). */
function atEdge(id: string): Promise<string | null | undefined> {
  return runInDurableObject(authorityFor(env, id), (_authority: KeyAuthority, state) => {
    if (state.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE name = 'keys'").toArray().length === 0) return undefined;
    return state.storage.sql.exec<{ allowed_ips: string | null }>("SELECT allowed_ips FROM keys WHERE id = ?", id).toArray()[0]?.allowed_ips;
  });
}

async function updatedEvents(owner: TestUser, keyId: string): Promise<number> {
  const res = await call("GET", `/v1/audit-events?keyId=${keyId}`, { token: owner.token });
  const { events } = (await res.json()) as { events: Array<{ action: string }> };
  return events.filter((e) => e.action === "key.updated").length;
}

/** `count` distinct /32s: 198.51.100.0, .1, … */
function hosts(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `198.51.${100 + Math.floor(i / 256)}.${i % 256}`);
}

describe("allowedIps on POST /v1/keys", () => {
  it("stores the list in canonical form, duplicates removed and order kept, and every view shows it", async () => {
    const alice = await user();
    const created = await createKey(alice, {
      allowedIps: ["2001:DB8:0:0::/32", "192.0.2.1", "::ffff:203.0.113.0/120", "2001:db8::/32", "192.0.2.1/32", "2001:db8::7"],
    });
    const canonical = ["2001:db8::/32", "192.0.2.1/32", "203.0.113.0/24", "2001:db8::7/128"];
    expect(created.key.allowedIps).toEqual(canonical);
    expect((await stored(alice, created.key.id)).allowedIps).toEqual(canonical);
    const list = (await (await call("GET", "/v1/keys", { token: alice.token })).json()) as { keys: KeyJson[] };
    expect(list.keys.find((k) => k.id === created.key.id)?.allowedIps).toEqual(canonical);
  });

  it.each([
    ["omitted", undefined],
    ["null", null],
    ["empty", []],
  ])("means any address when %s", async (_label, allowedIps) => {
    const alice = await user();
    const res = await create(alice, { name: "Any address", ...(allowedIps === undefined ? {} : { allowedIps }) });
    expect(res.status).toBe(201);
    const { key, secret } = (await res.json()) as { key: KeyJson; secret: string };
    expect(key.allowedIps).toBeNull();
    expect((await useKey(secret, "/api/whoami", { headers: { "CF-Connecting-IP": "192.0.2.99" } })).status).toBe(200);
  });

  it("accepts exactly 50 entries", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { allowedIps: hosts(50) });
    expect(key.allowedIps).toHaveLength(50);
  });

  it.each([
    [["10.0.0.0/8", "10.0.0.1/8"], "allowedIps.1", "did you mean 10.0.0.0/8?"],
    [["2001:db8::1/32"], "allowedIps.0", "did you mean 2001:db8::/32?"],
    [["192.0.2.0/24", "192.0.2.0/33"], "allowedIps.1", "prefix length"],
    [["192.0.2.0/08"], "allowedIps.0", "prefix length"],
    [["010.0.0.0/8"], "allowedIps.0", "not an IPv4 or IPv6 address"],
    [["fe80::1%eth0"], "allowedIps.0", "not an IPv4 or IPv6 address"],
    [["[2001:db8::1]"], "allowedIps.0", "not an IPv4 or IPv6 address"],
    [["192.0.2.0 /24"], "allowedIps.0", "whitespace"],
    [["192.0.2.0/24", "", "192.0.2.1"], "allowedIps.1", "empty"],
    [["192.0.2.0/24", 42], "allowedIps.1", "must be a string"],
  ])("refuses %j with 422 at %s, and creates nothing", async (allowedIps, field, reason) => {
    const alice = await user();
    await createKey(alice);
    const before = await snapshotTables();
    const res = await create(alice, { name: "Bad list", allowedIps });
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 422, code: "validation_failed" });
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors![0]!.field).toBe(field);
    expect(problem.errors![0]!.message).toContain(reason);
    expect(await snapshotTables()).toBe(before);
  });

  it.each([
    ["51 entries", hosts(51)],
    ["51 copies of one entry", Array.from({ length: 51 }, () => "192.0.2.1")],
    ["a string", "192.0.2.0/24"],
    ["an object", { "0": "192.0.2.0/24" }],
  ])("refuses %s with 422 at allowedIps, and creates nothing", async (_label, allowedIps) => {
    const alice = await user();
    await createKey(alice);
    const before = await snapshotTables();
    const problem = await problemOf(await create(alice, { name: "Bad list", allowedIps }));
    expect(problem).toMatchObject({ status: 422, code: "validation_failed" });
    expect(problem.errors?.map((e) => e.field)).toEqual(["allowedIps"]);
    expect(await snapshotTables()).toBe(before);
  });
});

describe("allowedIps on PATCH /v1/keys/{id}", () => {
  it("sets, narrows and lifts the list: the response, the stored key and the key's object agree each time", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await useKey(secret)).status).toBe(200); // the key's object holds it from here on
    expect(await atEdge(key.id)).toBeNull();

    expect((await edited(alice, key.id, { allowedIps: ["192.0.2.0/24", "2001:DB8::/32"] })).allowedIps).toEqual(["192.0.2.0/24", "2001:db8::/32"]);
    expect((await stored(alice, key.id)).allowedIps).toEqual(["192.0.2.0/24", "2001:db8::/32"]);
    expect(await atEdge(key.id)).toBe(JSON.stringify(["192.0.2.0/24", "2001:db8::/32"]));

    expect((await edited(alice, key.id, { allowedIps: ["192.0.2.7"] })).allowedIps).toEqual(["192.0.2.7/32"]);
    expect(await atEdge(key.id)).toBe(JSON.stringify(["192.0.2.7/32"]));

    for (const lifted of [null, []]) {
      await edited(alice, key.id, { allowedIps: ["192.0.2.7"] });
      expect((await edited(alice, key.id, { allowedIps: lifted })).allowedIps).toBeNull();
      expect((await stored(alice, key.id)).allowedIps).toBeNull();
      expect(await atEdge(key.id)).toBeNull();
    }
  });

  it("sets the list of a key no request has used yet, which its first request then enforces", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice);
    expect((await edited(alice, key.id, { allowedIps: ["192.0.2.0/24"] })).allowedIps).toEqual(["192.0.2.0/24"]);
    expect((await useKey(secret, "/api/whoami", { headers: { "CF-Connecting-IP": "198.51.100.1" } })).status).toBe(403);
    expect((await useKey(secret, "/api/whoami", { headers: { "CF-Connecting-IP": "192.0.2.1" } })).status).toBe(200);
  });

  it("leaves the list alone when only the name changes, and records key.updated only for a real change", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { allowedIps: ["192.0.2.0/24"] });
    expect((await edited(alice, key.id, { name: "Renamed" })).allowedIps).toEqual(["192.0.2.0/24"]);
    expect(await updatedEvents(alice, key.id)).toBe(1);
    // The same list in another spelling changes nothing.
    await edited(alice, key.id, { allowedIps: ["::ffff:192.0.2.0/120"] });
    expect(await updatedEvents(alice, key.id)).toBe(1);
    await edited(alice, key.id, { allowedIps: ["192.0.2.0/25"] });
    expect(await updatedEvents(alice, key.id)).toBe(2);
  });

  it("lets an org admin set another member's key's list", async () => {
    const alice = await user();
    const boss = await admin(alice.orgId);
    const { key } = await createKey(alice);
    expect((await edited(boss, key.id, { allowedIps: ["192.0.2.0/24"] })).allowedIps).toEqual(["192.0.2.0/24"]);
  });

  it.each([
    [{ allowedIps: ["192.0.2.0/24", "192.0.2.1/24"] }, "allowedIps.1"],
    [{ allowedIps: hosts(51) }, "allowedIps"],
    [{ name: "Fine", allowedIps: ["nope"] }, "allowedIps.0"],
  ])("refuses %j with 422 at %s and changes nothing, in D1 or in the key's object", async (json, field) => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    await useKey(secret, "/api/whoami", { headers: { "CF-Connecting-IP": "203.0.113.1" } });
    const before = await snapshotTables();
    const problem = await problemOf(await edit(alice, key.id, json));
    expect(problem).toMatchObject({ status: 422, code: "validation_failed" });
    expect(problem.errors?.map((e) => e.field)).toEqual([field]);
    expect(await snapshotTables()).toBe(before);
    expect(await atEdge(key.id)).toBe(JSON.stringify(["203.0.113.0/24"]));
  });

  it("refuses to edit the list of a revoked key", async () => {
    const alice = await user();
    const { key } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token });
    const before = await snapshotTables();
    expect(await problemOf(await edit(alice, key.id, { allowedIps: null }))).toMatchObject({ status: 409, code: "key_not_active" });
    expect(await snapshotTables()).toBe(before);
  });
});

describe("allowedIps on rotation", () => {
  it("gives the successor the old key's list, which the successor's requests are held to", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24", "2001:db8::/32"] });
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 60 } });
    expect(res.status).toBe(201);
    const rotated = (await res.json()) as { key: KeyJson; secret: string; previous: KeyJson };
    expect(rotated.key.allowedIps).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    expect(rotated.previous.allowedIps).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    expect((await stored(alice, rotated.key.id)).allowedIps).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    expect((await useKey(rotated.secret, "/api/whoami", { headers: { "CF-Connecting-IP": "198.51.100.1" } })).status).toBe(403);
    expect((await useKey(rotated.secret, "/api/whoami", { headers: { "CF-Connecting-IP": "203.0.113.1" } })).status).toBe(200);
    expect((await useKey(secret, "/api/whoami", { headers: { "CF-Connecting-IP": "198.51.100.1" } })).status).toBe(403);
  });

  it("gives the successor the list the key's object holds, even when D1 has not caught up with an edit", async () => {
    const alice = await user();
    const { key, secret } = await createKey(alice, { allowedIps: ["203.0.113.0/24"] });
    await useKey(secret, "/api/whoami", { headers: { "CF-Connecting-IP": "203.0.113.1" } });
    // The object narrowed the list; D1 (which the rotation reads first) still says the wider one.
    await runInDurableObject(authorityFor(env, key.id), (_authority: KeyAuthority, state) => {
      state.storage.sql.exec("UPDATE keys SET allowed_ips = ? WHERE id = ?", JSON.stringify(["203.0.113.7/32"]), key.id);
    });
    const res = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: {} });
    const rotated = (await res.json()) as { key: KeyJson; secret: string };
    expect(rotated.key.allowedIps).toEqual(["203.0.113.7/32"]);
    expect((await stored(alice, rotated.key.id)).allowedIps).toEqual(["203.0.113.7/32"]);
    expect((await useKey(rotated.secret, "/api/whoami", { headers: { "CF-Connecting-IP": "203.0.113.1" } })).status).toBe(403);
  });
});
