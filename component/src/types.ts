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
  /** When a leak report first named this key and where it was found in public; null: never reported. */
  leak: { at: string; url: string } | null;
  /** The addresses the key may be used from, as canonical CIDRs; null: any address. */
  allowedIps: string[] | null;
  /** The caller may not rotate this key: it can do things the caller can't (only its owner may). */
  rotationRequiresOwner: boolean;
  /** false: the key is paused (refused with 401 `api_key_disabled`) until it is resumed. */
  enabled?: boolean;
  /** The owner's note about the key (visible to everyone who can see it: never a secret). */
  description?: string | null;
  /** The owner's key/values about the key, forwarded upstream (visible like the description). */
  meta?: Record<string, unknown> | null;
  /** Why the key was revoked, when a reason was given. */
  revokedReason?: string | null;
  /** A honeytoken: any use is refused like an unknown key and raises an alert. */
  canary?: boolean;
  /** The key's own rate limits, when it has them. */
  limits?: KeyLimit[] | null;
  /** The key's usage credits, when it has them. */
  credits?: KeyCredits | null;
}

/** One of a key's own rate limits: at most `limit` requests in any `windowSeconds`. */
export interface KeyLimit {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** A key's usage credits: what is left, and how it refills (null: never). */
export interface KeyCredits {
  remaining: number;
  refill: { amount: number; interval: "day" | "month" } | null;
  refilledAt?: string | null;
  nextRefillAt?: string | null;
}

/** The old key's use during a rotation's grace period (`GET /v1/keys/{id}`'s `drain`), exactly. */
export interface Drain {
  successorId: string;
  rotatedAt: string;
  usesSinceRotation: number;
  lastUsedAt: string | null;
  /** When the old key stops working as things stand; null: when revoked by hand. */
  graceEndsAt: string | null;
  idleSeconds: number | null;
  successorFirstUsedAt: string | null;
  /** With `graceUntilIdle`: when the grace ends if the old key is not used again. */
  endsWhenIdleAt: string | null;
  endedWhenIdleAt: string | null;
}

/** The org's key policies as they apply now (`GET /v1/org/policy`), read-only. */
export interface OrgPolicy {
  requireExpiry: boolean;
  maxKeyLifetimeDays: number;
  /** The expiry a new key gets by default, in days; null: none. */
  defaultExpiryDays: number | null;
  maxActiveKeysPerUser: number;
  keyLimitCeiling: { windowSeconds: number; limit: number }[];
  membersMayCreateKeys: boolean;
  revokeUnusedAfterDays: number | null;
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

/** The events a webhook endpoint may receive. */
export const WEBHOOK_EVENTS = [
  "key.created",
  "key.revoked",
  "key.rotated",
  "key.leaked",
  "key.expiring",
  "key.expired",
  "user.deactivated",
  "key.paused",
  "key.resumed",
  "key.canary_used",
  "key.grace_ended",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** An org's webhook endpoint as `GET /v1/webhooks` lists it (never its secret). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  events: WebhookEvent[];
  description: string | null;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** One event's delivery to an endpoint (`GET /v1/webhooks/{id}/deliveries`). */
export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: WebhookEvent;
  status: "pending" | "delivered" | "retrying" | "failed";
  attempts: number;
  lastAttemptAt: string | null;
  /** The last attempt's HTTP status; null when it got no answer (or none was made yet). */
  lastResponseStatus: number | null;
  nextAttemptAt: string | null;
  createdAt: string;
}
