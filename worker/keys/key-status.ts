/** What a key is at a moment: usable, past its expiry, or revoked. */
export type KeyStatus = "active" | "expired" | "revoked";

/**
 * The one definition of a key's status, used by the API, the store filters and the edge.
 * Revocation wins over expiry; a key is expired from the instant `now >= expiresAt`.
 *
 * @example
 * keyStatus({ revokedAt: null, expiresAt: Date.now() - 1 }, Date.now()); // "expired"
 */
export function keyStatus(key: { revokedAt: number | null; expiresAt: number | null }, now: number): KeyStatus {
  if (key.revokedAt !== null && key.revokedAt <= now) return "revoked";
  if (key.expiresAt !== null && now >= key.expiresAt) return "expired";
  return "active";
}
