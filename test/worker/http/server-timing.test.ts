import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import production from "../../../worker/index";
import { call, createKey, randomAddress, user, useKey } from "../helpers/api";
import { keyFor } from "../helpers/keys";

/** A response's `Server-Timing` entries in order, as name → milliseconds. */
function serverTiming(res: Response): Map<string, number> {
  const header = res.headers.get("Server-Timing");
  if (header === null) return new Map();
  return new Map(
    header.split(", ").map((entry) => {
      const [name, dur] = entry.split(";dur=");
      return [name!, Number(dur)];
    }),
  );
}

describe("Server-Timing of the local-development entry", () => {
  it("times the id tag, the digest, the call to the key's object and the whole request of an admitted key", async () => {
    const { secret } = await createKey(await user());
    const res = await useKey(secret);
    expect(res.status).toBe(200);
    const timing = serverTiming(res);
    expect([...timing.keys()]).toEqual(["tag", "digest", "object", "total"]);
    for (const ms of timing.values()) expect(ms).toBeGreaterThanOrEqual(0);
    expect(timing.get("total")).toBeGreaterThanOrEqual(timing.get("object")!);
  });

  it("stops at the tag for a forged key: no digest, no object call", async () => {
    const res = await useKey(await keyFor({ tag: "forged" }));
    expect(res.status).toBe(401);
    expect([...serverTiming(res).keys()]).toEqual(["tag", "total"]);
  });

  it("has only the total for a malformed key, which is refused before any HMAC", async () => {
    const res = await useKey("ak_live_not-a-key");
    expect(res.status).toBe(401);
    expect([...serverTiming(res).keys()]).toEqual(["total"]);
  });

  it("is sent on /api/* only", async () => {
    for (const path of ["/healthz", "/v1/openapi.json", "/nothing-here"]) {
      expect((await call("GET", path)).headers.get("Server-Timing"), path).toBeNull();
    }
  });
});

describe("the production entry (worker/index.ts)", () => {
  it("sends no Server-Timing, not even for an admitted key", async () => {
    const { secret } = await createKey(await user());
    const ctx = createExecutionContext();
    const request = new Request("http://127.0.0.1:8787/api/whoami", { headers: { "X-API-Key": secret, "CF-Connecting-IP": randomAddress() } });
    const res = await production.fetch(request, env, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(res.headers.get("Server-Timing")).toBeNull();
  });
});
