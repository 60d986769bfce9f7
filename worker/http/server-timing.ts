import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import type { VerificationStep } from "../verify/key-verification";

/**
 * Local development only (worker/local-dev.ts mounts it; the production entry never does, and
 * `npm run test:deploy` checks its bundle for this handler's name). Adds a `Server-Timing` header
 * to every `/api/*` response: the key check's steps (`tag`, the id tag's HMAC; `digest`, the
 * key's HMAC; `object`, the call to the key's Durable Object, as `verifyApiKey` times them) and
 * `total`, from this middleware's start to the finished response. `npm run bench` reads it for its
 * breakdown of one protected request. Durations are `performance.now()`, which in `wrangler dev`
 * advances with the CPU; deployed, it only moves across I/O, which is why production has no such
 * header.
 *
 * @example
 * app.use(serverTiming()); // first, so that `total` covers every other middleware
 * // Server-Timing: tag;dur=0.041, digest;dur=0.032, object;dur=2.716, total;dur=3.902
 */
export function serverTiming(): MiddlewareHandler<AppEnv> {
  return async function serverTimingHandler(c, next) {
    if (!c.req.path.startsWith("/api/")) return next();
    const started = performance.now();
    const steps = new Map<VerificationStep, number>();
    c.set("verificationSteps", (step, ms) => steps.set(step, (steps.get(step) ?? 0) + ms));
    await next();
    const entries = [...steps, ["total", performance.now() - started] as const];
    c.res.headers.set("Server-Timing", entries.map(([name, ms]) => `${name};dur=${ms.toFixed(3)}`).join(", "));
  };
}
