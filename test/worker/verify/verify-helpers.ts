import { env } from "cloudflare:workers";
import type { VerificationResult } from "../../../worker/verify/verification-result";
import { call, type CallOptions } from "../helpers/api";

/** `VERIFY_API_TOKEN` of the test configuration (test/vitest.config.ts). */
export const VERIFY_TOKEN = "test-verify-token-0123456789abcdef0123";
/** `ADMIN_API_TOKEN` of the test configuration. */
export { ADMIN_TOKEN } from "../helpers/api";

/** The auxiliary Workers of test/vitest.config.ts, as the tests reach them. */
export const consumers = env as unknown as { VERIFY_CONSUMER: Fetcher; HONO_CONSUMER: Fetcher };

/** What the consuming Worker got back from `KEY_VERIFIER.verify`, or what it caught. */
export type BindingAnswer = VerificationResult | { thrown: string; message: string };

/**
 * Calls `verify(key, options)` on the `KeyVerifier` entrypoint from another Worker
 * (`verify-consumer`, bound to the main Worker's entrypoint like a production service binding).
 *
 * @example
 * const result = await viaBinding(secret, { permission: "invoices:read", clientAddress: "192.0.2.7" });
 */
export async function viaBinding(key: unknown, options: unknown = {}): Promise<BindingAnswer> {
  const res = await consumers.VERIFY_CONSUMER.fetch("http://verify-consumer/", { method: "POST", body: JSON.stringify({ key, options }) });
  return res.json();
}

/**
 * `POST /v1/verify` with the service token (or `token`), through the main Worker's fetch handler.
 *
 * @example
 * const res = await viaHttp({ key: secret });
 */
export function viaHttp(body: unknown, options: Omit<CallOptions, "json"> & { token?: string | null } = {}): Promise<Response> {
  const token = options.token === undefined ? VERIFY_TOKEN : options.token;
  return call("POST", "/v1/verify", { ...options, token, json: body });
}
