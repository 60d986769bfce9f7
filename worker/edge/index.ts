/**
 * The library entry for Hono apps that mount the key check on their own routes (package export
 * `api-keys-edge/edge`). The app must bind `KEY_AUTHORITY` (and export `KeyAuthority`), and set
 * `requestId` and `config` on the context, e.g. with `requestContext()`.
 *
 * @example
 * import { apiKeyAuth, requirePermission, requestContext } from "api-keys-edge/edge";
 * app.use("/api/*", requestContext(), apiKeyAuth());
 */
export { apiKeyAuth, requirePermission } from "./api-key-auth";
export { requestContext } from "../http/request-context";
export { KeyAuthority, type KeyIdentity } from "../limiter/key-authority";
