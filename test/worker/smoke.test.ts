import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../worker/keys/crc32";
describe("smoke", () => {
  it("has d1", async () => {
    const r = await env.DB.prepare("SELECT count(*) AS n FROM api_keys").first<{ n: number }>();
    expect(r?.n).toBe(0);
    expect(crc32("123456789")).toBe(0xcbf43926);
  });
});
