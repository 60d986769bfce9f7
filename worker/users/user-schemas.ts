import { z } from "zod";
import { displayName, PermissionList, Timestamp } from "../schemas/text";

/** Body of `PUT /v1/admin/orgs/{orgId}/users/{userId}`. */
export const PutUserInput = z.strictObject({
  permissions: PermissionList.meta({ description: "The user's current permissions; their keys follow at once." }),
  active: z.boolean().meta({ description: "false deactivates the user: no management API, every key refused." }),
  name: displayName(100, "Name").nullable().optional(),
});

export const UserSchema = z
  .object({
    orgId: z.string(),
    id: z.string(),
    name: z.string().nullable(),
    permissions: z.array(z.string()),
    active: z.boolean(),
    updatedAt: Timestamp,
  })
  .meta({ id: "User" });

export const UserResponse = z.object({ user: UserSchema });

/** Body of `GET /v1/me`: the signed-in user, what they may do, and the limits their keys live under. */
export const MeResponse = z
  .object({
    user: z.object({ id: z.string(), name: z.string().nullable() }),
    org: z.object({ id: z.string() }),
    permissions: z
      .array(z.string())
      .meta({ description: "Your effective permissions (as stored from your newest sign-in): a key's scopes must be among them." }),
    isAdmin: z.boolean().meta({ description: "Whether you hold the admin permission (api_keys:admin unless AUTH_ADMIN_PERMISSION says otherwise)." }),
    limits: z.object({
      maxActiveKeys: z.number().int().meta({ description: "MAX_ACTIVE_KEYS_PER_USER: how many active keys a user may hold, unless the org sets its own (GET /v1/org/policy)." }),
      maxKeyLifetimeDays: z.number().int().meta({ description: "MAX_KEY_LIFETIME_DAYS: the furthest an expiry may be set ahead, unless the org sets its own (GET /v1/org/policy)." }),
      rateLimits: z
        .array(z.object({ name: z.string(), limit: z.number().int(), windowSeconds: z.number() }))
        .meta({ description: "Every key's rate limits: at most `limit` requests in any `windowSeconds` (shared across a rotation)." }),
    }),
  })
  .meta({ id: "Me" });
export type MeView = z.output<typeof MeResponse>;
