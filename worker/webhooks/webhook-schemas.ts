import { z } from "zod";
import { PageQuery } from "../keys/key-schemas";
import { displayName, Timestamp } from "../schemas/text";
import { MAX_ENDPOINT_URL_LENGTH } from "./endpoint-url";
import { WEBHOOK_EVENTS } from "./webhook-events";

/** An endpoint's id: `whk_` and 24 base62 characters. */
export const ENDPOINT_ID = /^whk_[0-9A-Za-z]{24}$/;
/** A delivery's id: `whd_` and 24 base62 characters. */
export const DELIVERY_ID = /^whd_[0-9A-Za-z]{24}$/;

export const WebhookEventSchema = z.enum(WEBHOOK_EVENTS);

const EventList = z
  .array(WebhookEventSchema)
  .min(1, "events must name at least one event type.")
  .refine((list) => new Set(list).size === list.length, "events must not repeat.")
  .meta({ description: `The event types sent to the endpoint: any of ${WEBHOOK_EVENTS.join(", ")}.` });

const Url = z
  .string({ error: "url must be a string." })
  // The full rule (https, public host, no userinfo…) needs the deployment's settings: the service checks it.
  .max(MAX_ENDPOINT_URL_LENGTH, `url must be at most ${MAX_ENDPOINT_URL_LENGTH} characters.`)
  .meta({
    description:
      "Where the events are POSTed: https on port 443 or 8443, a public host name or public IP address, no user name, password or fragment, at most 2048 characters.",
    example: "https://hooks.example.com/api-keys",
  });

const Description = displayName(200, "Description");

/** Body of `POST /v1/webhooks`. */
export const CreateEndpointInput = z.strictObject({
  url: Url,
  events: EventList.optional().meta({ description: "The event types to send; every one when omitted." }),
  description: Description.nullable().optional(),
});
export type CreateEndpointInput = z.output<typeof CreateEndpointInput>;

/** Body of `PATCH /v1/webhooks/{id}`. */
export const UpdateEndpointInput = z
  .strictObject({
    url: Url.optional(),
    events: EventList.optional(),
    description: Description.nullable().optional(),
    enabled: z.boolean().optional().meta({ description: "false stops deliveries to the endpoint: its pending ones fail when their turn comes." }),
  })
  .refine((input) => Object.values(input).some((v) => v !== undefined), "Send at least one of url, events, description and enabled.")
  .meta({ description: "At least one of url, events, description and enabled." });
export type UpdateEndpointInput = z.output<typeof UpdateEndpointInput>;

export const EndpointSchema = z
  .object({
    id: z.string().meta({ example: "whk_3kTMd9cFq2ZxW8aLpR5vN1sY" }),
    url: z.string(),
    events: z.array(WebhookEventSchema),
    description: z.string().nullable(),
    enabled: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: "WebhookEndpoint" });
export type EndpointView = z.output<typeof EndpointSchema>;

export const EndpointListResponse = z.object({ endpoints: z.array(EndpointSchema) });

export const CreatedEndpointResponse = EndpointSchema.extend({
  secret: z.string().meta({
    description: "The signing secret (Standard Webhooks: whsec_ and base64). Shown in this response only; verify every webhook-signature with it.",
  }),
});

export const DeliverySchema = z
  .object({
    id: z.string(),
    eventId: z.string().meta({ description: "The audit event's id; also the webhook-id header of every attempt." }),
    eventType: WebhookEventSchema,
    status: z.enum(["pending", "delivered", "retrying", "failed"]),
    attempts: z.number().int(),
    lastAttemptAt: Timestamp.nullable(),
    lastResponseStatus: z.number().int().nullable().meta({ description: "The HTTP status of the last attempt; null when it got no answer." }),
    nextAttemptAt: Timestamp.nullable(),
    createdAt: Timestamp,
  })
  .meta({ id: "WebhookDelivery" });
export type DeliveryView = z.output<typeof DeliverySchema>;

export const DeliveryListResponse = z.object({ deliveries: z.array(DeliverySchema), nextCursor: z.string().nullable() });

export const DeliveryDetailResponse = DeliverySchema.extend({
  attemptLog: z.array(
    z.object({
      n: z.number().int(),
      at: Timestamp,
      responseStatus: z.number().int().nullable(),
      durationMs: z.number().int(),
      error: z.string().nullable().meta({ description: "Why the attempt failed when the status does not say it (timeout, network error, refused URL)." }),
    }),
  ),
});
export type DeliveryDetailView = z.output<typeof DeliveryDetailResponse>;

/** Query of `GET /v1/webhooks/{id}/deliveries`. */
export const DeliveriesQuery = PageQuery;

/** The key as a webhook body shows it (webhook-payload.ts): never a secret or a digest. */
const WebhookKeySchema = z
  .strictObject({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    hint: z.string(),
    status: z.enum(["active", "expired", "revoked"]),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
    owner: z.strictObject({ id: z.string(), name: z.string().nullable() }),
    scopes: z.array(z.string()).nullable(),
    rotatedFromId: z.string().nullable(),
    rotatedToId: z.string().nullable(),
    leak: z.strictObject({ at: Timestamp, url: z.string() }).nullable(),
  })
  .meta({ id: "WebhookKey", description: "The key when the event was sent out (its public view; never a secret or a digest)." });

/** The body of every webhook message, as webhook-payload.ts writes it. */
export const WebhookMessageSchema = z
  .strictObject({
    type: WebhookEventSchema,
    timestamp: Timestamp.meta({ description: "When the event happened." }),
    data: z.strictObject({
      eventId: z.string().meta({ description: "The audit event's id, also the webhook-id header." }),
      orgId: z.string(),
      actor: z.strictObject({ type: z.string(), id: z.string() }).meta({ description: "Who acted: user, admin_api, leak_report (github or hmac) or system (cron)." }),
      key: WebhookKeySchema.optional().meta({ description: "key.* events: the key." }),
      successorId: z.string().nullable().optional().meta({ description: "key.rotated: the key that replaces it." }),
      url: z.string().nullable().optional().meta({ description: "key.leaked: where the key was found." }),
      user: z.strictObject({ id: z.string(), name: z.string().nullable(), active: z.boolean() }).optional().meta({ description: "user.deactivated: the user." }),
      origin: z
        .strictObject({ ip: z.string().nullable(), userAgent: z.string().nullable() })
        .optional()
        .meta({ description: "key.canary_used: the address and user agent of whoever used the canary key (the last use the event stands for)." }),
      detail: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
        .optional()
        .meta({ description: "What the event says beyond the rest, when it says anything (key.expiring: window, 7d or 1d)." }),
    }),
  })
  .meta({ id: "WebhookMessage" });
