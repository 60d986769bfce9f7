import { z } from "zod";
import { Timestamp } from "../schemas/text";

const ORIGIN_RULE = "Null unless you performed the event yourself or hold api_keys:admin.";

export const EventSchema = z
  .object({
    id: z.string(),
    at: Timestamp,
    action: z.enum(["key.created", "key.updated", "key.revoked", "key.rotated", "user.updated", "user.deactivated"]),
    actor: z.object({ type: z.enum(["user", "admin_api"]), id: z.string() }),
    keyId: z.string().nullable(),
    ip: z.string().nullable().meta({ description: ORIGIN_RULE }),
    userAgent: z.string().nullable().meta({ description: ORIGIN_RULE }),
  })
  .meta({ id: "AuditEvent" });
export type EventView = z.output<typeof EventSchema>;

export const EventListResponse = z.object({ events: z.array(EventSchema), nextCursor: z.string().nullable() });
