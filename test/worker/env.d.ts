import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      /** The numbered SQL files of `migrations/`, read by test/vitest.config.ts. */
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

declare module "vitest" {
  export interface ProvidedContext {
    /** The base URL of the webhook receiver (test/worker/webhooks/receiver.global.ts), e.g. http://127.0.0.1:41234. */
    webhookReceiver: string;
  }
}
