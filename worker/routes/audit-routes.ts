import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { authenticate } from "../http/authenticate";
import { validate } from "../http/json-body";
import { methodNotAllowed } from "../http/method-not-allowed";
import { PageQuery } from "../keys/key-schemas";
import { listAuditEvents } from "../audit/audit-log";

/**
 * `/v1/audit-events`: the key and user events the signed-in user may read, newest first.
 *
 * @example
 * app.route("/v1/audit-events", auditRoutes());
 */
export function auditRoutes() {
  const audit = new Hono<AppEnv>();
  audit.use(authenticate());
  audit.get("/", async (c) => {
    const query = validate(PageQuery, c.req.query(), "query");
    return c.json(await listAuditEvents(c.env.DB, c.var.config, c.var.principal, query));
  });
  audit.all("/", methodNotAllowed("GET"));
  return audit;
}
