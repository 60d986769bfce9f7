// crypto/: the primitives the rest is built on: HMAC-SHA-256 digests and their timing-safe
// comparison (hmac.ts), base64url, base62 and random ids (base62.ts), CRC-32 (crc32.ts), ECDSA
// P-256 signatures in DER and SHA-256 in hex (ecdsa.ts), and the public JWK type. No policy lives
// here. Floor: imports only errors/ and schemas/.

const encoder = new TextEncoder();
const hmacKeys = new Map<string, Promise<CryptoKey>>();

/**
 * HMAC-SHA-256 of a key under the deployment's `KEY_HASH_SECRET`, base64url-encoded. This is
 * all that storage ever holds of a key's secret.
 *
 * @example
 * const digest = await digestKey(secret, config.keyHashSecret);
 */
export async function digestKey(secret: string, hashSecret: string): Promise<string> {
  return toBase64Url(await hmacSha256(hashSecret, secret));
}

/**
 * HMAC-SHA-256 of `text` under `secret` (the imported key is cached per secret).
 *
 * @example
 * const mac = await hmacSha256(config.keyHashSecret, "cursor:…");
 */
export async function hmacSha256(secret: string, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(text)));
}

/**
 * Compares two digests in constant time (no early exit on the first differing byte).
 *
 * @example
 * if (digestsEqual(await digestKey(presented, s), stored)) { … }
 */
export function digestsEqual(a: string, b: string): boolean {
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.byteLength !== right.byteLength) return false;
  return crypto.subtle.timingSafeEqual(left, right);
}

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

/** Base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64url (padding optional); null when the text is not base64url. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/**
 * HMAC-SHA-256 of raw bytes under `secret` (a signed request body, byte for byte).
 *
 * @example
 * const mac = await hmacSha256Bytes(config.leaks.hmacSecret, bodyBytes);
 */
export async function hmacSha256Bytes(secret: string, bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), bytes));
}
