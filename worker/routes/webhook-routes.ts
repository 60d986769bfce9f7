import { createRoute, OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../app-env";
import { Failure } from "../errors/failure";
import { authenticate, SIGN_IN_PROBLEMS } from "../http/authenticate";
import { BODY_PROBLEMS } from "../http/json-body";
import { refuseOtherMethods } from "../http/method-not-allowed";
import { webhookRefusalProblem } from "../http/outcome-problems";
import { type ProblemSpec, problemResponses } from "../http/problem-docs";
import { defineRoute } from "../http/route-definition";
import { ExternalId } from "../schemas/text";
import {
  CreatedEndpointResponse,
  CreateEndpointInput,
  DELIVERY_ID,
  DeliveriesQuery,
  DeliveryDetailResponse,
  DeliveryListResponse,
  DeliverySchema,
  ENDPOINT_ID,
  EndpointListResponse,
  EndpointSchema,
  UpdateEndpointInput,
  WebhookMessageSchema,
} from "../webhooks/webhook-schemas";
import { WEBHOOK_EVENTS } from "../webhooks/webhook-events";
import { WebhookService } from "../webhooks/webhook-service";

/**
 * Who calls a copy of the webhook routes: an org admin with their token (`/v1/webhooks`, the
 * org from the token) or the host backend with ADMIN_API_TOKEN (`/v1/admin/orgs/{orgId}/webhooks`,
 * the org from the path). Both copies share every definition and handler below.
 */
interface Audience {
  prefix: string;
  tags: string[];
  security: RouteConfig["security"];
  /** Path parameters before the endpoint's id. */
  params: Record<string, z.ZodType>;
  /** What signing in can answer. */
  problems: ProblemSpec[];
  /** Whose endpoints the request acts on. */
  orgOf(c: { var: AppEnv["Variables"]; req: { param(name: string): string | undefined } }): string;
}

const NOT_ADMIN: ProblemSpec = ["forbidden", "Webhooks are managed by the org's admins: your token lacks api_keys:admin (or AUTH_ADMIN_PERMISSION)."];

const USER_AUDIENCE: Audience = {
  prefix: "",
  tags: ["Webhooks"],
  security: [{ user: [] }],
  params: {},
  problems: [...SIGN_IN_PROBLEMS, NOT_ADMIN],
  orgOf: (c) => c.var.principal.orgId,
};

const ADMIN_AUDIENCE: Audience = {
  prefix: "/orgs/{orgId}/webhooks",
  tags: ["Admin"],
  security: [{ admin: [] }],
  params: {
    orgId: z
      .string()
      .refine((value) => ExternalId.safeParse(value).success, "No such org id.")
      .meta({ param: { description: "The org id, as in the tokens' org claim.", example: "org_acme" } }),
  },
  problems: [["unauthenticated", "The Authorization header does not carry ADMIN_API_TOKEN."]],
  orgOf: (c) => c.req.param("orgId")!,
};

const endpointId = z
  .string()
  .regex(ENDPOINT_ID, "No such webhook endpoint.")
  .meta({ param: { description: "The endpoint's id (whk_ and 24 letters and digits).", example: "whk_3kTMd9cFq2ZxW8aLpR5vN1sY" } });
const deliveryId = z
  .string()
  .regex(DELIVERY_ID, "No such delivery.")
  .meta({ param: { description: "The delivery's id (whd_ and 24 letters and digits).", example: "whd_Q8vT2mZk5LpX0cRw7NbY3sHd" } });

const NOT_FOUND: ProblemSpec = ["not_found", "No such endpoint or delivery in this org (another org's is answered exactly like a missing one)."];
const INVALID_QUERY: ProblemSpec = ["validation_failed", "A query parameter is invalid or unknown; errors lists each one."];
const INVALID_BODY: ProblemSpec = [
  "validation_failed",
  "A field is invalid or unknown, or the URL is refused (not https, a private or reserved address, a name that only resolves inside a network, user info, a fragment, a port other than 443 or 8443…); errors lists each one.",
];
const BODY: ProblemSpec[] = [...BODY_PROBLEMS.filter((p) => p !== "validation_failed"), INVALID_BODY];

function definitions(audience: Audience) {
  const base = audience.prefix || "/";
  const one = `${audience.prefix}/{id}`;
  const common = { tags: audience.tags, security: audience.security };
  const orgParams = z.object(audience.params);
  const endpointParams = orgParams.extend({ id: endpointId });
  const deliveryParams = endpointParams.extend({ deliveryId });
  const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { "application/json": { schema } } });
  return {
    list: createRoute({
      ...common,
      method: "get",
      path: base,
      summary: "List the org's webhook endpoints",
      description: "Oldest first; an org has at most 20. Signing secrets are never listed.",
      request: { params: orgParams },
      responses: { 200: json(EndpointListResponse, "The endpoints."), ...problemResponses(audience.problems) },
    }),
    create: createRoute({
      ...common,
      method: "post",
      path: base,
      summary: "Register a webhook endpoint",
      description:
        "From now on, each event of the org of a type in `events` (every type when omitted) is POSTed to `url`, signed as Standard Webhooks define (webhook-id, webhook-timestamp, webhook-signature). The signing secret is in this response only.",
      request: {
        params: orgParams,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: CreateEndpointInput,
              example: { url: "https://hooks.example.com/api-keys", events: ["key.revoked", "key.leaked"], description: "Security alerts" },
            },
          },
        },
      },
      responses: {
        201: json(CreatedEndpointResponse, "The endpoint and its signing secret."),
        ...problemResponses([...audience.problems, ...BODY, "webhook_endpoint_limit"]),
      },
    }),
    update: createRoute({
      ...common,
      method: "patch",
      path: one,
      summary: "Change a webhook endpoint",
      description: "Send any of url (checked as on create), events, description and enabled. Disabling stops deliveries; pending ones fail when their turn comes and can be resent later.",
      request: {
        params: endpointParams,
        body: { required: true, content: { "application/json": { schema: UpdateEndpointInput, example: { enabled: false } } } },
      },
      responses: { 200: json(EndpointSchema, "The endpoint as it now stands."), ...problemResponses([...audience.problems, ...BODY, NOT_FOUND]) },
    }),
    remove: createRoute({
      ...common,
      method: "delete",
      path: one,
      summary: "Delete a webhook endpoint",
      description: "With its deliveries and their attempts: nothing more is sent to it, pending deliveries included.",
      request: { params: endpointParams },
      responses: { 204: { description: "Deleted." }, ...problemResponses([...audience.problems, NOT_FOUND]) },
    }),
    deliveries: createRoute({
      ...common,
      method: "get",
      path: `${one}/deliveries`,
      summary: "List an endpoint's deliveries, newest first",
      description: "One delivery per event sent to the endpoint, with its status and attempt count. Paginated like keys. Finished deliveries are kept 30 days.",
      request: { params: endpointParams, query: DeliveriesQuery },
      responses: {
        200: json(DeliveryListResponse, "A page of deliveries."),
        ...problemResponses([...audience.problems, "invalid_cursor", INVALID_QUERY, NOT_FOUND]),
      },
    }),
    delivery: createRoute({
      ...common,
      method: "get",
      path: `${one}/deliveries/{deliveryId}`,
      summary: "Read a delivery and its attempts",
      description: "Every attempt: when, the HTTP status (null without an answer), how long it took, and why it failed when the status does not say.",
      request: { params: deliveryParams },
      responses: { 200: json(DeliveryDetailResponse, "The delivery."), ...problemResponses([...audience.problems, NOT_FOUND]) },
    }),
    resend: createRoute({
      ...common,
      method: "post",
      path: `${one}/deliveries/{deliveryId}/resend`,
      summary: "Resend a delivery",
      description:
        "Whatever its status: a new sequence of attempts with the whole retry schedule, the same body and the same webhook-id (receivers that deduplicate by it see one event). A sequence still running is replaced. The body may be empty.",
      request: { params: deliveryParams, body: { required: false, content: { "application/json": { schema: z.strictObject({}), example: {} } } } },
      responses: {
        202: json(DeliverySchema, "The delivery, queued."),
        ...problemResponses([...audience.problems, ...BODY_PROBLEMS, NOT_FOUND, "webhook_endpoint_disabled"]),
      },
    }),
  };
}

/** Mounts one audience's copy of the webhook routes on `app`. */
function mount(app: OpenAPIHono<AppEnv>, audience: Audience): void {
  const routes = definitions(audience);
  const service = (c: { env: Env; var: AppEnv["Variables"] }) => new WebhookService(c.env, c.var.config);
  const param = (c: { req: { param(name: string): string | undefined } }, name: string) => c.req.param(name)!;

  defineRoute(app, routes.list, async (c) => c.json({ endpoints: await service(c).list(audience.orgOf(c)) }, 200));

  defineRoute(app, routes.create, async (c) => {
    const created = await service(c).create(audience.orgOf(c), c.req.valid("json"));
    if (!created.ok) throw webhookRefusalProblem(created);
    return c.json({ ...created.endpoint, secret: created.secret }, 201);
  });

  defineRoute(app, routes.update, async (c) => {
    const updated = await service(c).update(audience.orgOf(c), param(c, "id"), c.req.valid("json"));
    if (!updated.ok) throw webhookRefusalProblem(updated);
    return c.json(updated.endpoint, 200);
  });

  defineRoute(app, routes.remove, async (c) => {
    const removed = await service(c).remove(audience.orgOf(c), param(c, "id"));
    if (!removed.ok) throw webhookRefusalProblem(removed);
    return c.body(null, 204);
  });

  defineRoute(app, routes.deliveries, async (c) => {
    const page = await service(c).deliveriesOf(audience.orgOf(c), param(c, "id"), c.req.valid("query"));
    if (!page.ok) throw webhookRefusalProblem(page);
    return c.json({ deliveries: page.deliveries, nextCursor: page.nextCursor }, 200);
  });

  defineRoute(app, routes.delivery, async (c) => {
    const found = await service(c).delivery(audience.orgOf(c), param(c, "id"), param(c, "deliveryId"));
    if (!found.ok) throw webhookRefusalProblem(found);
    return c.json(found.delivery, 200);
  });

  defineRoute(app, routes.resend, async (c) => {
    const resent = await service(c).resend(audience.orgOf(c), param(c, "id"), param(c, "deliveryId"));
    if (!resent.ok) throw webhookRefusalProblem(resent);
    return c.json(resent.delivery, 202);
  });
}

/**
 * `/v1/webhooks`: an org's admins (api_keys:admin) register endpoints and follow their
 * deliveries; members are answered 403. Every route acts on the signed-in user's org only.
 *
 * @example
 * app.route("/v1/webhooks", webhookRoutes());
 */
export function webhookRoutes() {
  const webhooks = new OpenAPIHono<AppEnv>();
  webhooks.use(authenticate());
  webhooks.use(async function requireOrgAdmin(c, next) {
    if (!c.var.principal.isAdmin) throw new Failure("forbidden", "Webhooks are managed by the org's admins (api_keys:admin).");
    await next();
  });
  mount(webhooks, USER_AUDIENCE);
  refuseOtherMethods(webhooks);
  return webhooks;
}

/**
 * Adds the same routes for the host backend to the admin API (`/v1/admin`, already behind
 * ADMIN_API_TOKEN): `/orgs/{orgId}/webhooks…`, for any org.
 *
 * @example
 * mountAdminWebhookRoutes(admin); // inside adminRoutes(), before refuseOtherMethods(admin)
 */
export function mountAdminWebhookRoutes(admin: OpenAPIHono<AppEnv>): void {
  mount(admin, ADMIN_AUDIENCE);
}

const EVENT_SUMMARIES: Record<(typeof WEBHOOK_EVENTS)[number], string> = {
  "key.created": "A key was created (a rotation's successor too)",
  "key.revoked": "A key was revoked (by a user, an admin or a leak report)",
  "key.rotated": "A key was rotated; data.successorId names the new key",
  "key.leaked": "A leak report named the key; data.url says where it was found",
  "key.expiring": "A key expires in 7 days or 1 day (data.detail.window)",
  "key.expired": "A key reached its expiry",
  "user.deactivated": "The admin API deactivated a user",
  "key.paused": "A key was paused (enabled: false): refused with api_key_disabled until resumed",
  "key.resumed": "A paused key was resumed",
  "key.canary_used": "A canary key (honeytoken) was used; data.origin holds the address and user agent, data.detail the path and how many uses the event stands for",
  "key.grace_ended": "A rotation's grace ended by itself: the successor was used and the old key stayed idle (graceUntilIdle)",
};

/**
 * Documents what an endpoint receives for each event type (the OpenAPI document's `webhooks`):
 * the Standard Webhooks headers and the body. Registered on the top-level app, since a sub-app
 * would prefix the event names with its path.
 *
 * @example
 * documentWebhookEvents(app);
 */
export function documentWebhookEvents(app: OpenAPIHono<AppEnv>): void {
  const headers = z.object({
    "webhook-id": z.string().meta({ description: "The event's id: the same on every attempt and resend; deduplicate on it.", example: "evt_Xn3c7Tq0LbVwR2yHkP9s" }),
    "webhook-timestamp": z.string().meta({ description: "When this attempt was signed, in Unix seconds.", example: "1796553600" }),
    "webhook-signature": z.string().meta({
      description: "v1, and the base64 HMAC-SHA-256 of {webhook-id}.{webhook-timestamp}.{body} under the endpoint's secret (the bytes after whsec_).",
      example: "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    }),
  });
  for (const type of WEBHOOK_EVENTS) {
    app.openAPIRegistry.registerWebhook({
      method: "post",
      path: type,
      tags: ["Webhooks"],
      summary: EVENT_SUMMARIES[type],
      description: "POSTed to every enabled endpoint of the org that listens for this type, signed as Standard Webhooks define. Any 2xx within WEBHOOK_TIMEOUT_SECONDS acknowledges it; anything else is retried.",
      request: { headers, body: { required: true, content: { "application/json": { schema: WebhookMessageSchema } } } },
      responses: { 204: { description: "Received (any 2xx)." } },
    });
  }
}
