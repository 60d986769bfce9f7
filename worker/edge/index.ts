/**
 * The library entry for Hono apps in other Workers that mount the key check on their own routes
 * (package export `api-keys-edge/edge`). Such a Worker does not run its own `KeyAuthority`: it
 * binds this deployment's through `script_name`, so both share every key's state and exact
 * limits. It needs `KEY_AUTHORITY` (`class_name = "KeyAuthority"`, `script_name` = this Worker),
 * the same `KEY_HASH_SECRET`, `KEY_TAG_SECRETS` and `KEY_PREFIX`, and optionally the
 * `AUTH_FAILURE_LIMITER` ratelimit; `requestContext()` sets `requestId` and `config`, and
 * `renderProblem` turns the check's refusals into problem+json. Workers that would rather not
 * hold those secrets bind the `KeyVerifier` entrypoint instead (worker/verify/key-verifier.ts).
 *
 * @example
 * import { apiKeyAuth, Failure, renderProblem, requestContext } from "api-keys-edge/edge";
 * app.use("/api/*", requestContext(), apiKeyAuth());
 * app.onError((error, c) => (error instanceof Failure ? renderProblem(error, c.var.requestId) : c.text("Internal error", 500)));
 */
export { apiKeyAuth, requirePermission } from "./api-key-auth";
export { requestContext } from "../http/request-context";
export { renderProblem } from "../http/problem";
export { Failure } from "../errors/failure";
export type { AppEnv } from "../app-env";
export type { KeyAuthority, KeyIdentity } from "../authority/key-authority";
export { verifyApiKey, type Verification } from "../verify/key-verification";
export type { VerificationResult } from "../verify/verification-result";
export type { KeyVerifier, VerifyOptions } from "../verify/key-verifier";
