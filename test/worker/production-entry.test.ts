import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../worker/app";
import production from "../../worker/index";
import { createKey, user, useKey } from "./helpers/api";

/** A request through the production entry (worker/index.ts) with the test env, DEV_LOGIN included. */
async function viaProduction(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await production.fetch(new Request(`http://127.0.0.1:8787${path}`, { method, ...init }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("the production entry (worker/index.ts)", () => {
  it("has no /dev routes and no demo page, even where DEV_LOGIN is true", async () => {
    const paths = createApp().routes.map((r) => r.path);
    expect(paths.some((p) => p.startsWith("/dev"))).toBe(false);
    for (const [method, path] of [["POST", "/dev/session"], ["GET", "/"], ["GET", "/index.html"], ["GET", "/demo.js"]] as const) {
      const res = await viaProduction(method, path, method === "POST" ? { body: "{}", headers: { "Content-Type": "application/json" } } : {});
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: "not_found" });
    }
  });

  it("serves no sample contacts, even where DEV_LOGIN is true and no upstream is set", async () => {
    const { secret } = await createKey(await user());
    expect((await useKey(secret, "/api/contacts")).status).toBe(200); // the development entry
    const res = await viaProduction("GET", "/api/contacts", { headers: { "X-API-Key": secret, "CF-Connecting-IP": "2001:db8::1" } });
    expect(res.status).toBe(404);
  });

  it("consumes the webhook queues and runs the webhooks' sweep on schedule", () => {
    expect(typeof production.queue).toBe("function");
    expect(typeof production.scheduled).toBe("function");
  });

  it("serves the product: readiness, the element's module, docs and the key-protected API", async () => {
    expect((await viaProduction("GET", "/healthz")).status).toBe(200);
    expect((await viaProduction("GET", "/docs")).status).toBe(200);
    expect((await viaProduction("GET", "/v1/openapi.json")).status).toBe(200);
    const { secret } = await createKey(await user());
    const res = await viaProduction("GET", "/api/whoami", { headers: { "X-API-Key": secret, "CF-Connecting-IP": "2001:db8::2" } });
    expect(res.status).toBe(200);
  });
});
