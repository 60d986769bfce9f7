import type { Hono } from "hono";
import type { AppEnv } from "./app-env";
import type { LocalDevelopment } from "./app";
import { devSessionRoutes } from "./routes/dev-session-routes";
import { devUsageRoutes } from "./routes/dev-usage-routes";
import { SAMPLE_CONTACTS } from "./edge/sample-contacts";
import { cors } from "./http/cors";
import { demoPage } from "./routes/demo-page";
import { serverTiming } from "./http/server-timing";

/**
 * Everything only local development has: `POST /dev/session` (sign in as anyone, loopback and
 * `DEV_LOGIN` only), `POST /dev/keys/{id}/simulated-usage` (a month of usage for a key, same
 * guard), the demo host page, the sample contacts behind `/api/contacts`, and a `Server-Timing`
 * header on `/api/*` (the key check's steps, for `npm run bench`). Imported by
 * worker/dev.ts alone, so a production bundle contains none of it.
 *
 * @example
 * const app = createApp({ localDevelopment });
 */
export const localDevelopment: LocalDevelopment = {
  outermost: serverTiming(),
  mount(app: Hono<AppEnv>) {
    app.use("/dev/*", cors());
    app.route("/dev", devSessionRoutes());
    app.route("/dev", devUsageRoutes());
    // Last: every other GET the app does not know goes to the demo page's files.
    app.get("*", demoPage());
  },
  sampleContacts: SAMPLE_CONTACTS,
};
