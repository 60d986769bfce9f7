import { createApp } from "./app";
import { runScheduled } from "./lifecycle/scheduled";

export { KeyAuthority } from "./authority/key-authority";
export { UserAuthority } from "./authority/user-authority";
export { KeyVerifier } from "./verify/key-verifier";

const app = createApp();

/** The Worker entry point: requests, and the Cron Trigger's scheduled run (wrangler.toml `crons`). */
export default {
  fetch: app.fetch,
  scheduled: (controller, env) => runScheduled(env, controller.scheduledTime),
} satisfies ExportedHandler<Env>;
