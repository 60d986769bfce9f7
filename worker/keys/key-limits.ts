import { z } from "zod";
import { type Credits, MAX_CREDITS, nextRefillOf } from "../limiter/credits";
import { MAX_WINDOW_MS, type Policy } from "../limiter/sliding-window";

/** One of a key's own rate limits, as the API shows and takes it. */
export interface KeyLimit {
  name: string;
  limit: number;
  windowSeconds: number;
}

/** Most policies one key may carry. */
export const MAX_KEY_LIMITS = 5;
/** Highest `limit` of one policy (the org ceiling's bound too). */
export const MAX_LIMIT = 1_000_000;
/** Highest cost one request may declare. */
export const MAX_COST = 1_000;

const LimitName = z
  .string({ error: "name must be a string." })
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, "name must be 1–32 characters: a lowercase letter, then lowercase letters, digits, _ or -.")
  .meta({ description: "The policy's name, as RateLimit-Policy and a 429's policy name it.", example: "daily" });

const KeyLimitInput = z
  .strictObject({
    name: LimitName,
    limit: z
      .number({ error: "limit must be a whole number." })
      .int("limit must be a whole number.")
      .min(1, "limit must be at least 1.")
      .max(MAX_LIMIT, `limit must be at most ${MAX_LIMIT}.`)
      .meta({ description: "Admitted requests allowed in any window of windowSeconds." }),
    windowSeconds: z
      .number({ error: "windowSeconds must be a whole number of seconds." })
      .int("windowSeconds must be a whole number of seconds.")
      .min(1, "windowSeconds must be at least 1.")
      .max(MAX_WINDOW_MS / 1000, `windowSeconds must be at most ${MAX_WINDOW_MS / 1000} (24 hours).`),
  })
  .meta({ id: "KeyLimit", description: "At most `limit` admitted requests in any sliding window of `windowSeconds` (1 s to 24 h)." });

/** `limits` of a create or an edit: 1–5 policies with distinct names and windows. */
export const KeyLimitsInput = z
  .array(KeyLimitInput)
  .min(1, "limits needs at least one policy; omit it (or null on edit) for the defaults.")
  .max(MAX_KEY_LIMITS, `limits has at most ${MAX_KEY_LIMITS} policies.`)
  .superRefine((list, ctx) => {
    list.forEach((entry, i) => {
      if (list.findIndex((e) => e.name === entry.name) !== i) ctx.addIssue({ code: "custom", path: [i, "name"], message: `The name "${entry.name}" is used twice.` });
      else if (list.findIndex((e) => e.windowSeconds === entry.windowSeconds) !== i) {
        ctx.addIssue({ code: "custom", path: [i, "windowSeconds"], message: "Two policies with the same window: keep the lower limit only." });
      }
    });
  })
  .meta({
    description:
      "The key's own rate limits (1–5 sliding windows from 1 s to 24 h), each at most what the org's ceiling allows. Omitted: 10 in any 1 s (burst) and 100 in any 60 s (minute), or the org's ceiling when that is lower. Shared by the key's rotation chain.",
  });

const Count = (what: string) =>
  z
    .number({ error: `${what} must be a whole number.` })
    .int(`${what} must be a whole number.`)
    .min(0, `${what} must be at least 0.`)
    .max(MAX_CREDITS, `${what} must be at most ${MAX_CREDITS}.`);

const RefillInput = z
  .strictObject({
    amount: Count("refill.amount").min(1, "refill.amount must be at least 1.").meta({ description: "The balance after each refill (set, not added)." }),
    interval: z.enum(["day", "month"]).meta({ description: "day: every 00:00 UTC; month: the 1st of each month, 00:00 UTC." }),
  })
  .meta({ id: "CreditsRefill" });

/** `credits` of a create: a balance and, optionally, its refill. */
export const CreditsInput = z
  .strictObject({
    remaining: Count("remaining").meta({ description: "The balance: each admitted request spends its cost (1 unless the route declares another)." }),
    refill: RefillInput.nullish().meta({ description: "Reset the balance to amount at every interval boundary (UTC). Omitted or null: never refilled." }),
  })
  .meta({ id: "CreditsInput" });
export type CreditsInput = z.output<typeof CreditsInput>;

/** `credits` of an edit: a new balance (as on create), a race-free top-up, or null to lift credits. */
export const CreditsChange = z
  .union([
    CreditsInput,
    z
      .strictObject({
        add: Count("add").min(1, "add must be at least 1.").meta({ description: "Adds to the current balance, atomically (two top-ups both count)." }),
      })
      .meta({ id: "CreditsTopUp" }),
  ])
  .nullable()
  .meta({
    description:
      "{ remaining, refill? } sets the balance and refill exactly (replacing both; the next refill is at the next boundary); { add } tops the balance up atomically (refused for a key without credits); null lifts credits (every request free).",
  });
export type CreditsChange = z.output<typeof CreditsChange>;

/** A key's credits as the API shows them. */
export const CreditsView = z
  .object({
    remaining: z.number().int(),
    refill: z.object({ amount: z.number().int(), interval: z.enum(["day", "month"]) }).nullable(),
    refilledAt: z.string().meta({ description: "The last refill (a UTC boundary), or when the balance was last set." }),
    nextRefillAt: z.string().nullable().meta({ description: "The next refill (RFC 3339, a UTC boundary), or null: none." }),
  })
  .meta({ id: "Credits" });
export type CreditsView = z.output<typeof CreditsView>;

/**
 * A key's limits as the limiter takes them.
 *
 * @example
 * policiesOf([{ name: "daily", limit: 5000, windowSeconds: 86_400 }]); // [{ name: "daily", quota: 5000, windowMs: 86_400_000 }]
 */
export function policiesOf(limits: readonly KeyLimit[]): Policy[] {
  return limits.map((l) => ({ name: l.name, quota: l.limit, windowMs: l.windowSeconds * 1000 }));
}

/**
 * The limiter's policies as the API shows them.
 *
 * @example
 * limitsOf(POLICIES); // [{ name: "burst", limit: 10, windowSeconds: 1 }, { name: "minute", limit: 100, windowSeconds: 60 }]
 */
export function limitsOf(policies: readonly Policy[]): KeyLimit[] {
  return policies.map((p) => ({ name: p.name, limit: p.quota, windowSeconds: p.windowMs / 1000 }));
}

/**
 * A balance as the API shows it.
 *
 * @example
 * creditsView({ remaining: 37, refill: null, refilledAt: now }); // { remaining: 37, refill: null, refilledAt: "…", nextRefillAt: null }
 */
export function creditsView(credits: Credits): CreditsView {
  const next = nextRefillOf(credits);
  return {
    remaining: credits.remaining,
    refill: credits.refill,
    refilledAt: new Date(credits.refilledAt).toISOString(),
    nextRefillAt: next === null ? null : new Date(next).toISOString(),
  };
}
