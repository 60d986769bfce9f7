const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** The largest multiple of 62 below 256: bytes at or above it are redrawn so every char is uniform. */
const UNBIASED_LIMIT = 248;

/**
 * `length` uniformly random base62 characters from `crypto.getRandomValues`
 * (log2(62) ≈ 5.95 bits of entropy each).
 *
 * @example
 * randomBase62(33); // "q3ZbX…", 196 bits
 */
export function randomBase62(length: number): string {
  let out = "";
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte < UNBIASED_LIMIT) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * A non-negative integer in base62, left-padded with "0" to `width` characters.
 *
 * @example
 * encodeBase62(61, 6); // "00000z"
 */
export function encodeBase62(value: number, width: number): string {
  let out = "";
  let rest = value;
  do {
    out = ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(width, "0");
}

/**
 * `length` base62 characters derived from the SHA-256 of `text`: the same text always gives the
 * same characters (an id that a retry or a concurrent writer derives identically). Up to 21
 * characters (125 bits) come from the digest's first 16 bytes.
 *
 * @example
 * await derivedBase62("key123|key.expired||1767225600000", 20); // "4fQ…", 20 characters
 */
export async function derivedBase62(text: string, length: number): Promise<string> {
  if (length > 21) throw new RangeError("derivedBase62 gives at most 21 characters");
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let value = 0n;
  for (const byte of digest.subarray(0, 16)) value = (value << 8n) | BigInt(byte);
  let out = "";
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(value % 62n)] + out;
    value /= 62n;
  }
  return out;
}
