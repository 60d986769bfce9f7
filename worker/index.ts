import { createApp } from "./app";
import { handleWebhookBatch } from "./webhooks/webhook-consumer";
import { sweepWebhooks } from "./webhooks/sweep";

export { KeyAuthority } from "./authority/key-authority";
export { UserAuthority } from "./authority/user-authority";
export { KeyVerifier } from "./verify/key-verifier";

const app = createApp();

/**
 * The Worker entry point: HTTP, the webhook queues, and the scheduled safety net of webhooks
 * (wrangler.toml's cron triggers).
 */
export default {
  fetch: app.fetch,
  queue: (batch, env) => handleWebhookBatch(batch, env),
  scheduled: async (_controller, env) => void (await sweepWebhooks(env, Date.now())),
} satisfies ExportedHandler<Env>;
