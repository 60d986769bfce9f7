import { describe, expect, it } from "vitest";
import { LIMITER_ID_LENGTH } from "../../../worker/keys/key-format";
import { call, createKey, type KeyJson, user } from "../helpers/api";

const DAY = 86_400_000;
type Rotated = { key: KeyJson; secret: string; previous: KeyJson };

async function rotate(token: string, id: string, json?: unknown): Promise<Response> {
  return call("POST", `/v1/keys/${id}/rotate`, { token, json });
}

describe("POST /v1/keys/{id}/rotate", () => {
  it("issues a successor with the same name and scopes, linked both ways, sharing the limiter", async () => {
    const alice = await user();
    const { key: old, secret: oldSecret } = await createKey(alice, { name: "Website", scopes: ["contacts:read"] });
    const res = await rotate(alice.token, old.id, { graceSeconds: 3600 });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const body = (await res.json()) as Rotated;
    expect(body.secret).not.toBe(oldSecret);
    expect(body.key).toMatchObject({ name: "Website", scopes: ["contacts:read"], rotatedFromId: old.id, status: "active" });
    expect(body.previous).toMatchObject({ id: old.id, rotatedToId: body.key.id });
    expect(body.key.id.slice(0, LIMITER_ID_LENGTH)).toBe(old.id.slice(0, LIMITER_ID_LENGTH));
    const stored = (await (await call("GET", `/v1/keys/${old.id}`, { token: alice.token })).json()) as { key: KeyJson };
    expect(stored.key.rotatedToId).toBe(body.key.id);
  });

  it("keeps the same lifetime policy: a 30-day key's successor expires 30 days after the rotation", async () => {
    const alice = await user();
    const { key: old } = await createKey(alice, { expiresAt: new Date(Date.now() + 30 * DAY).toISOString() });
    const before = Date.now();
    const body = (await (await rotate(alice.token, old.id)).json()) as Rotated;
    const lifetime = Date.parse(old.expiresAt!) - Date.parse(old.createdAt);
    const expected = Date.parse(body.key.createdAt) + lifetime;
    expect(Date.parse(body.key.expiresAt!)).toBe(expected);
    expect(Date.parse(body.key.createdAt)).toBeGreaterThanOrEqual(before);
  });

  it("keeps a key without expiry without expiry, and leaves the old key working when no grace is given", async () => {
    const alice = await user();
    const { key: old } = await createKey(alice);
    const body = (await (await rotate(alice.token, old.id)).json()) as Rotated;
    expect(body.key.expiresAt).toBeNull();
    expect(body.previous.expiresAt).toBeNull();
    expect(body.previous.status).toBe("active");
  });

  it("ends the old key after graceSeconds", async () => {
    const alice = await user();
    const { key: old } = await createKey(alice);
    const body = (await (await rotate(alice.token, old.id, { graceSeconds: 600 })).json()) as Rotated;
    const graceEnd = Date.parse(body.previous.expiresAt!) - Date.parse(body.key.createdAt);
    expect(graceEnd).toBe(600_000);
  });

  it("never extends the old key's expiry past its own", async () => {
    const alice = await user();
    const ownExpiry = new Date(Math.floor((Date.now() + 2 * DAY) / 1000) * 1000).toISOString();
    const { key: old } = await createKey(alice, { expiresAt: ownExpiry });
    const body = (await (await rotate(alice.token, old.id, { graceSeconds: 604_800 })).json()) as Rotated;
    expect(body.previous.expiresAt).toBe(ownExpiry);
  });

  it("expires the old key at once with graceSeconds 0", async () => {
    const alice = await user();
    const { key: old } = await createKey(alice);
    const body = (await (await rotate(alice.token, old.id, { graceSeconds: 0 })).json()) as Rotated;
    expect(body.previous.status).toBe("expired");
  });

  it("refuses to rotate a revoked key or one already rotated, with 409", async () => {
    const alice = await user();
    const { key: revoked } = await createKey(alice);
    await call("POST", `/v1/keys/${revoked.id}/revoke`, { token: alice.token });
    const r1 = await rotate(alice.token, revoked.id);
    expect(r1.status).toBe(409);
    expect(await r1.json()).toMatchObject({ code: "key_not_active" });
    const { key: once } = await createKey(alice);
    expect((await rotate(alice.token, once.id)).status).toBe(201);
    expect((await rotate(alice.token, once.id)).status).toBe(409);
  });

  it("records key.created for the successor and key.rotated for the old key", async () => {
    const alice = await user();
    const { key: old } = await createKey(alice);
    const body = (await (await rotate(alice.token, old.id)).json()) as Rotated;
    const { events } = (await (await call("GET", "/v1/audit-events", { token: alice.token })).json()) as {
      events: { action: string; keyId: string }[];
    };
    expect(events.slice(0, 3).map((e) => [e.action, e.keyId]).sort()).toEqual(
      [["key.created", body.key.id], ["key.created", old.id], ["key.rotated", old.id]].sort(),
    );
  });
});
