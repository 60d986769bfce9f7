import { describe, expect, it } from "vitest";
import type { ProblemBody } from "../../../worker/http/problem";
import { call, createKey, user, useKey } from "../helpers/api";

/** `req_` and 20 base62 characters. */
const REQUEST_ID = /^req_[0-9A-Za-z]{20}$/;

describe("request ids", () => {
  it("gives every response its own id in our format, the same as in its problem body", async () => {
    const ids = new Set<string>();
    for (const path of ["/v1/openapi.json", "/nothing-here", "/docs", "/api/whoami"]) {
      const res = await call("GET", path);
      const id = res.headers.get("X-Request-Id") ?? "";
      expect(id, path).toMatch(REQUEST_ID);
      if (res.headers.get("Content-Type") === "application/problem+json" && res.status !== 401) {
        expect(((await res.json()) as ProblemBody).requestId).toBe(id);
      }
      ids.add(id);
    }
    expect(ids.size).toBe(4);
  });

  it("never adopts an id the client sends", async () => {
    const res = await call("GET", "/nothing-here", { headers: { "X-Request-Id": "req_chosenByTheClient0" } });
    const id = res.headers.get("X-Request-Id") ?? "";
    expect(id).toMatch(REQUEST_ID);
    expect(id).not.toBe("req_chosenByTheClient0");
    expect(((await res.json()) as ProblemBody).requestId).toBe(id);
  });

  it("sets the id on responses a handler builds itself: a preflight, a key's admitted answer, a static file", async () => {
    const preflight = await call("OPTIONS", "/v1/keys", { headers: { Origin: "https://app.example.com", "Access-Control-Request-Method": "POST" } });
    expect(preflight.headers.get("X-Request-Id")).toMatch(REQUEST_ID);
    const alice = await user();
    const { secret } = await createKey(alice);
    expect((await useKey(secret)).headers.get("X-Request-Id")).toMatch(REQUEST_ID);
    const asset = await call("GET", "/component/api-keys-settings.js");
    expect(asset.headers.get("X-Request-Id")).toMatch(REQUEST_ID);
  });
});
