/** A key as the management API returns it (never a secret). */
export interface ApiKey {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  createdBy: { id: string; name: string | null };
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  status: KeyStatus;
  scopes: string[] | null;
  rotatedFromId: string | null;
  rotatedToId: string | null;
  /** The Durable Object location hint the key's chain was placed with at creation; null when automatic (near its first use). */
  region: string | null;
  /** The caller may not rotate this key: it can do things the caller can't (only its owner may). */
  rotationRequiresOwner: boolean;
}

export type KeyStatus = "active" | "expired" | "revoked";

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

/** The windows a usage report covers. */
export type UsageWindow = "24h" | "7d" | "30d";

/** Counts of one bucket, or of a whole window. */
export interface UsageCounts {
  admitted: number;
  /** 429s. */
  rateLimited: number;
  /** Refusals of the right secret (the key revoked or expired). */
  refused: number;
}

/** A key's usage over a window (`GET /v1/keys/{id}/usage`), oldest bucket first. */
export interface Usage {
  window: UsageWindow;
  buckets: UsageCounts[];
  totals: UsageCounts;
  lastUsedAt: string | null;
}

/** An audit event as `GET /v1/audit-events` lists it. */
export interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actor: { type: string; id: string };
}
