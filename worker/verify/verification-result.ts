import { z } from "zod";
import type { CreditBalance, KeyIdentity } from "../authority/key-authority";
import { MAX_COST } from "../keys/key-limits";
import { type KeyMeta, metaOf } from "../keys/key-meta";
import type { PolicyName, PolicyUsage } from "../limiter/sliding-window";
import { Permission } from "../schemas/text";
import type { Verification } from "./key-verification";

/** An IPv4 or IPv6 address as a server sees its client (no port, no zone). */
const CLIENT_ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|(?=[0-9A-Fa-f:.]*:)[0-9A-Fa-f:.]{2,45})$/;

/**
 * What a check takes, over HTTP (`POST /v1/verify`) and over the binding (`KeyVerifier.verify`)
 * alike. No message ever quotes a value: the key must not come back in an error.
 */
export const VerifyInput = z
  .strictObject(
    {
      key: z
        .string({ error: "key must be a string: the API key as your client sent it." })
        .max(1024, "key must be at most 1024 characters.")
        .meta({ description: "The API key your client presented (its X-API-Key). Never echoed back, logged or stored." }),
      permission: Permission.nullish().meta({
        description: "Also require this permission. A key that lacks it is counted like a request to /api/* and refused with code forbidden.",
      }),
      clientAddress: z
        .string({ error: "clientAddress must be a string: your client's IP address." })
        .regex(CLIENT_ADDRESS, "clientAddress must be an IPv4 or IPv6 address.")
        .nullish()
        .meta({
          description:
            "The IP address of your client (the one that sent the key, its CF-Connecting-IP). Checked against the key's IP allowlist: a key with an allowlist is refused with ip_not_allowed when this is outside it, omitted or not a valid address. Invalid keys count against that address's failed-attempt throttle. Omitted: nothing is throttled.",
        }),
      cost: z
        .number({ error: `cost must be a whole number from 0 to ${MAX_COST}.` })
        .int(`cost must be a whole number from 0 to ${MAX_COST}.`)
        .min(0, `cost must be a whole number from 0 to ${MAX_COST}.`)
        .max(MAX_COST, `cost must be a whole number from 0 to ${MAX_COST}.`)
        .optional()
        .meta({
          description:
            "The credits this request spends from a key with a balance (default 1; 0: free). A key whose balance is below it is refused with credits_exhausted. Rate limits count 1 whatever the cost.",
        }),
    },
    { error: (issue) => (issue.code === "unrecognized_keys" ? "Only key, permission, clientAddress and cost are accepted." : undefined) },
  )
  .meta({ id: "VerifyRequest" });
export type VerifyInput = z.output<typeof VerifyInput>;

/** One rate-limit policy's state after the check, as `/api/whoami` reports it. */
export interface RateLimitState {
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetSeconds: number;
}

/** Who an admitted key acts for: the fields of `/api/whoami`. */
export interface VerifiedIdentity {
  key: { id: string; name: string };
  org: { id: string };
  user: { id: string; name: string | null };
  /** Effective permissions: the creator's current permissions ∩ the key's scopes. */
  permissions: string[];
  /** The key's policies by name (its own, or `burst` and `minute`). */
  rateLimit: Record<PolicyName, RateLimitState>;
  /** The key's credits after this request, or null: the key has no credits. */
  credits: CreditsState | null;
}

/** A key's credits after a check, as `/api/whoami` reports them. */
export interface CreditsState {
  remaining: number;
  /** RFC 3339: the next refill (00:00 UTC), or null: none. */
  nextRefillAt: string | null;
}

/**
 * What a verifying backend learns of an admitted key: the identity, and the key's description
 * and meta (which `/api/whoami` leaves out: the key's holder is not told them).
 */
export type VerifiedKeyIdentity = Omit<VerifiedIdentity, "key"> & {
  key: { id: string; name: string; description: string | null; meta: KeyMeta | null };
};

/**
 * The outcome of a check as plain JSON, the same over HTTP and the binding. `valid` says whether
 * to serve the request; `code` is `"valid"` or the reason, with the meaning the same code has as
 * a problem at `/api/*`. Nothing the caller sent is repeated: not the key, not the permission.
 *
 * @example
 * { "valid": true, "code": "valid", "key": { "id": "…", "name": "CRM" }, "org": { "id": "org_1" }, … }
 * { "valid": false, "code": "rate_limited", "detail": "…", "policy": "burst", "retryAfterSeconds": 1 }
 */
export type VerificationResult =
  | ({ valid: true; code: "valid" } & VerifiedKeyIdentity)
  | {
      valid: false;
      code: "invalid_api_key" | "api_key_revoked" | "api_key_expired" | "api_key_disabled" | "user_deactivated" | "ip_not_allowed";
      detail: string;
    }
  | ({ valid: false; code: "forbidden"; detail: string } & VerifiedKeyIdentity)
  | { valid: false; code: "rate_limited"; detail: string; policy: PolicyName; retryAfterSeconds: number }
  /** `retryAfterSeconds` only when a refill is scheduled: the time until it. */
  | { valid: false; code: "credits_exhausted"; detail: string; retryAfterSeconds?: number }
  | { valid: false; code: "too_many_failed_attempts" | "limiter_unavailable"; detail: string; retryAfterSeconds: number };

/** What each refusal says to a person reading the result; constant per code, never naming the key. */
const DETAIL = {
  invalid_api_key: "The key is missing, malformed, unknown, or its secret is wrong.",
  api_key_revoked: "This API key has been revoked.",
  api_key_expired: "This API key has expired.",
  api_key_disabled: "This API key is paused.",
  user_deactivated: "The user who created this API key has been deactivated.",
  ip_not_allowed: "This API key may not be used from the client's address.",
  forbidden: "This API key lacks the permission the check asked for.",
  credits_exhausted: "This API key has no credits left for this request.",
  too_many_failed_attempts: "Too many invalid API keys from this client address; try again later.",
  limiter_unavailable: "The rate limiter is unavailable; the key was not admitted. Try again shortly.",
} as const;

/**
 * The JSON form of a {@link Verification}.
 *
 * @example
 * return c.json(toVerificationResult(await verifyApiKey(env, config, request)));
 */
export function toVerificationResult(verification: Verification): VerificationResult {
  if (verification.outcome === "admitted") {
    return { valid: true, code: "valid", ...verifiedJson(verification.identity, verification.usage, verification.credits) };
  }
  switch (verification.reason) {
    case "invalid_api_key":
    case "api_key_revoked":
    case "api_key_expired":
    case "api_key_disabled":
    case "user_deactivated":
    case "ip_not_allowed":
      return { valid: false, code: verification.reason, detail: DETAIL[verification.reason] };
    case "forbidden":
      // The caller knows which permission it asked for; not repeating it means a key passed there
      // by mistake is not echoed either.
      return { valid: false, code: "forbidden", detail: DETAIL.forbidden, ...verifiedJson(verification.identity, verification.usage, verification.credits) };
    case "rate_limited":
      return {
        valid: false,
        code: "rate_limited",
        detail: `Rate limit "${verification.policy}" exceeded.`,
        policy: verification.policy,
        retryAfterSeconds: Math.max(1, Math.ceil((verification.retryAt - verification.now) / 1000)),
      };
    case "credits_exhausted": {
      const { retryAt, now } = verification;
      return {
        valid: false,
        code: "credits_exhausted",
        detail: DETAIL.credits_exhausted,
        ...(retryAt === null ? {} : { retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)) }),
      };
    }
    case "too_many_failed_attempts":
    case "limiter_unavailable":
      return { valid: false, code: verification.reason, detail: DETAIL[verification.reason], retryAfterSeconds: verification.retryAfterSeconds };
  }
}

/**
 * The throttle bucket of a client address a caller vouches for. It is kept apart from the
 * addresses `/api/*` counts, so a backend that passes a wrong address can only slow checks made
 * through this service, never a client's own calls to `/api/*`.
 *
 * @example
 * throttleKeyFor("203.0.113.7"); // "verify:203.0.113.7"
 * throttleKeyFor(undefined); // null: not throttled
 */
export function throttleKeyFor(clientAddress: string | null | undefined): string | null {
  return clientAddress ? `verify:${clientAddress.toLowerCase()}` : null;
}

/**
 * A verified key's identity as JSON: the body of `GET /api/whoami`, and the identity part of an
 * admitted (or forbidden) verification outcome.
 *
 * @example
 * return c.json(identityJson(c.var.apiKey, c.var.rateLimit, c.var.credits));
 */
export function identityJson(identity: KeyIdentity, usage: PolicyUsage[], credits: CreditBalance | null): VerifiedIdentity {
  return {
    key: { id: identity.keyId, name: identity.keyName },
    org: { id: identity.orgId },
    user: { id: identity.userId, name: identity.userName },
    permissions: identity.permissions,
    rateLimit: Object.fromEntries(
      usage.map((u) => [
        u.policy.name,
        { limit: u.policy.quota, windowSeconds: u.policy.windowMs / 1000, remaining: u.remaining, resetSeconds: Math.ceil(u.resetMs / 1000) },
      ]),
    ) as Record<PolicyName, RateLimitState>,
    credits:
      credits === null
        ? null
        : { remaining: credits.remaining, nextRefillAt: credits.nextRefillAt === null ? null : new Date(credits.nextRefillAt).toISOString() },
  };
}

/** {@link identityJson} with the key's description and meta, for a verifying backend. */
function verifiedJson(identity: KeyIdentity, usage: PolicyUsage[], credits: CreditBalance | null): VerifiedKeyIdentity {
  const json = identityJson(identity, usage, credits);
  return { ...json, key: { ...json.key, description: identity.description, meta: metaOf(identity.meta) } };
}
