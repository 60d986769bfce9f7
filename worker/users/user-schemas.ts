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
