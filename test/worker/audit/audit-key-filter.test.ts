import { describe, expect, it } from "vitest";
import { randomBase62 } from "../../../worker/crypto/base62";
import { KEY_ID_LENGTH } from "../../../worker/keys/key-format";
import { admin, call, createKey, snapshotTables, type TestUser, unique, user } from "../helpers/api";

interface Event {
  id: string;
  action: string;
  keyId: string | null;
}

interface Page {
  events: Event[];
  nextCursor: string | null;
}

function listEvents(reader: TestUser, query: string): Promise<Response> {
  return call("GET", `/v1/audit-events?${query}`, { token: reader.token });
}

async function pageOf(reader: TestUser, query: string): Promise<Page> {
  const res = await listEvents(reader, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** Every page of a listing, following nextCursor. */
async function allPages(reader: TestUser, query: string): Promise<Page[]> {
  const pages = [await pageOf(reader, query)];
  while (pages.at(-1)!.nextCursor) pages.push(await pageOf(reader, `${query}&cursor=${encodeURIComponent(pages.at(-1)!.nextCursor!)}`));
  return pages;
}

async function rename(owner: TestUser, keyId: string): Promise<void> {
  const res = await call("PATCH", `/v1/keys/${keyId}`, { token: owner.token, json: { name: unique("renamed") } });
  expect(res.status).toBe(200);
}

describe("GET /v1/audit-events?keyId=", () => {
  it("lists only that key's events, newest first", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const { key: other } = await createKey(alice);
    await rename(alice, key.id);
    await rename(alice, other.id);
    expect((await call("POST", `/v1/keys/${key.id}/revoke`, { token: alice.token })).status).toBe(200);
    const { events } = await pageOf(alice, `keyId=${key.id}`);
    expect(events.map((e) => [e.action, e.keyId])).toEqual([
      ["key.revoked", key.id],
      ["key.updated", key.id],
      ["key.created", key.id],
    ]);
  });

  it("gives a rotated key its rotation and its successor its creation", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const rotated = await call("POST", `/v1/keys/${key.id}/rotate`, { token: alice.token, json: { graceSeconds: 60 } });
    const { key: next } = (await rotated.json()) as { key: { id: string } };
    expect((await pageOf(alice, `keyId=${key.id}`)).events.map((e) => e.action)).toEqual(["key.rotated", "key.created"]);
    expect((await pageOf(alice, `keyId=${next.id}`)).events.map((e) => e.action)).toEqual(["key.created"]);
  });

  it("pages through one key's events with cursors that stay on that key", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    await createKey(alice);
    for (let i = 0; i < 4; i++) await rename(alice, key.id);
    const pages = await allPages(alice, `keyId=${key.id}&limit=2`);
    expect(pages.map((p) => p.events.length)).toEqual([2, 2, 1]);
    const events = pages.flatMap((p) => p.events);
    expect(events.every((e) => e.keyId === key.id)).toBe(true);
    expect(new Set(events.map((e) => e.id)).size).toBe(5);
    expect(events.at(-1)!.action).toBe("key.created");
  });

  it("refuses a cursor of another listing: the unfiltered one, or another key's", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    const { key: other } = await createKey(alice);
    await rename(alice, key.id);
    await rename(alice, other.id);
    const unfiltered = (await pageOf(alice, "limit=1")).nextCursor!;
    const otherKeys = (await pageOf(alice, `keyId=${other.id}&limit=1`)).nextCursor!;
    for (const cursor of [unfiltered, otherKeys]) {
      const res = await listEvents(alice, `keyId=${key.id}&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "invalid_cursor" });
    }
  });

  it("follows the log's visibility: an admin sees a member's key's events, a colleague and another org an empty page", async () => {
    const alice = await user();
    const { key } = await createKey(alice);
    expect((await pageOf(await admin(alice.orgId), `keyId=${key.id}`)).events.map((e) => e.action)).toEqual(["key.created"]);
    const colleague = await user({ orgId: alice.orgId });
    expect(await pageOf(colleague, `keyId=${key.id}`)).toEqual({ events: [], nextCursor: null });
    const stranger = await admin(unique("org_other"));
    expect(await pageOf(stranger, `keyId=${key.id}`)).toEqual({ events: [], nextCursor: null });
  });

  it("answers a well-formed id of no key with an empty page, like any filter that matches nothing", async () => {
    const alice = await user();
    await createKey(alice);
    expect(await pageOf(alice, `keyId=${randomBase62(KEY_ID_LENGTH)}`)).toEqual({ events: [], nextCursor: null });
  });

  it("refuses a keyId that is not a key id with 422, naming the field, and changes nothing", async () => {
    const alice = await user();
    await createKey(alice);
    const before = await snapshotTables();
    for (const keyId of ["short", "x".repeat(KEY_ID_LENGTH + 1), "abc-def_ghi.jklm", ""]) {
      const res = await listEvents(alice, `keyId=${encodeURIComponent(keyId)}`);
      expect(res.status, keyId).toBe(422);
      expect(res.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await res.json()).toMatchObject({ code: "validation_failed", errors: [{ field: "keyId" }] });
    }
    expect(await snapshotTables()).toEqual(before);
  });
});
