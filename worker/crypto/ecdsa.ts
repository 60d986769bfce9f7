const P256_COORDINATE_BYTES = 32;

/**
 * Verifies an ECDSA P-256 / SHA-256 signature in ASN.1 DER (what OpenSSL, Go and GitHub produce)
 * over `data`, with a public key in PEM (SPKI). Web Crypto takes the raw `r || s` form, so the
 * DER is converted first; anything that is not a well-formed signature or key is simply `false`.
 *
 * @example
 * await verifyEcdsaP256Der(pem, derSignature, bodyBytes); // true or false, never throws
 */
export async function verifyEcdsaP256Der(pem: string, der: Uint8Array, data: Uint8Array): Promise<boolean> {
  const raw = derToRawSignature(der);
  if (!raw) return false;
  try {
    const key = await importP256Spki(pem);
    return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, raw, data);
  } catch {
    return false;
  }
}

const keys = new Map<string, Promise<CryptoKey>>();

/** Imports a PEM (SPKI) P-256 public key for verifying; cached per PEM (a rejected import is not kept). */
function importP256Spki(pem: string): Promise<CryptoKey> {
  let key = keys.get(pem);
  if (!key) {
    const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    const der = Uint8Array.from(atob(body), (ch) => ch.charCodeAt(0));
    key = crypto.subtle.importKey("spki", der, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    key.catch(() => keys.delete(pem));
    keys.set(pem, key);
  }
  return key;
}

/**
 * `SEQUENCE { INTEGER r, INTEGER s }` → the 64-byte `r || s` Web Crypto verifies; null when the
 * bytes are not exactly that (short-form lengths only: a P-256 signature never needs more).
 */
export function derToRawSignature(der: Uint8Array): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const raw = new Uint8Array(2 * P256_COORDINATE_BYTES);
  let at = 2;
  for (const offset of [0, P256_COORDINATE_BYTES]) {
    if (der[at] !== 0x02) return null;
    const length = der[at + 1]!;
    if (length < 1 || length > P256_COORDINATE_BYTES + 1 || at + 2 + length > der.length) return null;
    let value = der.subarray(at + 2, at + 2 + length);
    while (value.length > 1 && value[0] === 0) value = value.subarray(1);
    if (value.length > P256_COORDINATE_BYTES) return null;
    raw.set(value, offset + P256_COORDINATE_BYTES - value.length);
    at += 2 + length;
  }
  return at === der.length ? raw : null;
}

/**
 * SHA-256 of a text, in lowercase hex.
 *
 * @example
 * await sha256Hex("ak_live_…"); // "3f1c…" (64 characters)
 */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))));
}

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
