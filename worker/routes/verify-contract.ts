import { z } from "zod";
import { CreditsState, RateLimitStates } from "../edge/edge-schemas";

/*
 * ─── The documented contract of POST /v1/verify (and the KeyVerifier binding) ───────────────
 * The one place that describes it. The request schema is the one the route validates with
 * (`VerifyInput`, worker/verify/verification-result.ts). The outcome is a TypeScript type there
 * (`VerificationResult`), so it is restated here as a schema; test/worker/openapi-conformance
 * .test.ts holds the two together (types both ways, and real answers parsed with this schema).
 * If the outcome changes, change it here.
 * ────────────────────────────────────────────────────────────────────────────────────────────
 */

/** Why a key was not admitted. Each is also the `code` the same key would get as a problem at `/api/*`. */
export const VERIFY_REFUSAL_CODES = [
  "invalid_api_key",
  "api_key_revoked",
  "api_key_expired",
  "api_key_disabled",
  "user_deactivated",
  "ip_not_allowed",
  "forbidden",
  "rate_limited",
  "credits_exhausted",
  "too_many_failed_attempts",
  "limiter_unavailable",
] as const;

const WHEN_IDENTIFIED = "Present when valid, and with code forbidden (the key was admitted and counted, but lacks the permission).";

/**
 * The outcome of `POST /v1/verify`: always 200, refusals included. One object whose members
 * depend on `code`, as each member's description says.
 */
export const VerifyOutcome = z
  .strictObject({
    valid: z.boolean().meta({ description: "Whether to serve the request. true: the key is admitted and counted against its rate limits exactly like a request to /api/*." }),
    code: z
      .enum(["valid", ...VERIFY_REFUSAL_CODES])
      .meta({ description: "valid, or why not: the refusal codes have the meaning they have as problems at /api/*." }),
    detail: z.string().optional().meta({ description: "Refusals only: what happened, for a person. Constant per code; never quotes the key." }),
    key: z
      .strictObject({
        id: z.string(),
        name: z.string(),
        description: z.string().nullable().meta({ description: "The key's description, or null." }),
        meta: z
          .record(z.string(), z.unknown())
          .nullable()
          .meta({ description: "The key's meta object (set by its owner, at most 4 KiB), or null. Never a secret, by the rules of the Key object." }),
      })
      .optional()
      .meta({ description: WHEN_IDENTIFIED }),
    org: z.strictObject({ id: z.string() }).optional().meta({ description: WHEN_IDENTIFIED }),
    user: z
      .strictObject({ id: z.string(), name: z.string().nullable() })
      .optional()
      .meta({ description: `The key's creator. ${WHEN_IDENTIFIED}` }),
    permissions: z
      .array(z.string())
      .optional()
      .meta({ description: `Effective permissions (the creator's current permissions ∩ the key's scopes). ${WHEN_IDENTIFIED}` }),
    rateLimit: RateLimitStates.optional().meta({ description: `Each policy's state after this check, as /api/whoami reports it. ${WHEN_IDENTIFIED}` }),
    credits: CreditsState.nullable()
      .optional()
      .meta({ description: `The key's credits after this check (null: the key has none). ${WHEN_IDENTIFIED}` }),
    policy: z.string().optional().meta({ description: "rate_limited only: the name of the key's limit that was reached." }),
    retryAfterSeconds: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({
        description:
          "rate_limited, too_many_failed_attempts and limiter_unavailable: whole seconds until a check can succeed; credits_exhausted: until the next refill, absent when none is scheduled.",
      }),
  })
  .meta({ id: "VerifyOutcome" });
