import { createApp } from "./app";
import { runScheduled } from "./lifecycle/scheduled";
import { handleWebhookBatch } from "./webhooks/webhook-consumer";

export { KeyAuthority } from "./authority/key-authority";
export { UserAuthority } from "./authority/user-authority";
export { KeyVerifier } from "./verify/key-verifier";

const app = createApp();

/**
 * The Worker entry point: HTTP, the webhook queues, and the Cron Trigger's scheduled run
 * (wrangler.toml `crons`: expiry reminders and the webhooks' safety net).
 */
export default {
  fetch: app.fetch,
  queue: (batch, env) => handleWebhookBatch(batch, env),
  scheduled: (controller, env) => runScheduled(env, controller.scheduledTime),
} satisfies ExportedHandler<Env>;
