import { afterEach, describe, expect, it, vi } from "vitest";
import { createKey, user, useKey } from "../helpers/api";
import { captureUpstream } from "../helpers/upstream";

afterEach(() => vi.restoreAllMocks());

const UPSTREAM = { UPSTREAM_URL: "https://backend.internal/v2" };

describe("forwarding /api/* to UPSTREAM_URL", () => {
  it("forwards with the key removed and the key's identity added", async () => {
    const alice = await user({ permissions: ["contacts:read", "deals:read"] });
    const { key, secret } = await createKey(alice);
    const seen = captureUpstream();
    const res = await useKey(secret, "/api/deals/42?expand=owner", { env: UPSTREAM });
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Upstream")).toBe("yes");
    expect(res.headers.get("RateLimit")).toBe('"burst";r=9;t=1');
    const sent = seen[0]!;
    expect(sent.url).toBe("https://backend.internal/v2/deals/42?expand=owner");
    expect(sent.headers.get("X-API-Key")).toBeNull();
    expect(sent.headers.get("X-Api-Key-Id")).toBe(key.id);
    expect(sent.headers.get("X-Api-User-Id")).toBe(alice.userId);
    expect(sent.headers.get("X-Api-Org-Id")).toBe(alice.orgId);
    expect(sent.headers.get("X-Api-Permissions")).toBe("contacts:read deals:read");
  });

  it("strips identity headers a client sends before adding its own", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const seen = captureUpstream();
    await useKey(secret, "/api/deals", {
      env: UPSTREAM,
      headers: { "X-Api-Org-Id": "org_victim", "X-Api-User-Id": "admin", "X-Api-Permissions": "everything" },
    });
    expect(seen[0]!.headers.get("X-Api-Org-Id")).toBe(alice.orgId);
    expect(seen[0]!.headers.get("X-Api-User-Id")).toBe(alice.userId);
    expect(seen[0]!.headers.get("X-Api-Permissions")).toBe(alice.permissions.join(" "));
  });

  it("never passes a key found in the query string upstream", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    const seen = captureUpstream();
    await useKey(secret, `/api/deals?api_key=${secret}&page=2`, { env: UPSTREAM });
    expect(seen[0]!.url).toBe("https://backend.internal/v2/deals?page=2");
  });

  it("does not call the upstream for a refused key", async () => {
    const seen = captureUpstream();
    expect((await useKey("ak_live_nope", "/api/deals", { env: UPSTREAM })).status).toBe(401);
    expect(seen).toHaveLength(0);
  });

  it("answers 502 problem+json when the upstream is unreachable", async () => {
    const alice = await user();
    const { secret } = await createKey(alice);
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    const res = await useKey(secret, "/api/deals", { env: UPSTREAM });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ code: "upstream_unavailable" });
  });
});
