import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import type { DevKeyAuthority } from "../authority/dev-key-authority";
import { MAX_SIMULATED_DAYS, MAX_SIMULATED_LOAD } from "../authority/dev-key-authority";
import { authorityFor } from "../authority/key-authority-client";
import { Failure } from "../errors/failure";
import { authenticate } from "../http/authenticate";
import { readJsonBody } from "../http/json-body";
import { KeyStore } from "../keys/key-store";
import { findVisibleKey } from "../manage/visible-key";
import { devLoginAllowed } from "./dev-session-routes";

const SimulatedUsageInput = z.strictObject({
  days: z.number().int().min(1).max(MAX_SIMULATED_DAYS).optional(),
});

const SimulatedLoadInput = z.strictObject({
  hours: z.number().int().min(1).max(MAX_SIMULATED_LOAD.hours),
  perSecond: z.number().int().min(1).max(MAX_SIMULATED_LOAD.perSecond),
});

/**
 * `POST /dev/keys/{id}/simulated-usage` (local development only, like `/dev/session`: mounted by
 * worker/dev.ts, answering only where `DEV_LOGIN` is `"true"` on a loopback host; a plain 404
 * everywhere else). Signed in as the key's owner (or an org admin), it replays `days` (1–30,
 * default 30) of simulated traffic into the key's usage counters, ending now, through the
 * counters' own code (`DevKeyAuthority.simulateUsage`), so `GET /v1/keys/{id}/usage?window=30d`
 * has a month to show. Body `{ "days"?: n }`; answers `{ keyId, minutes, added }`. The bench's
 * usage row seeds its key with it.
 *
 * `POST /dev/keys/{id}/simulated-load` (the same guard and rights): body `{ hours, perSecond }`
 * (1–48, 1–100); drives that much load through the key's real decisions on the object's
 * simulated clock (`DevKeyAuthority.simulateLoad`) and answers `{ keyId, decisions, admitted,
 * rows: { admissions, buckets }, databaseBytes }`: the bench's memory row for a 24 h window.
 *
 * @example
 * app.route("/dev", devUsageRoutes());
 */
export function devUsageRoutes() {
  const dev = new Hono<AppEnv>();
  const devOnly: MiddlewareHandler<AppEnv> = async function devOnly(c, next) {
    if (!devLoginAllowed(c)) throw new Failure("not_found", "No such route.");
    await next();
  };
  dev.post(
    "/keys/:id/simulated-usage",
    devOnly,
    authenticate(),
    async (c) => {
      const id = c.req.param("id");
      const input = await readJsonBody(c, SimulatedUsageInput);
      if (!(await findVisibleKey(new KeyStore(c.env.DB), c.var.principal, id))) throw new Failure("not_found", "No key with that id.");
      const stub = authorityFor(c.env, id) as unknown as DurableObjectStub<DevKeyAuthority>;
      const { minutes, added } = await stub.simulateUsage(id, input.days ?? MAX_SIMULATED_DAYS);
      return c.json({ keyId: id, minutes, added });
    },
  );
  dev.post("/keys/:id/simulated-load", devOnly, authenticate(), async (c) => {
    const id = c.req.param("id");
    const input = await readJsonBody(c, SimulatedLoadInput);
    if (!(await findVisibleKey(new KeyStore(c.env.DB), c.var.principal, id))) throw new Failure("not_found", "No key with that id.");
    const stub = authorityFor(c.env, id) as unknown as DurableObjectStub<DevKeyAuthority>;
    const load = await stub.simulateLoad(id, input.hours, input.perSecond);
    if (!load) throw new Failure("not_found", "No key with that id.");
    return c.json({ keyId: id, ...load });
  });
  return dev;
}
