import { createApp } from "./app";
import { localDevelopment } from "./local-dev";
import { handleWebhookBatch } from "./webhooks/webhook-consumer";
import { sweepWebhooks } from "./webhooks/sweep";

// KeyAuthority with local development's additions (replaying past usage); worker/index.ts exports the plain class.
export { DevKeyAuthority as KeyAuthority } from "./authority/dev-key-authority";
export { UserAuthority } from "./authority/user-authority";
export { KeyVerifier } from "./verify/key-verifier";

const app = createApp({ localDevelopment });

/**
 * The local-development entry point (`wrangler dev`, the tests): the production app plus
 * `/dev/session`, `/dev/keys/{id}/simulated-usage`, the demo page and sample data, and the key
 * chains' Durable Object with its development additions. Production deploys worker/index.ts.
 */
export default {
  fetch: app.fetch,
  queue: (batch, env) => handleWebhookBatch(batch, env),
  scheduled: async (_controller, env) => void (await sweepWebhooks(env, Date.now())),
} satisfies ExportedHandler<Env>;
