// verify/: the key check as one function returning a value (verifyApiKey): the failed-auth
// throttle, format, tag, digest, the isolate's memory of limited keys (and its tally of the 429s
// it answered, delivered to the key's object), and one call to the key's Durable Object. /api/*,
// POST /v1/verify and the KeyVerifier entrypoint all run it. Floor: imports authority/ and below.

import type { Config } from "../config";
import { FailedAuthThrottle } from "./failed-auth-throttle";
import { limitedUntil, rememberLimited } from "./limited-keys";
import { tallyShed, type WaitUntil } from "./shed-tally";
import { digestKey } from "../crypto/hmac";
import { hasValidTag, parseApiKey } from "../keys/key-format";
import { authorityFor } from "../authority/key-authority-client";
import type { Clock, CreditBalance, KeyIdentity, VerifyResult } from "../authority/key-authority";
import type { SampledOrigin } from "../authority/event-sampler";
import type { Policy, PolicyName, PolicyUsage } from "../limiter/sliding-window";
import { MAX_COST } from "../keys/key-limits";

/** How long a check waits for its key's Durable Object before failing closed, unless told otherwise. */
export const LIMITER_DEADLINE_MS = 5000;

/**
 * How a check reads time, how long it waits, and where it leaves work that outlasts it. Every
 * field has the production default; a caller with a tighter latency budget can pass a shorter
 * deadline, and a test can drive the clock instead of sleeping.
 */
export interface VerificationRuntime {
  /**
   * The clock of this isolate's memories: the failed-auth throttle and the limited keys.
   * `Date.now` by default. The key's Durable Object keeps its own clock (`KeyAuthority.clock`).
   */
  now?: Clock;
  /** Milliseconds to wait for the key's Durable Object before `limiter_unavailable`; {@link LIMITER_DEADLINE_MS} by default. */
  deadlineMs?: number;
  /**
   * The request's `ExecutionContext.waitUntil`. With it, a key the isolate remembers as limited
   * is refused without calling its object, and the 429 reaches the key's usage counters a second
   * later in one batched call (verify/shed-tally.ts). Without it, every request goes to the
   * object, which counts it there.
   */
  waitUntil?: WaitUntil;
  /**
   * Told how long each costly step of the check took, in milliseconds of `performance.now()`:
   * the id tag's HMAC, the key's digest, the call to its Durable Object. Only the
   * local-development entry passes it (its `Server-Timing`, worker/http/server-timing.ts): in
   * production the clock stands still between I/O, so the HMACs would always read 0.
   */
  onStep?: StepObserver;
}

/** The steps of a check whose duration {@link VerificationRuntime.onStep} hears of. */
export type VerificationStep = "tag" | "digest" | "object";

/** Hears how long one step of a check took, in milliseconds. */
export type StepObserver = (step: VerificationStep, ms: number) => void;

/**
 * The outcome of checking one key, as a value (no HTTP): admitted with who the key acts for and
 * its rate-limit usage after this admission, or refused with the reason. `/api/*` maps it to a
 * response (`apiKeyAuth`), `POST /v1/verify` and the `KeyVerifier` binding to JSON.
 */
export type Verification =
  /** `credits`: the key's balance after this request's cost, or null: the key has no credits. */
  | { outcome: "admitted"; identity: KeyIdentity; usage: PolicyUsage[]; credits: CreditBalance | null }
  /** Missing, malformed, forged, unknown, or a wrong secret: one reason for all, so none is told apart. */
  | { outcome: "refused"; reason: "invalid_api_key" }
  | { outcome: "refused"; reason: "api_key_revoked" }
  | { outcome: "refused"; reason: "api_key_expired" }
  /** The key is paused (its right secret only). */
  | { outcome: "refused"; reason: "api_key_disabled" }
  /** The key's creator has been deactivated. */
  | { outcome: "refused"; reason: "user_deactivated" }
  /** The right secret, from an address outside the key's IP allowlist (or with no usable address). */
  | { outcome: "refused"; reason: "ip_not_allowed" }
  /** Admitted (and counted), but the key lacks the permission the check asked for. */
  | { outcome: "refused"; reason: "forbidden"; permission: string; identity: KeyIdentity; usage: PolicyUsage[]; credits: CreditBalance | null }
  /**
   * Over a limit: `policy` names it among the key's `policies`; `retryAt` is the instant a request
   * would be admitted again, `now` the decision's clock.
   */
  | { outcome: "refused"; reason: "rate_limited"; policy: PolicyName; policies: readonly Policy[]; retryAt: number; now: number }
  /** The key's credits balance is below the request's cost; `retryAt`: its next refill, or null: none scheduled, or none that covers the cost. */
  | { outcome: "refused"; reason: "credits_exhausted"; retryAt: number | null; now: number }
  /** The client address presented too many invalid keys; no key was looked at. */
  | { outcome: "refused"; reason: "too_many_failed_attempts"; retryAfterSeconds: number }
  /** The key's Durable Object did not answer in time (or at all): never admitted. */
  | { outcome: "refused"; reason: "limiter_unavailable"; retryAfterSeconds: number };

/** What to check, and against whose failed-attempt allowance. */
export interface VerificationRequest {
  /** The key exactly as presented (`""` when none was). */
  key: string;
  /** Also require this permission of the admitted key. */
  permission?: string | null;
  /**
   * The failed-auth throttle's bucket, usually the client's address; `null` turns the throttle
   * off for this check (the caller can't say who the client is).
   */
  throttleKey: string | null;
  /**
   * The address of the client that presented the key (its `CF-Connecting-IP`, or the one a
   * verifying backend passes), checked against the key's IP allowlist by its Durable Object.
   * Missing or unparsable: a key with an allowlist is refused (`ip_not_allowed`).
   */
  clientAddress?: string | null;
  /**
   * The client's user agent and the path it asked for, or null: reported with a canary key's use
   * (`key.canary_used`), and read for nothing else.
   */
  userAgent?: string | null;
  path?: string | null;
  /**
   * The credits an admitted request spends (0–1000; default 1) from a key with a balance. A key
   * whose balance is below it is refused with `credits_exhausted`. Rate limits count 1 whatever it is.
   */
  cost?: number;
}

/**
 * Checks a presented API key exactly as `/api/*` does, cheapest first: the throttle's memory of
 * the client, format and checksum, the id tag (one HMAC: a forged key stops here), the isolate's
 * memory of this exact key being limited (can only deny; with `runtime.waitUntil` only), then
 * one call to the key's Durable Object (digest, status, expiry, creator, the exact limiter; no
 * D1 query). An admitted check counts against the key's limits like any request to `/api/*`,
 * and every answer to the key's right secret (admitted, 429, revoked, expired, deactivated,
 * outside its IP allowlist) counts in its usage. Every invalid key counts against
 * `throttleKey`; answers about a key's state to its right secret do not: `ip_not_allowed`
 * included, as its caller already holds the secret (there is nothing left to guess), and
 * counting it would lock every key out of a shared address (a NAT, an office) for one
 * misconfigured integration.
 *
 * @example
 * const result = await verifyApiKey(env, config, { key, throttleKey: clientAddress(request) }, { waitUntil: (p) => ctx.waitUntil(p) });
 * if (result.outcome === "admitted") serve(result.identity);
 */
export async function verifyApiKey(env: Env, config: Config, request: VerificationRequest, runtime: VerificationRuntime = {}): Promise<Verification> {
  const now = runtime.now ?? Date.now;
  const deadlineMs = runtime.deadlineMs ?? LIMITER_DEADLINE_MS;
  const throttle = request.throttleKey === null ? null : new FailedAuthThrottle(env.AUTH_FAILURE_LIMITER, request.throttleKey, config.authFailurePeriodSeconds);
  const blockedFor = throttle?.blockedFor(now()) ?? 0;
  if (blockedFor > 0) return { outcome: "refused", reason: "too_many_failed_attempts", retryAfterSeconds: blockedFor };
  const invalid = async (): Promise<Verification> => {
    if (throttle && !(await throttle.recordFailure(now()))) {
      return { outcome: "refused", reason: "too_many_failed_attempts", retryAfterSeconds: throttle.retryAfterSeconds };
    }
    return { outcome: "refused", reason: "invalid_api_key" };
  };

  const parsed = parseApiKey(request.key, config.keyPrefix);
  const step = stepTimer(runtime.onStep);
  if (!parsed || !(await step("tag", () => hasValidTag(parsed, config.keyPrefix, config.keyTagSecrets)))) return invalid();
  const digest = await step("digest", () => digestKey(parsed.secret, config.keyHashSecret));
  const at = now();
  const clientAddress = request.clientAddress ?? null;
  const shed = limitedUntil(digest, at, clientAddress);
  if (shed && runtime.waitUntil && tallyShed(env, parsed.id, digest, at, runtime.waitUntil)) {
    return { outcome: "refused", reason: "rate_limited", policy: shed.policy, policies: shed.policies, retryAt: shed.until, now: at };
  }
  const cost = request.cost === undefined ? 1 : Math.min(MAX_COST, Math.max(0, Math.trunc(request.cost)));

  let result: VerifyResult;
  try {
    result = await step("object", () => withDeadline(verifyAtAuthority(env, parsed.id, digest, clientAddress, cost), deadlineMs));
  } catch (error) {
    console.error(`key authority unreachable: ${(error as Error).message}`);
    return { outcome: "refused", reason: "limiter_unavailable", retryAfterSeconds: 1 };
  }
  switch (result.outcome) {
    case "unknown":
      // A canary's use is reported after the answer (with waitUntil), so the answer is an unknown key's in timing too.
      if (result.canary) await reportCanaryUse(env, parsed.id, digest, { ip: clientAddress, userAgent: request.userAgent ?? null, path: request.path ?? null }, runtime.waitUntil);
      return invalid();
    case "disabled":
      return { outcome: "refused", reason: "api_key_disabled" };
    case "revoked":
      return { outcome: "refused", reason: "api_key_revoked" };
    case "expired":
      return { outcome: "refused", reason: "api_key_expired" };
    case "deactivated":
      return { outcome: "refused", reason: "user_deactivated" };
    case "ip_not_allowed":
      return { outcome: "refused", reason: "ip_not_allowed" };
    case "rate_limited": {
      const policies = result.usage.map((u) => u.policy);
      rememberLimited(digest, at, result.retryAt, result.violated, policies, result.restricted ? clientAddress : null);
      return { outcome: "refused", reason: "rate_limited", policy: result.violated, policies, retryAt: result.retryAt, now: result.now };
    }
    case "credits_exhausted":
      // Not remembered in the isolate: a top-up must work on the very next request.
      return { outcome: "refused", reason: "credits_exhausted", retryAt: result.retryAt, now: result.now };
    case "admitted": {
      const { identity, usage, credits } = result;
      if (request.permission && !identity.permissions.includes(request.permission)) {
        return { outcome: "refused", reason: "forbidden", permission: request.permission, identity, usage, credits };
      }
      return { outcome: "admitted", identity, usage, credits };
    }
  }
}

/**
 * Tells a canary key's object of its use: in `waitUntil` when there is one (after the answer has
 * gone), else before answering. A failure is logged: it never changes the answer.
 */
function reportCanaryUse(env: Env, keyId: string, digest: string, origin: SampledOrigin, waitUntil: WaitUntil | undefined): Promise<void> | void {
  const report = () =>
    authorityFor(env, keyId)
      .canaryUsed(keyId, digest, origin)
      .catch((error: unknown) => console.error(`canary use of ${keyId} not reported: ${(error as Error).message}`));
  if (!waitUntil) return report();
  // Started from a timer, so the answer is on its way before the report's call begins and none
  // of the report's work runs in the answer's time.
  waitUntil(new Promise<void>((resolve) => setTimeout(resolve, 0)).then(report));
}

/** One call to the key's Durable Object. */
async function verifyAtAuthority(env: Env, keyId: string, digest: string, clientAddress: string | null, cost: number): Promise<VerifyResult> {
  return await authorityFor(env, keyId).verify(keyId, digest, clientAddress, cost);
}

/**
 * Runs each step as it is, or, with an observer, between two readings of `performance.now()`:
 * from before the step starts (its synchronous part included, which is where Web Crypto does its
 * work) until its promise settles, failures included.
 */
function stepTimer(observer: StepObserver | undefined): <T>(name: VerificationStep, work: () => Promise<T>) => Promise<T> {
  if (!observer) return (_name, work) => work();
  return async (name, work) => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      observer(name, performance.now() - started);
    }
  };
}

/** Rejects when `promise` has not settled within `ms` (an overloaded object must not hang a check). */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: number | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
