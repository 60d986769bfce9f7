import type { KeyView } from "./key-schemas";
import { keyStatus } from "./key-status";

/** A key as stored (times in epoch milliseconds). Holds a digest, never the secret. */
export interface KeyRecord {
  id: string;
  orgId: string;
  createdBy: string;
  name: string;
  hint: string;
  secretDigest: string;
  scopes: string[] | null;
  createdAt: number;
  expiresAt: number | null;
  lifetimeMs: number | null;
  revokedAt: number | null;
  lastUsedAt: number | null;
  rotatedFromId: string | null;
  rotatedToId: string | null;
}

/** A stored key with its creator's current display name. */
export interface KeyRecordWithCreator extends KeyRecord {
  creatorName: string | null;
}

/**
 * The API view of a key at `now`: status derived, times as RFC 3339, digest left out.
 *
 * @example
 * return c.json({ key: toKeyView(record, Date.now()) });
 */
export function toKeyView(record: KeyRecordWithCreator, now: number): KeyView {
  return {
    id: record.id,
    name: record.name,
    hint: record.hint,
    createdAt: iso(record.createdAt),
    createdBy: { id: record.createdBy, name: record.creatorName },
    lastUsedAt: isoOrNull(record.lastUsedAt),
    expiresAt: isoOrNull(record.expiresAt),
    revokedAt: isoOrNull(record.revokedAt),
    status: keyStatus(record, now),
    scopes: record.scopes,
    rotatedFromId: record.rotatedFromId,
    rotatedToId: record.rotatedToId,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
