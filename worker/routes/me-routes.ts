import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { authenticate, SIGN_IN_PROBLEMS } from "../http/authenticate";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { problemResponses } from "../http/problem-docs";
import { defineRoute } from "../http/route-definition";
import { describeMe } from "../manage/me";
import { MeResponse } from "../users/user-schemas";

const getMe = createRoute({
  method: "get",
  path: "/",
  tags: ["Keys"],
  security: [{ user: [] }],
  summary: "Who you are and what you may do",
  description:
    "The signed-in user, their org, their effective permissions (the choices for a key's `scopes`), whether they are an org admin, and the limits keys live under: the active-key cap, the longest lifetime and the rate-limit policies.",
  responses: {
    200: { description: "You.", content: { "application/json": { schema: MeResponse } } },
    ...problemResponses(SIGN_IN_PROBLEMS),
  },
});

/**
 * `/v1/me`: the signed-in user as the key service sees them.
 *
 * @example
 * app.route("/v1/me", meRoutes());
 */
export function meRoutes() {
  const me = new OpenAPIHono<AppEnv>();
  me.use(authenticate());
  defineRoute(me, getMe, (c) => c.json(describeMe(c.var.principal, c.var.config), 200));
  refuseOtherMethods(me);
  return me;
}
