import { createApp } from "./app";

export { KeyAuthority } from "./limiter/key-authority";
export { UserAuthority } from "./users/user-authority";
export { KeyVerifier } from "./verify/key-verifier";

const app = createApp();

/** The Worker entry point. */
export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
