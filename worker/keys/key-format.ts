import { encodeBase62, randomBase62 } from "./base62";
import { crc32 } from "./crc32";

/** Characters of the public key id inside a key. */
export const KEY_ID_LENGTH = 16;
/**
 * The leading characters of a key id that name its limiter: a rotated key and its successor
 * share them, so they share one Durable Object and one quota.
 */
export const LIMITER_ID_LENGTH = 12;
/** Characters of secret: 33 × log2(62) ≈ 196 bits. */
export const SECRET_LENGTH = 33;
/** Characters of the base62 CRC-32 checksum (62^6 > 2^32). */
export const CHECKSUM_LENGTH = 6;
const BODY_LENGTH = KEY_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
const BODY_PATTERN = new RegExp(`^[0-9A-Za-z]{${BODY_LENGTH}}$`);
const KEY_ID_PATTERN = new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`);

/** A freshly generated key: the full secret string (shown once) and what may be stored. */
export interface GeneratedKey {
  id: string;
  /** The whole key, `ak_live_…`. Never stored, logged or returned twice. */
  secret: string;
  hint: string;
}

/** A key string that passed the format and checksum check. */
export interface ParsedKey {
  id: string;
  /** The whole key string as presented. */
  secret: string;
}

/**
 * The regular expression a key of this deployment matches (format only; the checksum is
 * checked by {@link parseApiKey}).
 *
 * @example
 * keyPattern("ak_live_"); // /^ak_live_[0-9A-Za-z]{55}$/
 */
export function keyPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}[0-9A-Za-z]{${BODY_LENGTH}}$`);
}

/**
 * Generates a key. Pass `limiterOf` (the predecessor's id) when rotating, so the successor
 * shares the predecessor's limiter.
 *
 * @example
 * const { id, secret, hint } = generateApiKey("ak_live_");
 */
export function generateApiKey(prefix: string, limiterOf?: string): GeneratedKey {
  const limiterId = limiterOf ? limiterIdOf(limiterOf) : randomBase62(LIMITER_ID_LENGTH);
  const id = limiterId + randomBase62(KEY_ID_LENGTH - LIMITER_ID_LENGTH);
  const unchecked = prefix + id + randomBase62(SECRET_LENGTH);
  const secret = unchecked + checksum(unchecked);
  return { id, secret, hint: hintOf(prefix, secret) };
}

/**
 * Checks a presented key's prefix, length, alphabet and checksum without touching storage.
 * Returns null for anything that is not a well-formed key of this deployment.
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
  return { id: body.slice(0, KEY_ID_LENGTH), secret: raw };
}

/** Whether a string has the shape of a key id (used to refuse garbage ids before any query). */
export function isKeyId(value: string): boolean {
  return KEY_ID_PATTERN.test(value);
}

/** The limiter (Durable Object) name of a key id. */
export function limiterIdOf(keyId: string): string {
  return keyId.slice(0, LIMITER_ID_LENGTH);
}

function checksum(unchecked: string): string {
  return encodeBase62(crc32(unchecked), CHECKSUM_LENGTH);
}

/** `ak_live_AbCd…wXyZ`: the prefix, the first four characters of the public id, the last four of the checksum. */
function hintOf(prefix: string, secret: string): string {
  return `${prefix}${secret.slice(prefix.length, prefix.length + 4)}…${secret.slice(-4)}`;
}
