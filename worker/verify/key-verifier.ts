import { WorkerEntrypoint } from "cloudflare:workers";
import { type Config, ConfigError, readConfig } from "../config";
import { verifyApiKey } from "./key-verification";
import { throttleKeyFor, toVerificationResult, type VerificationResult, VerifyInput } from "./verification-result";

/** The second argument of {@link KeyVerifier.verify}. */
export interface VerifyOptions {
  /** Also require this permission; a key without it is refused with `forbidden` (and still counted). */
  permission?: string | null;
  /**
   * The IP address of the client that presented the key (your `CF-Connecting-IP`). A key with an
   * IP allowlist is refused with `ip_not_allowed` when this is outside the list, omitted or not a
   * valid address. Invalid keys count against it, and once it is over the failed-attempt
   * allowance its checks are refused with `too_many_failed_attempts` before any storage.
   * Omitted: nothing is throttled, because counting against your Worker would let one bad client
   * lock out all the others.
   */
  clientAddress?: string | null;
  /**
   * The credits an admitted check spends from a key with a balance (0–1000; default 1). A key
   * whose balance is below it is refused with `credits_exhausted`.
   */
  cost?: number;
}

/**
 * Key checks for other Workers, over a service binding (RPC): the same check as `/api/*`, the
 * same outcomes as `POST /v1/verify`, counted against the key's exact limits like a request to
 * `/api/*` (one call to the key's Durable Object). Bind it in the consuming Worker with
 * `services = [{ binding = "KEY_VERIFIER", service = "api-keys-edge", entrypoint = "KeyVerifier" }]`.
 * A malformed argument (a key that is not a string, a permission or address of the wrong shape)
 * throws a TypeError that never quotes the key.
 *
 * @example
 * const result = await env.KEY_VERIFIER.verify(request.headers.get("X-API-Key") ?? "", {
 *   permission: "invoices:read",
 *   clientAddress: request.headers.get("CF-Connecting-IP"),
 * });
 * if (!result.valid) return Response.json({ error: result.code }, { status: result.code === "rate_limited" ? 429 : 401 });
 */
export class KeyVerifier extends WorkerEntrypoint<Env> {
  async verify(key: string, options: VerifyOptions = {}): Promise<VerificationResult> {
    const input = parseArguments(key, options);
    const verification = await verifyApiKey(
      this.env,
      configOf(this.env),
      {
        key: input.key,
        permission: input.permission,
        throttleKey: throttleKeyFor(input.clientAddress),
        clientAddress: input.clientAddress,
        cost: input.cost,
      },
      { waitUntil: (work) => this.ctx.waitUntil(work) },
    );
    return toVerificationResult(verification);
  }
}

/** The deployment's settings; when unusable, the log (readConfig) names them and the caller learns only that. */
function configOf(env: Env): Config {
  try {
    return readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new Error("server_misconfigured: the key service is not configured correctly");
    throw error;
  }
}

function parseArguments(key: unknown, options: unknown): VerifyInput {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError("KeyVerifier.verify(key, options): options must be an object such as { permission, clientAddress }");
  }
  const result = VerifyInput.safeParse({ ...options, key });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => issue.message);
  throw new TypeError(`KeyVerifier.verify(key, options): ${problems.join(" ")}`);
}
