import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { listAuditEvents } from "../audit/audit-log";
import { EventListResponse } from "../audit/audit-schemas";
import { authenticate, SIGN_IN_PROBLEMS } from "../http/authenticate";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { problemResponses } from "../http/problem-docs";
import { defineRoute } from "../http/route-definition";
import { AuditEventsQuery } from "../keys/key-schemas";

const listEvents = createRoute({
  method: "get",
  path: "/",
  tags: ["Audit"],
  security: [{ user: [] }],
  summary: "List audit events, newest first",
  description:
    "Key and user events: your own; the whole org's if you hold `api_keys:admin`. `ip` and `userAgent` are null on events you did not perform yourself, unless you are an admin. `keyId` narrows the list to one key's events (an empty page for a key you may not see). Paginated like keys; a cursor continues the listing it came from, filter included.",
  request: { query: AuditEventsQuery },
  responses: {
    200: { description: "A page of events.", content: { "application/json": { schema: EventListResponse } } },
    ...problemResponses(["invalid_cursor", ...SIGN_IN_PROBLEMS, ["validation_failed", "A query parameter is invalid or unknown (a keyId that is not 16 letters and digits…); errors lists each one."]]),
  },
});

/**
 * `/v1/audit-events`: the key and user events the signed-in user may read, newest first.
 *
 * @example
 * app.route("/v1/audit-events", auditRoutes());
 */
export function auditRoutes() {
  const audit = new OpenAPIHono<AppEnv>();
  audit.use(authenticate());
  defineRoute(audit, listEvents, async (c) => {
    return c.json(await listAuditEvents(c.env.DB, c.var.config, c.var.principal, c.req.valid("query")), 200);
  });
  refuseOtherMethods(audit);
  return audit;
}
