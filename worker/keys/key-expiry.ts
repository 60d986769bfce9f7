import type { EffectivePolicy } from "../orgs/org-policy";
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

/** The lifetime rules of an org's policy that a new key's expiry follows. */
export type LifetimePolicy = Pick<EffectivePolicy, "requireExpiry" | "maxKeyLifetimeDays" | "defaultExpiryDays">;

/**
 * A new key's expiry under its org's policy: `requested` as {@link resolveExpiry} checks it
 * against the org's maximum lifetime; when omitted, the org's default expiry (none: never); an
 * explicit null is "never". Under `requireExpiry` "never" is refused, as is an omitted expiry
 * without a default.
 *
 * @example
 * const expiry = policyExpiry(input.expiresAt, now, policy);
 * if (!expiry.ok) return expiry;
 */
export function policyExpiry(requested: string | null | undefined, now: number, policy: LifetimePolicy): ExpiryOutcome {
  if (requested === undefined && policy.defaultExpiryDays !== null) {
    return { ok: true, expiresAt: now + Math.min(policy.defaultExpiryDays, policy.maxKeyLifetimeDays) * DAY_MS };
  }
  if ((requested === undefined || requested === null) && policy.requireExpiry) {
    return invalid(`Your org requires every key to expire: set expiresAt, at most ${policy.maxKeyLifetimeDays} days ahead.`);
  }
  return resolveExpiry(requested, now, policy.maxKeyLifetimeDays);
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
 * at the maximum lifetime of the org's policy as it is now; null when the predecessor never
 * expired, unless the policy now requires an expiry (then its default expiry, else its maximum).
 */
export function successorExpiry(lifetimeMs: number | null, now: number, policy: LifetimePolicy): number | null {
  const max = policy.maxKeyLifetimeDays * DAY_MS;
  if (lifetimeMs === null) return policy.requireExpiry ? now + Math.min((policy.defaultExpiryDays ?? policy.maxKeyLifetimeDays) * DAY_MS, max) : null;
  return now + Math.min(lifetimeMs, max);
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
