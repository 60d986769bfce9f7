import type { Config } from "./config";
import type { Principal } from "./auth/principal";
import type { CreditBalance, KeyIdentity } from "./authority/key-authority";
import type { PolicyUsage } from "./limiter/sliding-window";
import type { StepObserver } from "./verify/key-verification";

/**
 * The one Hono environment type of the Worker: bindings from `wrangler types`, and the values
 * middleware puts on the context.
 */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    principal: Principal;
    /** Set by `apiKeyAuth()` on the key-protected API. */
    apiKey: KeyIdentity;
    /** The key's rate-limit usage after admitting this request. */
    rateLimit: PolicyUsage[];
    /** The key's credits balance after this request, or null: the key has no credits. */
    credits: CreditBalance | null;
    /** Hears the key check's step durations; set only by the local-development entry's `serverTiming()`. */
    verificationSteps?: StepObserver;
  };
}
