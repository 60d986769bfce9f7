import { type Credits, refilled } from "../limiter/credits";
import { POLICIES } from "../limiter/sliding-window";
import { keyPermissions } from "../users/user-state";
import type { KeyMeta } from "./key-meta";
import { creditsView, type KeyLimit, limitsOf } from "./key-limits";
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
  /** The location hint the key's chain was placed with at creation, or null (near its first use). */
  region: string | null;
  /** When the chain's Durable Object first loaded the key, or null: no object holds it yet. */
  placedAt: number | null;
  /** The IP allowlist as canonical CIDR texts, or null: any address (keys/allowed-ips.ts). */
  allowedIps: string[] | null;
  /** False while the key is paused: its right secret gets 401 api_key_disabled. */
  enabled: boolean;
  /** What the key is for, or null. Visible to all who see the key and forwarded upstream: never a secret. */
  description: string | null;
  /** The owner's JSON object about the key (at most 4 KiB), or null. Visible and forwarded like `description`. */
  meta: KeyMeta | null;
  /** Why the key was revoked (given with the revocation, "leaked" for a leak report), or null. */
  revokedReason: string | null;
  /** A honeytoken: every use is answered like an unknown key and audited as key.canary_used. */
  canary: boolean;
  /** The chain's own rate limits, or null: the defaults. The chain's Durable Object holds the exact copy. */
  limits: KeyLimit[] | null;
  /** The chain's credits balance, or null: none. D1's copy lags the Durable Object's (its outbox). */
  credits: Credits | null;
}

/** A key found in public: when the first report of it arrived, and where it was found. */
export interface KeyLeak {
  at: number;
  url: string;
}

/** A stored key with its creator's current display name and permissions (as D1 last heard), and its leak report. */
export interface KeyRecordWithCreator extends KeyRecord {
  creatorName: string | null;
  creatorPermissions: string[] | null;
  /** The first leak report that named the key (POST /v1/leaks), or null. */
  leak: KeyLeak | null;
}

/** Who is looking at a key: decides whether they may rotate it. */
export interface KeyViewer {
  userId: string;
  permissions: readonly string[];
}

/**
 * Whether `viewer` is refused rotating the key: only when it is someone else's and acts with a
 * permission the viewer lacks, since rotation hands the viewer a secret with those permissions.
 *
 * @example
 * if (rotationRequiresOwner(viewer, record.createdBy, ownerPermissions, record.scopes)) refuse();
 */
export function rotationRequiresOwner(
  viewer: KeyViewer,
  ownerId: string,
  ownerPermissions: readonly string[],
  scopes: readonly string[] | null,
): boolean {
  return viewer.userId !== ownerId && keyPermissions(ownerPermissions, scopes).some((p) => !viewer.permissions.includes(p));
}

/**
 * The API view of a key at `now`: status derived, times as RFC 3339, digest left out.
 *
 * @example
 * return c.json({ key: toKeyView(record, Date.now()) });
 */
export function toKeyView(record: KeyRecordWithCreator, now: number, viewer?: KeyViewer): KeyView {
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
    region: record.region,
    leak: record.leak === null ? null : { at: iso(record.leak.at), url: record.leak.url },
    allowedIps: record.allowedIps,
    enabled: record.enabled,
    description: record.description,
    meta: record.meta,
    revokedReason: record.revokedReason,
    canary: record.canary,
    limits: record.limits ?? limitsOf(POLICIES),
    // D1's copy of a chain asleep across a refill boundary shows the refill it is owed, as the object will.
    credits: record.credits === null ? null : creditsView(refilled(record.credits, now)),
    rotationRequiresOwner:
      viewer !== undefined && rotationRequiresOwner(viewer, record.createdBy, record.creatorPermissions ?? [], record.scopes),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
