import { z } from "zod";
import { Timestamp } from "../schemas/text";

const LeakPolicy = z.enum(["revoke", "flag"]);

/** Body of `PUT /v1/admin/orgs/{orgId}/policy`: the org's whole policy; an omitted or null field follows the deployment's default. */
export const PutOrgPolicyInput = z.strictObject({
  leakPolicy: LeakPolicy.nullable()
    .optional()
    .meta({
      description:
        "What a confirmed leak report (POST /v1/leaks) does to this org's keys: revoke (at once, like a manual revoke) or flag (the key keeps working and its owner is asked to rotate it). Omitted or null: LEAK_POLICY.",
    }),
});

export const OrgPolicyResponse = z
  .object({
    orgId: z.string(),
    settings: z
      .object({ leakPolicy: LeakPolicy.nullable() })
      .meta({ description: "What the org set; null: the deployment's default applies." }),
    effective: z.object({ leakPolicy: LeakPolicy }).meta({ description: "The policies as they apply now: each setting, else the default." }),
    updatedAt: Timestamp.nullable().meta({ description: "When the update that wrote the settings arrived; null: never set." }),
  })
  .meta({ id: "OrgPolicy" });
export type OrgPolicyView = z.output<typeof OrgPolicyResponse>;
