import { parseRfc3339 } from "../schemas/rfc3339";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A requested expiry: epoch milliseconds (null for "no expiry"), or why it is not allowed. */
export type ExpiryOutcome = { ok: true; expiresAt: number | null } | { ok: false; reason: "invalid_expiry"; message: string };

/**
 * Turns a requested `expiresAt` into epoch milliseconds, or null for "no expiry". Refuses a
 * timestamp without a zone, an impossible date, one less than a minute ahead, or one more than
 * `maxLifetimeDays` ahead, saying which.
 *
 * @example
 * const expiry = resolveExpiry(input.expiresAt, Date.now(), config.maxKeyLifetimeDays);
 * if (!expiry.ok) return expiry;
 */
export function resolveExpiry(requested: string | null | undefined, now: number, maxLifetimeDays: number): ExpiryOutcome {
  if (requested === null || requested === undefined) return { ok: true, expiresAt: null };
  const at = parseRfc3339(requested);
  if (at === null) return invalid("expiresAt must be an RFC 3339 date-time with a zone, such as 2026-03-01T00:00:00Z.");
  if (at < now + MINUTE_MS) return invalid("expiresAt must be at least one minute in the future.");
  if (at > now + maxLifetimeDays * DAY_MS) return invalid(`expiresAt must be at most ${maxLifetimeDays} days in the future.`);
  return { ok: true, expiresAt: at };
}

/**
 * A new, earlier expiry for a key that expires at `current` (null: never). Refuses what
 * {@link resolveExpiry} refuses, and any instant later than `current`: an expiry only ever moves
 * earlier. For a key without expiry every allowed instant is earlier. The key's Durable Object
 * checks "earlier" again against its own expiry (two edits may race past this check).
 *
 * @example
 * const expiry = earlierExpiry(input.expiresAt, record.expiresAt, now, config.maxKeyLifetimeDays);
 * if (!expiry.ok) return expiry;
 */
export function earlierExpiry(
  requested: string,
  current: number | null,
  now: number,
  maxLifetimeDays: number,
): { ok: true; expiresAt: number } | Extract<ExpiryOutcome, { ok: false }> {
  const resolved = resolveExpiry(requested, now, maxLifetimeDays);
  if (!resolved.ok) return resolved;
  const at = resolved.expiresAt!;
  if (current !== null && at > current) return notLater(current);
  return { ok: true, expiresAt: at };
}

/** The refusal of an expiry later than the key's current one. */
export function notLater(current: number): Extract<ExpiryOutcome, { ok: false }> {
  return {
    ok: false,
    reason: "invalid_expiry",
    message: `expiresAt can only move earlier: the key expires at ${new Date(current).toISOString()}.`,
  };
}

/**
 * The expiry of a rotated key's successor: the same lifetime as its predecessor from now, capped
 * at the deployment's maximum; null when the predecessor never expired.
 */
export function successorExpiry(lifetimeMs: number | null, now: number, maxLifetimeDays: number): number | null {
  if (lifetimeMs === null) return null;
  return now + Math.min(lifetimeMs, maxLifetimeDays * DAY_MS);
}

/**
 * When a rotated key stops working: `graceSeconds` from now but never past its own expiry;
 * unchanged when no grace period was asked for.
 */
export function graceExpiry(current: number | null, graceSeconds: number | undefined, now: number): number | null {
  if (graceSeconds === undefined) return current;
  const end = now + graceSeconds * 1000;
  return current === null ? end : Math.min(current, end);
}

function invalid(message: string): ExpiryOutcome {
  return { ok: false, reason: "invalid_expiry", message };
}
