import { afterEach, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { createApp } from "../../worker/app";
import { GENERIC_UNAUTHORIZED_BODY } from "../../worker/http/outcome-problems";
import { JwksResponse, WhoamiResponse } from "../../worker/edge/edge-schemas";
import { openApiDocument } from "../../worker/openapi/openapi-document";
import { HealthResponse } from "../../worker/routes/healthz";
import { VerifyOutcome } from "../../worker/routes/verify-contract";
import type { VerificationResult } from "../../worker/verify/verification-result";
import { call, createKey, user, useKey } from "./helpers/api";

afterEach(() => vi.restoreAllMocks());

/** The service token of test/vitest.config.ts. */
const VERIFY_TOKEN = "test-verify-token-0123456789abcdef0123";

/**
 * Compile-time half of the verify contract: every outcome the route can return fits the
 * documented schema (worker/routes/verify-contract.ts), and has no member the schema lacks. A
 * new code, member or type in `VerificationResult` fails `tsc` here until the document says it.
 */
const _everyOutcomeIsDocumented = (result: VerificationResult): z.output<typeof VerifyOutcome> => result;
type MembersOf<T> = T extends unknown ? keyof T : never;
type Undocumented = Exclude<MembersOf<VerificationResult>, keyof z.output<typeof VerifyOutcome>>;
const _noUndocumentedMember: [Undocumented] extends [never] ? true : Undocumented = true;
void [_everyOutcomeIsDocumented, _noUndocumentedMember];

describe("the documented response schemas match what the routes send", () => {
  it("GET /api/whoami: the body parses with the documented schema, and the rate-limit fields are there", async () => {
    const owner = await user({ name: "Ada Example", permissions: ["contacts:read"] });
    const { secret } = await createKey(owner);
    const res = await useKey(secret);
    expect(res.status).toBe(200);
    const body = WhoamiResponse.parse(await res.json());
    expect(body.user).toEqual({ id: owner.userId, name: "Ada Example" });
    expect(res.headers.get("RateLimit")).toMatch(/^"burst";r=\d+;t=\d+$/);
    expect(res.headers.get("RateLimit-Policy")).toBe('"burst";q=10;w=1, "minute";q=100;w=60');
  });

  it("the key check's constant 401 is exactly the documented InvalidApiKeyProblem", async () => {
    const res = await useKey("ak_live_not-a-key");
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    const schema = (openApiDocument(createApp()) as { components: { schemas: Record<string, { properties: Record<string, { const: unknown }> }> } })
      .components.schemas.InvalidApiKeyProblem!;
    expect(body).toEqual(Object.fromEntries(Object.entries(schema.properties).map(([name, p]) => [name, p.const])));
    expect(JSON.stringify(body)).toBe(GENERIC_UNAUTHORIZED_BODY);
  });

  it("GET /healthz: ready and not ready both parse with the documented schema", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const ready = await call("GET", "/healthz");
    expect(ready.status).toBe(200);
    expect(HealthResponse.parse(await ready.json()).status).toBe("ok");
    const broken = await call("GET", "/healthz", { env: { KEY_HASH_SECRET: undefined } });
    expect(broken.status).toBe(503);
    expect(HealthResponse.parse(await broken.json()).status).toBe("unavailable");
  });

  it("GET /.well-known/jwks.json parses with the documented schema", async () => {
    const res = await call("GET", "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(JwksResponse.parse(await res.json()).keys.length).toBeGreaterThan(0);
  });

  it("POST /v1/verify: an admitted key, a forbidden one and an invalid one parse with the documented outcome", async () => {
    const owner = await user({ permissions: ["contacts:read"] });
    const { secret } = await createKey(owner);
    const verify = (json: unknown) => call("POST", "/v1/verify", { token: VERIFY_TOKEN, json });
    for (const [request, code] of [
      [{ key: secret }, "valid"],
      [{ key: secret, permission: "invoices:write" }, "forbidden"],
      [{ key: "ak_live_nope", clientAddress: "192.0.2.1" }, "invalid_api_key"],
    ] as const) {
      const res = await verify(request);
      expect(res.status).toBe(200);
      expect(VerifyOutcome.parse(await res.json()).code).toBe(code);
    }
  });
});
