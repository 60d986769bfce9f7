/** How long an address stays throttled in this isolate once the limiter refused it. */
const DEFAULT_PERIOD_SECONDS = 60;
/** Most addresses remembered per isolate; beyond it the memory starts over (it can only deny). */
const MAX_ENTRIES = 10_000;
const throttled = new Map<string, number>();

/**
 * Slows clients that keep presenting invalid API keys. Failures are counted per client address
 * by Cloudflare's Rate Limiting binding (`AUTH_FAILURE_LIMITER` in wrangler.toml: approximate,
 * per location, which is right for abuse). Once it refuses an address, this isolate refuses that
 * address's API-key requests with 429 for the binding's period before any Durable Object is
 * called. Valid keys' exact limits live in their Durable Objects and are never counted here.
 *
 * @example
 * const throttle = new FailedAuthThrottle(env.AUTH_FAILURE_LIMITER, clientAddress(c.req.raw));
 * if (throttle.blockedFor(Date.now())) throw tooManyFailures(…);
 * if (!(await throttle.recordFailure(Date.now()))) throw tooManyFailures(…);
 */
export class FailedAuthThrottle {
  constructor(
    private readonly limiter: RateLimit | undefined,
    private readonly address: string,
    private readonly periodSeconds: number = DEFAULT_PERIOD_SECONDS,
  ) {}

  /** Seconds until this address may try again, or 0 when it is not throttled here. */
  blockedFor(now: number): number {
    const until = throttled.get(this.address);
    if (until === undefined) return 0;
    if (until <= now) {
      throttled.delete(this.address);
      return 0;
    }
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  /**
   * Counts one failed verification. Returns false when the address is now over its limit (it is
   * then remembered as throttled for the period). Without the binding (an older wrangler.toml)
   * nothing is counted.
   */
  async recordFailure(now: number): Promise<boolean> {
    if (!this.limiter) return true;
    let success: boolean;
    try {
      ({ success } = await this.limiter.limit({ key: this.address }));
    } catch (error) {
      // The throttle is a shield, not a gate: when it is unavailable, verification goes on.
      console.error(`failed-auth limiter unavailable: ${(error as Error).message}`);
      return true;
    }
    if (success) return true;
    if (throttled.size >= MAX_ENTRIES) throttled.clear();
    throttled.set(this.address, now + this.periodSeconds * 1000);
    return false;
  }

  /** The period an address stays throttled, in seconds (the binding's `period`). */
  get retryAfterSeconds(): number {
    return this.periodSeconds;
  }
}

/**
 * The client's address: `CF-Connecting-IP`, which Cloudflare sets on every request and a client
 * cannot override (locally `wrangler dev` sets it too).
 *
 * @example
 * clientAddress(request); // "203.0.113.7"
 */
export function clientAddress(request: Request): string {
  return request.headers.get("CF-Connecting-IP")?.trim() || "unknown";
}
