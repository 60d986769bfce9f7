import { describe, expect, it } from "vitest";
import { crc32 } from "../../../worker/keys/crc32";
import { generateApiKey, keyPattern, LIMITER_ID_LENGTH, parseApiKey, SECRET_LENGTH } from "../../../worker/keys/key-format";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

describe("key format", () => {
  it("computes the standard CRC-32 check value", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it("generates keys that match the documented regex and parse back to their id", () => {
    for (let i = 0; i < 200; i++) {
      const key = generateApiKey("ak_live_");
      expect(key.secret).toMatch(/^ak_live_[0-9A-Za-z]{55}$/);
      expect(key.secret).toMatch(keyPattern("ak_live_"));
      expect(parseApiKey(key.secret, "ak_live_")).toEqual({ id: key.id, secret: key.secret });
    }
  });

  it("carries at least 192 bits of secret", () => {
    expect(SECRET_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(192);
  });

  it("uses only characters a double-click selects whole", () => {
    expect(generateApiKey("ak_test_").secret).toMatch(/^\w+$/);
  });

  it("rejects every single-character substitution through the checksum", () => {
    const { secret } = generateApiKey("ak_live_");
    let accepted = 0;
    for (let pos = 8; pos < secret.length; pos++) {
      for (const ch of ALPHABET) {
        if (ch === secret[pos]) continue;
        const typo = secret.slice(0, pos) + ch + secret.slice(pos + 1);
        if (parseApiKey(typo, "ak_live_")) accepted++;
      }
    }
    expect(accepted).toBe(0);
  });

  it("rejects adjacent transpositions, truncation, extra characters and another prefix", () => {
    const { secret } = generateApiKey("ak_live_");
    for (let pos = 8; pos < secret.length - 1; pos++) {
      if (secret[pos] === secret[pos + 1]) continue;
      const swapped = secret.slice(0, pos) + secret[pos + 1] + secret[pos] + secret.slice(pos + 2);
      expect(parseApiKey(swapped, "ak_live_")).toBeNull();
    }
    expect(parseApiKey(secret.slice(0, -1), "ak_live_")).toBeNull();
    expect(parseApiKey(`${secret}a`, "ak_live_")).toBeNull();
    expect(parseApiKey(secret.replace("ak_live_", "ak_test_"), "ak_live_")).toBeNull();
    expect(parseApiKey(` ${secret}`, "ak_live_")).toBeNull();
  });

  it("gives a rotated key's successor the same limiter id and a different key id", () => {
    const first = generateApiKey("ak_live_");
    const next = generateApiKey("ak_live_", first.id);
    expect(next.id.slice(0, LIMITER_ID_LENGTH)).toBe(first.id.slice(0, LIMITER_ID_LENGTH));
    expect(next.id).not.toBe(first.id);
  });

  it("builds a hint from the public id and checksum only, never from secret characters", () => {
    const key = generateApiKey("ak_live_");
    const secretPart = key.secret.slice(8 + 16, 8 + 16 + SECRET_LENGTH);
    expect(key.hint).toBe(`ak_live_${key.id.slice(0, 4)}…${key.secret.slice(-4)}`);
    for (let i = 0; i + 4 <= secretPart.length; i++) {
      const window = secretPart.slice(i, i + 4);
      if (!key.id.includes(window) && !key.secret.slice(-6).includes(window)) expect(key.hint).not.toContain(window);
    }
  });
});
