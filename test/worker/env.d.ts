import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      /** The numbered SQL files of `migrations/`, read by test/vitest.config.ts. */
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
