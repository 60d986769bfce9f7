// keys/: what a key is: its string format (prefix, id, tag, secret, checksum), the stored
// record, its status and expiry rules, the request and response schemas, and the D1 keys store.
// Floor: imports users/, audit/, paging/, config and below; the Durable Object that decides a
// key's requests lives a floor up, in authority/.

import type { KeyTagSecret, KeyTagSecrets } from "../config";
import { encodeBase62, randomBase62 } from "../crypto/base62";
import { crc32 } from "../crypto/crc32";
import { hmacSha256 } from "../crypto/hmac";

/** Characters of the public key id inside a key. */
export const KEY_ID_LENGTH = 16;
/**
 * The leading characters of a key id that name its limiter: a rotated key and its successor
 * share them, so they share one Durable Object and one quota.
 */
export const LIMITER_ID_LENGTH = 12;
/** Characters of the tag-secret id: names which `KEY_TAG_SECRETS` entry tagged the key. */
export const TAG_SECRET_ID_LENGTH = 1;
/** Characters of the id tag: base62 of 48 bits of HMAC-SHA-256 (62^8 ≈ 2^47.6 values). */
export const TAG_LENGTH = 8;
/** Characters of secret: 33 × log2(62) ≈ 196 bits. */
export const SECRET_LENGTH = 33;
/** Characters of the base62 CRC-32 checksum (62^6 > 2^32). */
export const CHECKSUM_LENGTH = 6;
const BODY_LENGTH = KEY_ID_LENGTH + TAG_SECRET_ID_LENGTH + TAG_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
const BODY_PATTERN = new RegExp(`^[0-9A-Za-z]{${BODY_LENGTH}}$`);
const KEY_ID_PATTERN = new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`);
const TAG_SPACE = 62 ** TAG_LENGTH;

/** A freshly generated key: the full secret string (shown once) and what may be stored. */
export interface GeneratedKey {
  id: string;
  /** The whole key, `ak_live_…`. Never stored, logged or returned twice. */
  secret: string;
  hint: string;
}

/** A key string that passed the format and checksum check; its tag is not verified yet. */
export interface ParsedKey {
  id: string;
  /** Which `KEY_TAG_SECRETS` entry the key claims tagged it. */
  tagSecretId: string;
  tag: string;
  /** The whole key string as presented. */
  secret: string;
}

/**
 * The regular expression a key of this deployment matches (format only; the checksum is
 * checked by {@link parseApiKey}, the tag by {@link hasValidTag}). Secret scanners use it.
 *
 * @example
 * keyPattern("ak_live_"); // /^ak_live_[0-9A-Za-z]{64}$/
 */
export function keyPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}[0-9A-Za-z]{${BODY_LENGTH}}$`);
}

/**
 * Generates a key: `prefix + id + tag-secret id + tag + secret + checksum`. The tag is an HMAC of
 * the prefix and id under the current tag secret, so only this deployment can mint an id that
 * reaches storage. Pass `limiterOf` (the predecessor's id) when rotating, so the successor shares
 * the predecessor's limiter.
 *
 * @example
 * const { id, secret, hint } = await generateApiKey("ak_live_", config.keyTagSecrets.current);
 */
export async function generateApiKey(prefix: string, tagSecret: KeyTagSecret, limiterOf?: string): Promise<GeneratedKey> {
  const limiterId = limiterOf ? limiterIdOf(limiterOf) : randomBase62(LIMITER_ID_LENGTH);
  const id = limiterId + randomBase62(KEY_ID_LENGTH - LIMITER_ID_LENGTH);
  const tag = await tagOf(prefix, id, tagSecret.secret);
  const unchecked = prefix + id + tagSecret.id + tag + randomBase62(SECRET_LENGTH);
  const secret = unchecked + checksum(unchecked);
  return { id, secret, hint: hintOf(prefix, secret) };
}

/**
 * Checks a presented key's prefix, length, alphabet and checksum without touching storage or
 * secrets. Returns null for anything that is not a well-formed key of this deployment. A parsed
 * key may still be forged: check {@link hasValidTag} before any storage call.
 *
 * @example
 * parseApiKey(request.headers.get("X-API-Key") ?? "", "ak_live_")?.id;
 */
export function parseApiKey(raw: string, prefix: string): ParsedKey | null {
  if (!raw.startsWith(prefix)) return null;
  const body = raw.slice(prefix.length);
  if (!BODY_PATTERN.test(body)) return null;
  const unchecked = raw.slice(0, raw.length - CHECKSUM_LENGTH);
  if (checksum(unchecked) !== raw.slice(-CHECKSUM_LENGTH)) return null;
  const tagAt = KEY_ID_LENGTH + TAG_SECRET_ID_LENGTH;
  return {
    id: body.slice(0, KEY_ID_LENGTH),
    tagSecretId: body.slice(KEY_ID_LENGTH, tagAt),
    tag: body.slice(tagAt, tagAt + TAG_LENGTH),
    secret: raw,
  };
}

/**
 * Whether a parsed key's id tag was made by one of this deployment's tag secrets (the one the
 * key names). One HMAC, no storage: a key that fails here never reaches a Durable Object.
 *
 * @example
 * if (!(await hasValidTag(parsed, config.keyPrefix, config.keyTagSecrets))) return unauthorized(id);
 */
export async function hasValidTag(parsed: ParsedKey, prefix: string, secrets: KeyTagSecrets): Promise<boolean> {
  const secret = secrets.byId.get(parsed.tagSecretId);
  if (secret === undefined) return false;
  const expected = new TextEncoder().encode(await tagOf(prefix, parsed.id, secret));
  const presented = new TextEncoder().encode(parsed.tag);
  return expected.byteLength === presented.byteLength && crypto.subtle.timingSafeEqual(expected, presented);
}

/** Whether a string has the shape of a key id (used to refuse garbage ids before any query). */
export function isKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}

/** The limiter (Durable Object) name of a key id. */
export function limiterIdOf(keyId: string): string {
  return keyId.slice(0, LIMITER_ID_LENGTH);
}

/**
 * The tag of a key id: the first 48 bits of HMAC-SHA-256(secret, prefix + id), in base62.
 *
 * @example
 * await tagOf("ak_live_", id, config.keyTagSecrets.current.secret); // "3fZq09Lk"
 */
export async function tagOf(prefix: string, id: string, secret: string): Promise<string> {
  const mac = await hmacSha256(secret, `key-id-tag\n${prefix}${id}`);
  let value = 0;
  for (let i = 0; i < 6; i++) value = value * 256 + mac[i]!;
  return encodeBase62(value % TAG_SPACE, TAG_LENGTH);
}

function checksum(unchecked: string): string {
  return encodeBase62(crc32(unchecked), CHECKSUM_LENGTH);
}

/** `ak_live_AbCd…wXyZ`: the prefix, the first four characters of the public id, the last four of the checksum. */
function hintOf(prefix: string, secret: string): string {
  return `${prefix}${secret.slice(prefix.length, prefix.length + 4)}…${secret.slice(-4)}`;
}
