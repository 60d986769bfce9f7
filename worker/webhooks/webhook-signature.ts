import { hmacSha256 } from "../crypto/hmac";
import { randomBase62 } from "../crypto/base62";

/** The prefix Standard Webhooks gives a signing secret: `whsec_` and the key's bytes in base64. */
const SECRET_PREFIX = "whsec_";
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/**
 * A new endpoint's secret salt: 24 random base62 characters (143 bits). Only the salt is stored;
 * the signing secret is derived from it ({@link signingSecret}).
 *
 * @example
 * const salt = newSecretSalt();
 */
export function newSecretSalt(): string {
  return randomBase62(24);
}

/**
 * An endpoint's signing secret as Standard Webhooks writes it: `whsec_` and 32 bytes in base64.
 * The bytes are HMAC-SHA-256 under the deployment's `KEY_HASH_SECRET` of the endpoint's id and
 * salt, so D1 never holds the secret, and a copy of D1 alone cannot sign a webhook.
 *
 * @example
 * const secret = await signingSecret(config.keyHashSecret, endpoint.id, endpoint.secretSalt); // "whsec_…"
 */
export async function signingSecret(hashSecret: string, endpointId: string, salt: string): Promise<string> {
  const bytes = await hmacSha256(hashSecret, `webhook-signing-secret\u0000${endpointId}\u0000${salt}`);
  return SECRET_PREFIX + toBase64(bytes);
}

/**
 * The `webhook-signature` header of Standard Webhooks: `v1,` and the base64 HMAC-SHA-256, under
 * the secret's bytes, of `{id}.{timestamp}.{body}` (timestamp in whole seconds).
 *
 * @example
 * const signature = await signWebhook(secret, "evt_…", 1767225600, body); // "v1,K5oZ…="
 */
export async function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await keyOf(secret), encoder.encode(`${id}.${timestampSeconds}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

function keyOf(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    const bytes = Uint8Array.from(atob(secret.slice(SECRET_PREFIX.length)), (c) => c.charCodeAt(0));
    key = crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    // One entry per endpoint an isolate signs for: bounded by the endpoints that exist.
    if (keys.size > 1000) keys.clear();
    keys.set(secret, key);
  }
  return key;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
