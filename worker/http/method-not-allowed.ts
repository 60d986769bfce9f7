import type { Handler } from "hono";
import { Failure } from "../errors/failure";

/**
 * A catch-all for a path's other methods: 405 with the `Allow` header listing the real ones.
 *
 * @example
 * keys.all("/", methodNotAllowed("GET, POST"));
 */
export function methodNotAllowed(allow: string): Handler {
  return function methodNotAllowedHandler() {
    throw new Failure("method_not_allowed", `This path accepts ${allow}.`, { headers: { Allow: allow } });
  };
}
