import { createApp } from "./app";
import { localDevelopment } from "./local-dev";

export { KeyAuthority } from "./authority/key-authority";
export { UserAuthority } from "./authority/user-authority";
export { KeyVerifier } from "./verify/key-verifier";

const app = createApp({ localDevelopment });

/**
 * The local-development entry point (`wrangler dev`, the tests): the production app plus
 * `/dev/session`, the demo page and sample data. Production deploys worker/index.ts.
 */
export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
