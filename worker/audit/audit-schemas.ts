import { z } from "zod";
import { Timestamp } from "../schemas/text";

const ORIGIN_RULE = "Null unless you performed the event yourself or hold api_keys:admin.";

export const EventSchema = z
  .object({
    id: z.string(),
    at: Timestamp,
    action: z.enum(["key.created", "key.updated", "key.revoked", "key.rotated", "key.leaked", "user.updated", "user.deactivated"]),
    actor: z
      .object({ type: z.enum(["user", "admin_api", "leak_report"]), id: z.string() })
      .meta({ description: "leak_report: a leak report (POST /v1/leaks), with id github (GitHub secret scanning) or hmac (your own reporters)." }),
    keyId: z.string().nullable(),
    ip: z.string().nullable().meta({ description: ORIGIN_RULE }),
    userAgent: z.string().nullable().meta({ description: ORIGIN_RULE }),
  })
  .meta({ id: "AuditEvent" });
export type EventView = z.output<typeof EventSchema>;

export const EventListResponse = z.object({ events: z.array(EventSchema), nextCursor: z.string().nullable() });
