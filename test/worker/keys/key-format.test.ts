import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig, type KeyTagSecrets } from "../../../worker/config";
import { crc32 } from "../../../worker/crypto/crc32";
import {
  generateApiKey,
  hasValidTag,
  KEY_ID_LENGTH,
  keyPattern,
  LIMITER_ID_LENGTH,
  parseApiKey,
  SECRET_LENGTH,
  TAG_LENGTH,
} from "../../../worker/keys/key-format";
import { keyFor } from "../helpers/keys";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const secrets = (): KeyTagSecrets => readConfig(env).keyTagSecrets;
const mint = (prefix = "ak_live_", limiterOf?: string) => generateApiKey(prefix, secrets().current, limiterOf);
/** Offset of the secret part: prefix, id, tag-secret id, tag. */
const SECRET_AT = 8 + KEY_ID_LENGTH + 1 + TAG_LENGTH;

describe("key format", () => {
  it("computes the standard CRC-32 check value", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
  });

  it("generates keys that match the documented regex, parse back to their id and carry a valid tag", async () => {
    for (let i = 0; i < 200; i++) {
      const key = await mint();
      expect(key.secret).toMatch(/^ak_live_[0-9A-Za-z]{64}$/);
      expect(key.secret).toMatch(keyPattern("ak_live_"));
      const parsed = parseApiKey(key.secret, "ak_live_");
      expect(parsed).toMatchObject({ id: key.id, tagSecretId: secrets().current.id, secret: key.secret });
      expect(await hasValidTag(parsed!, "ak_live_", secrets())).toBe(true);
    }
  });

  it("carries at least 192 bits of secret and a tag of at least 47 bits", () => {
    expect(SECRET_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(192);
    expect(TAG_LENGTH * Math.log2(62)).toBeGreaterThanOrEqual(47);
  });

  it("uses only characters a double-click selects whole", async () => {
    expect((await mint("ak_test_")).secret).toMatch(/^\w+$/);
  });

  it("rejects every single-character substitution through the checksum", async () => {
    const { secret } = await mint();
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

  it("rejects adjacent transpositions, truncation, extra characters and another prefix", async () => {
    const { secret } = await mint();
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

  it("gives a rotated key's successor the same limiter id and a different key id", async () => {
    const first = await mint();
    const next = await mint("ak_live_", first.id);
    expect(next.id.slice(0, LIMITER_ID_LENGTH)).toBe(first.id.slice(0, LIMITER_ID_LENGTH));
    expect(next.id).not.toBe(first.id);
  });

  it("builds a hint from the public id and checksum only, never from secret or tag characters", async () => {
    const key = await mint();
    const hidden = key.secret.slice(8 + KEY_ID_LENGTH, SECRET_AT + SECRET_LENGTH);
    expect(key.hint).toBe(`ak_live_${key.id.slice(0, 4)}…${key.secret.slice(-4)}`);
    for (let i = 0; i + 4 <= hidden.length; i++) {
      const window = hidden.slice(i, i + 4);
      if (!key.id.includes(window) && !key.secret.slice(-6).includes(window)) expect(key.hint).not.toContain(window);
    }
  });
});

describe("the id tag", () => {
  it("refuses a checksum-valid key whose tag was not made with a tag secret", async () => {
    let accepted = 0;
    for (let i = 0; i < 500; i++) {
      const forged = parseApiKey(await keyFor({ tag: "forged" }), "ak_live_");
      expect(forged).not.toBeNull();
      if (await hasValidTag(forged!, "ak_live_", secrets())) accepted++;
    }
    expect(accepted).toBe(0);
  });

  it("refuses a real key's tag moved onto another id (the tag binds the id)", async () => {
    const real = parseApiKey((await mint()).secret, "ak_live_")!;
    const other = parseApiKey(await keyFor(), "ak_live_")!;
    expect(await hasValidTag({ ...other, tag: real.tag }, "ak_live_", secrets())).toBe(false);
  });

  it("refuses a tag made for another prefix (another deployment's keys)", async () => {
    const key = parseApiKey(await keyFor({ prefix: "ak_test_" }), "ak_test_")!;
    expect(await hasValidTag(key, "ak_live_", secrets())).toBe(false);
    expect(await hasValidTag(key, "ak_test_", secrets())).toBe(true);
  });

  it("refuses a tag-secret id that is not configured, even with a tag from a known secret", async () => {
    const key = parseApiKey(await keyFor(), "ak_live_")!;
    expect(await hasValidTag({ ...key, tagSecretId: "z" }, "ak_live_", secrets())).toBe(false);
  });

  it("keeps verifying keys of an older secret after a newer one is put in front (rotation)", async () => {
    const [older, newer] = [
      { id: "a", secret: "older-tag-secret-0123456789abcdef0123456789" },
      { id: "b", secret: "newer-tag-secret-0123456789abcdef0123456789" },
    ];
    const before: KeyTagSecrets = { current: older, byId: new Map([[older.id, older.secret]]) };
    const after: KeyTagSecrets = { current: newer, byId: new Map([[newer.id, newer.secret], [older.id, older.secret]]) };
    const retired: KeyTagSecrets = { current: newer, byId: new Map([[newer.id, newer.secret]]) };
    const oldKey = parseApiKey((await generateApiKey("ak_live_", older)).secret, "ak_live_")!;
    const newKey = parseApiKey((await generateApiKey("ak_live_", newer)).secret, "ak_live_")!;
    expect(oldKey.tagSecretId).toBe("a");
    expect(newKey.tagSecretId).toBe("b");
    expect(await hasValidTag(oldKey, "ak_live_", before)).toBe(true);
    expect(await hasValidTag(oldKey, "ak_live_", after)).toBe(true);
    expect(await hasValidTag(newKey, "ak_live_", after)).toBe(true);
    expect(await hasValidTag(newKey, "ak_live_", before)).toBe(false);
    // Removing a secret retires every key it tagged at once.
    expect(await hasValidTag(oldKey, "ak_live_", retired)).toBe(false);
  });
});
