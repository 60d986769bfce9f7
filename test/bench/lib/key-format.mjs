import { randomInt } from "node:crypto";
import { crc32 } from "node:zlib";

// Mirrors worker/keys/key-format.ts (README "Keys"): prefix, 16-char id, 33-char secret, and a
// 6-char base62 CRC-32 of everything before it.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PREFIX = "ak_live_";
const ID_LENGTH = 16;
const SECRET_LENGTH = 33;
const CHECKSUM_LENGTH = 6;

/**
 * A well-formed key with a correct checksum for a random id that the Worker never issued: it
 * passes the format check, so the Worker must ask the key's Durable Object about it.
 *
 * @example
 * const key = unknownKey(); // "ak_live_…", valid checksum, unknown id
 */
export function unknownKey() {
  const unchecked = PREFIX + randomBase62(ID_LENGTH + SECRET_LENGTH);
  return unchecked + checksumOf(unchecked);
}

/**
 * `key` with one character of its id or secret replaced, so its checksum no longer matches
 * (CRC-32 detects every single-character change).
 *
 * @example
 * withTypo(secret); // rejected by the format check alone
 */
export function withTypo(key) {
  const at = PREFIX.length + randomInt(ID_LENGTH + SECRET_LENGTH);
  const replacement = ALPHABET[(ALPHABET.indexOf(key[at]) + 1 + randomInt(ALPHABET.length - 1)) % ALPHABET.length];
  const typo = key.slice(0, at) + replacement + key.slice(at + 1);
  if (hasValidChecksum(typo)) throw new Error("a one-character change kept the checksum valid");
  return typo;
}

/** Whether a key's last six characters are the base62 CRC-32 of the rest. */
export function hasValidChecksum(key) {
  const unchecked = key.slice(0, -CHECKSUM_LENGTH);
  return checksumOf(unchecked) === key.slice(-CHECKSUM_LENGTH);
}

function checksumOf(unchecked) {
  let rest = crc32(unchecked);
  let out = "";
  do {
    out = ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(CHECKSUM_LENGTH, "0");
}

function randomBase62(length) {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
