import { z } from "zod";
import { Timestamp } from "../schemas/text";
import { AUDIT_ACTIONS } from "./audit-store";

const ORIGIN_RULE = "Null unless you performed the event yourself or hold api_keys:admin.";

export const EventSchema = z
  .object({
    id: z.string(),
    at: Timestamp,
    action: z.enum(AUDIT_ACTIONS),
    actor: z
      .object({ type: z.enum(["user", "admin_api", "leak_report", "system"]), id: z.string() })
      .meta({
        description:
          "leak_report: a leak report (POST /v1/leaks), with id github (GitHub secret scanning) or hmac (your own reporters). system: the Worker itself, with id cron (expiry reminders, revocations of unused keys) or edge (a refusal at the edge, a canary key's use, a grace period ended by idleness).",
      }),
    keyId: z.string().nullable(),
    ip: z.string().nullable().meta({ description: ORIGIN_RULE }),
    userAgent: z.string().nullable().meta({ description: ORIGIN_RULE }),
    detail: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .nullable()
      .meta({ description: "What the event says beyond its fields, e.g. { window: \"7d\" | \"1d\", expiresAt } on key.expiring and { expiresAt } on key.expired (the expiry the reminder is about); { window: \"7d\", reason: \"unused\", revokeAt, idleSince } on key.expiring announcing a revocation for disuse, and { reason: \"unused\", idleSince, days } on that key.revoked (the org's revokeUnusedAfterDays); { reason } on key.revoked when a reason was given (\"leaked\" for a leak report); { refused } on key.ip_refused and { path, uses } on key.canary_used (the path of the last use, null through /v1/verify and KeyVerifier; uses: how many uses the sampled event stands for); null when nothing. Never a secret." }),
  })
  .meta({ id: "AuditEvent" });
export type EventView = z.output<typeof EventSchema>;

export const EventListResponse = z.object({ events: z.array(EventSchema), nextCursor: z.string().nullable() });
