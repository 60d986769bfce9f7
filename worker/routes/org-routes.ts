import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { authenticate, SIGN_IN_PROBLEMS } from "../http/authenticate";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { problemResponses } from "../http/problem-docs";
import { defineRoute } from "../http/route-definition";
import { effectivePolicy, OrgPolicyStore } from "../orgs/org-policy";
import { EffectivePolicySchema } from "../orgs/org-policy-schemas";

const OrgPolicyForMembers = z
  .object({
    orgId: z.string(),
    policy: EffectivePolicySchema,
  })
  .meta({ id: "MyOrgPolicy" });

const getPolicy = createRoute({
  method: "get",
  path: "/policy",
  tags: ["Keys"],
  security: [{ user: [] }],
  summary: "Your org's key policies",
  description:
    "The policies your org's keys live under, as they apply now (read-only; the host backend sets them with PUT /v1/admin/orgs/{orgId}/policy): whether keys must expire, the longest lifetime and the default expiry a create gets, the active-key cap, the ceiling for a key's own rate limits, whether members may create keys, and after how many days of disuse keys are revoked. They replace the deployment's limits that GET /v1/me shows where the org set its own. Any signed-in member may read them.",
  responses: {
    200: { description: "Your org's policies.", content: { "application/json": { schema: OrgPolicyForMembers } } },
    ...problemResponses(SIGN_IN_PROBLEMS),
  },
});

/**
 * `/v1/org`: the signed-in user's org as the key service sees it: its policies, read-only (one D1
 * read), so the element offers only what they allow.
 *
 * @example
 * app.route("/v1/org", orgRoutes());
 */
export function orgRoutes() {
  const org = new OpenAPIHono<AppEnv>();
  org.use(authenticate());
  defineRoute(org, getPolicy, async (c) => {
    const { orgId } = c.var.principal;
    const record = await new OrgPolicyStore(c.env.DB).get(orgId);
    return c.json({ orgId, policy: effectivePolicy(record.settings, c.var.config) }, 200);
  });
  refuseOtherMethods(org);
  return org;
}
