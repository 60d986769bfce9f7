import type { Config } from "./config";
import type { Principal } from "./auth/principal";

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
  };
}
