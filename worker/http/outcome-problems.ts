import { Failure } from "../errors/failure";
import { policyHeader } from "../limiter/rate-limit-headers";
import { POLICIES, type Policy, type PolicyName } from "../limiter/sliding-window";
import type { KeyRefusal } from "../manage/key-service";
import type { Verification } from "../verify/key-verification";
import type { WebhookRefusal } from "../webhooks/webhook-service";
import { problemJson } from "./problem";

/*
 * The one place where the use cases' outcomes become problems. `KeyService` and `verifyApiKey`
 * answer with values that say what happened (`{ ok: false, reason: "key_not_active" }`); this
 * module words them for an HTTP client (code, detail, field errors) and hands the typed fields
 * (retry delay, policy) to the renderer, which turns them into status and headers.
 */

/** A refused key at `/api/*`: one failure, one detail, whatever the cause (see {@link GENERIC_UNAUTHORIZED_BODY}). */
const INVALID_API_KEY = new Failure("invalid_api_key", "Send a valid API key in the X-API-Key header.");

/**
 * The one 401 body for a missing, malformed, unknown or wrong-secret key, as the renderer writes
 * it: a constant, byte for byte, so it cannot tell a caller which of these it hit (the request id
 * travels only in the `X-Request-Id` header).
 */
export const GENERIC_UNAUTHORIZED_BODY = problemJson(INVALID_API_KEY, "");

/**
 * The problem for a key the check refused (`verifyApiKey`), as `/api/*` answers it.
 *
 * @example
 * if (result.outcome !== "admitted") throw verificationProblem(result);
 */
export function verificationProblem(refusal: Extract<Verification, { outcome: "refused" }>): Failure {
  switch (refusal.reason) {
    case "invalid_api_key":
      return INVALID_API_KEY;
    case "too_many_failed_attempts":
      return new Failure("too_many_failed_attempts", "Too many requests with an invalid API key from this address; try again later.", {
        retryAfterSeconds: refusal.retryAfterSeconds,
      });
    case "api_key_revoked":
      return new Failure("api_key_revoked", "This API key has been revoked.");
    case "api_key_expired":
      return new Failure("api_key_expired", "This API key has expired.");
    case "api_key_disabled":
      return new Failure("api_key_disabled", "This API key is paused; its owner or an admin can resume it.");
    case "user_deactivated":
      return new Failure("user_deactivated", "The user who created this API key has been deactivated.");
    case "ip_not_allowed":
      return new Failure("ip_not_allowed", "This API key may not be used from your IP address.");
    case "forbidden":
      return missingPermission(refusal.permission);
    case "rate_limited":
      return rateLimited(refusal.policy, refusal.retryAt, refusal.now, refusal.policies);
    case "credits_exhausted":
      return creditsExhausted(refusal.retryAt, refusal.now);
    case "limiter_unavailable":
      return new Failure("limiter_unavailable", "The rate limiter is unavailable; the request was not admitted.", {
        retryAfterSeconds: refusal.retryAfterSeconds,
      });
  }
}

/**
 * The 403 for an admitted key that lacks a permission a route requires.
 *
 * @example
 * if (!c.var.apiKey.permissions.includes("contacts:read")) throw missingPermission("contacts:read");
 */
export function missingPermission(permission: string): Failure {
  return new Failure("forbidden", `This API key lacks the permission "${permission}".`);
}

/**
 * The 429 for a key over one of its limits: `Retry-After` in whole seconds until a request would
 * be admitted, the violated policy in the body, and (from the renderer) the rate-limit fields
 * with nothing remaining, listing the key's `policies` (the defaults unless given).
 *
 * @example
 * rateLimited("burst", retryAt, now).extra.retryAfterSeconds; // 1
 */
export function rateLimited(policy: PolicyName, retryAt: number, now: number, policies: readonly Policy[] = POLICIES): Failure {
  const retryAfterSeconds = Math.max(1, Math.ceil((retryAt - now) / 1000));
  const found = policies.find((p) => p.name === policy);
  const limit = found ? `: at most ${found.quota} requests in any ${found.windowMs / 1000} s` : "";
  return new Failure("rate_limited", `Rate limit "${policy}" exceeded${limit}.`, {
    retryAfterSeconds,
    policy,
    rateLimitPolicy: policyHeader(policies),
  });
}

/**
 * The 429 for a key whose credits balance is below the request's cost: `Retry-After` until the
 * next refill when one is scheduled that covers the cost, none otherwise (only a top-up helps).
 *
 * @example
 * creditsExhausted(null, now).extra.retryAfterSeconds; // undefined
 */
export function creditsExhausted(retryAt: number | null, now: number): Failure {
  if (retryAt === null) return new Failure("credits_exhausted", "This API key has too few credits left for this request, and no scheduled refill covers it.");
  return new Failure("credits_exhausted", "This API key has no credits left until its next refill.", {
    retryAfterSeconds: Math.max(1, Math.ceil((retryAt - now) / 1000)),
  });
}

/**
 * The problem for a refusal of the management use cases (`KeyService`).
 *
 * @example
 * const outcome = await service.get(principal, id);
 * if (!outcome.ok) throw keyRefusalProblem(outcome);
 */
export function keyRefusalProblem(refusal: KeyRefusal): Failure {
  switch (refusal.reason) {
    case "not_found":
      return new Failure("not_found", "No key with that id.");
    case "key_not_active":
      return new Failure("key_not_active", "Only an active key that has not been rotated yet can be rotated.");
    case "key_not_editable":
      return new Failure("key_not_active", `Only an active key can be edited; this one is ${refusal.status}.`);
    case "rotation_requires_owner":
      return new Failure(
        "rotation_requires_owner",
        "This key can do things you can't, so rotating it would hand you a secret with more access than yours. Revoke it, or ask its owner to rotate it.",
      );
    case "owner_deactivated":
      return new Failure("user_deactivated", "The key's owner has been deactivated.");
    case "active_key_limit":
      return new Failure("active_key_limit", `A user may hold at most ${refusal.limit} active keys. Revoke one first.`);
    case "members_may_not_create":
      return new Failure("forbidden", "Your org lets only its admins create keys. Ask an admin for one.");
    case "terms_set_by_operator":
      return new Failure(
        "forbidden",
        `Your org's policy lets only the operator set a key's rate limits and credits (keyTermsSetBy: operator; GET /v1/org/policy), so ${refusal.field} cannot be sent here.`,
      );
    case "invalid_expiry":
      return new Failure("validation_failed", "The request body has invalid fields.", {
        errors: [{ field: "expiresAt", message: refusal.message }],
      });
    case "storage_unavailable":
      return new Failure("storage_unavailable", "The key could not be stored; nothing was created. Try again shortly.", { retryAfterSeconds: 1 });
    case "usage_unavailable":
      return new Failure("limiter_unavailable", "The key's usage could not be read from its Durable Object; try again shortly.", {
        retryAfterSeconds: 1,
      });
    case "canary_conflict":
      return new Failure("validation_failed", "The request body has invalid fields.", {
        errors: [
          {
            field: refusal.field,
            message:
              refusal.field === "enabled"
                ? "A canary key cannot be paused: every use of it is already answered like an unknown key."
                : "A canary key cannot have an IP allowlist: every use of it is answered like an unknown key, from any address.",
          },
        ],
      });
    case "canary_not_rotatable":
      return new Failure("key_not_active", "A canary key cannot be rotated: revoke it and create another.");
    case "limits_above_ceiling":
      return new Failure("validation_failed", "The request body has invalid fields.", { errors: refusal.errors });
    case "no_credits":
      return new Failure("validation_failed", "The request body has invalid fields.", {
        errors: [{ field: "credits.add", message: "This key has no credits balance to top up; set one with { remaining }." }],
      });
    case "scopes_not_held":
      return new Failure("validation_failed", "The request body has invalid fields.", {
        errors: [{ field: "scopes", message: `Scopes must be among your permissions; you lack: ${refusal.missing.join(", ")}.` }],
      });
  }
}

/**
 * The problem for a refusal of the webhook use cases (`WebhookService`).
 *
 * @example
 * const created = await service.create(orgId, input);
 * if (!created.ok) throw webhookRefusalProblem(created);
 */
export function webhookRefusalProblem(refusal: WebhookRefusal): Failure {
  switch (refusal.reason) {
    case "not_found":
      return new Failure("not_found", "No such webhook endpoint or delivery.");
    case "invalid_url":
      return new Failure("validation_failed", "The request body has invalid fields.", { errors: [{ field: "url", message: refusal.message }] });
    case "endpoint_limit":
      return new Failure("webhook_endpoint_limit", `An org may have at most ${refusal.limit} webhook endpoints. Delete one first.`);
    case "endpoint_disabled":
      return new Failure("webhook_endpoint_disabled", "The endpoint is disabled. Enable it before resending to it.");
  }
}
