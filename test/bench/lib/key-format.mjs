import { randomInt } from "node:crypto";
import { crc32 } from "node:zlib";

// Mirrors worker/keys/key-format.ts (README "Keys"): prefix, 16-char id, 1-char tag-secret id,
// 8-char id tag (HMAC under a server secret the bench does not have), 33-char secret, and a
// 6-char base62 CRC-32 of everything before it.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PREFIX = "ak_live_";
const ID_LENGTH = 16;
const TAG_SECRET_ID_LENGTH = 1;
const TAG_LENGTH = 8;
const SECRET_LENGTH = 33;
const CHECKSUM_LENGTH = 6;
const BODY_LENGTH = ID_LENGTH + TAG_SECRET_ID_LENGTH + TAG_LENGTH + SECRET_LENGTH;

/**
 * A forged key: well-formed, with a correct checksum (the checksum is public), a random id and
 * a made-up tag, as anyone can mint without the server's tag secret.
 *
 * @example
 * const key = forgedKey(); // "ak_live_…", valid checksum, forged tag
 */
export function forgedKey() {
  return withChecksum(PREFIX + randomBase62(BODY_LENGTH));
}

/**
 * A real key's id and tag with another secret part and a recomputed checksum: it passes every
 * check the edge can make alone, so the key's Durable Object decides (and refuses) it.
 *
 * @example
 * wrongSecretFor(secret); // same id and tag, other secret
 */
export function wrongSecretFor(key) {
  const keep = PREFIX.length + ID_LENGTH + TAG_SECRET_ID_LENGTH + TAG_LENGTH;
  return withChecksum(key.slice(0, keep) + randomBase62(SECRET_LENGTH));
}

/**
 * `key` with one character of its body replaced, so its checksum no longer matches
 * (CRC-32 detects every single-character change).
 *
 * @example
 * withTypo(secret); // rejected by the format check alone
 */
export function withTypo(key) {
  const at = PREFIX.length + randomInt(BODY_LENGTH);
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

/**
 * The `i`-th of many client addresses, from the benchmarking range 198.18.0.0/15 (RFC 2544).
 *
 * @example
 * spreadAddress(0); // "198.18.0.0"
 */
export function spreadAddress(i) {
  return `198.${18 + ((i >> 16) & 1)}.${(i >> 8) & 255}.${i & 255}`;
}

function withChecksum(unchecked) {
  return unchecked + checksumOf(unchecked);
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
