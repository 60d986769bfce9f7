import { z } from "zod";
import { Timestamp } from "../schemas/text";
import { DEFAULT_RESOLUTION, resolutionAllowed, USAGE_RESOLUTIONS, USAGE_WINDOWS } from "./usage-window";

/** Query of `GET /v1/keys/{id}/usage`. Unknown parameters are refused. */
export const UsageQuery = z
  .strictObject({
    window: z
      .enum(USAGE_WINDOWS, { error: "window must be 24h, 7d or 30d." })
      .default("24h")
      .meta({ description: "How far back the report reaches from now: 24h (default), 7d or 30d." }),
    resolution: z
      .enum(USAGE_RESOLUTIONS, { error: "resolution must be minute, hour or day." })
      .optional()
      .meta({
        description: `Bucket size. Default: ${Object.entries(DEFAULT_RESOLUTION)
          .map(([window, resolution]) => `${resolution} for ${window}`)
          .join(", ")}. minute only with window 24h (minutes are kept for 24 hours).`,
      }),
  })
  .refine((query) => query.resolution === undefined || resolutionAllowed(query.window, query.resolution), {
    error: "resolution minute is only available with window 24h: minutes are kept for 24 hours, hours for 30 days.",
    path: ["resolution"],
  });
export type UsageQuery = z.output<typeof UsageQuery>;

const Count = z.number().int().min(0);

const UsageCountsSchema = z.object({
  admitted: Count.meta({ description: "Requests the rate limiter admitted (a 403 for a missing permission included: it was admitted and counted against the limits)." }),
  rateLimited: Count.meta({ description: "429s: requests over one of the key's rate limits." }),
  refused: Count.meta({
    description: "Requests with the key's right secret refused because the key was revoked or expired, its creator deactivated, or the request came from outside its IP allowlist. A wrong secret never counts.",
  }),
});

const UsageBucketSchema = UsageCountsSchema.extend({
  start: Timestamp.meta({ description: "Start of the bucket, aligned to a UTC minute, hour or day." }),
});

/** Body of `GET /v1/keys/{id}/usage`. */
export const KeyUsageResponse = z
  .object({
    keyId: z.string(),
    window: z.enum(USAGE_WINDOWS),
    resolution: z.enum(USAGE_RESOLUTIONS),
    bucketSeconds: z.number().int().meta({ description: "Length of each bucket: 60, 3600 or 86400." }),
    from: Timestamp.meta({ description: "Start of the first bucket: the start of the minute, hour or day that holds now − window." }),
    to: Timestamp.meta({ description: "Now, on the clock of the key's Durable Object: the last bucket is the current, partial one." }),
    buckets: z.array(UsageBucketSchema).meta({ description: "Every bucket from `from` to `to`, oldest first, zeros included." }),
    totals: UsageCountsSchema.meta({ description: "The sums of the buckets." }),
    lastUsedAt: Timestamp.nullable().meta({ description: "The key's exact last admitted use, as in GET /v1/keys/{id}." }),
  })
  .meta({ id: "KeyUsage" });
export type KeyUsageView = z.output<typeof KeyUsageResponse>;
