import { z } from "zod";
import { Timestamp } from "../schemas/text";

const LeakPolicy = z.enum(["revoke", "flag"]);
const KeyTermsSetBySchema = z.enum(["owners", "operator"], { error: 'keyTermsSetBy must be "owners" or "operator".' });

/** Longest lifetime (and default expiry) an org may set: ten years. */
export const MAX_POLICY_DAYS = 3650;
/** Fewest days of disuse an org may revoke keys after: the announcement comes 7 days ahead, so at least one day of disuse before it. */
export const MIN_UNUSED_DAYS = 8;
/** Longest window of a key-limit ceiling: 24 hours, as for per-key limits. */
export const MAX_CEILING_WINDOW_SECONDS = 86_400;

const days = (min: number, what: string) =>
  z
    .number({ error: `${what} must be a whole number of days from ${min} to ${MAX_POLICY_DAYS}, or null.` })
    .int(`${what} must be a whole number of days.`)
    .min(min, `${what} must be at least ${min}.`)
    .max(MAX_POLICY_DAYS, `${what} must be at most ${MAX_POLICY_DAYS}.`);

const CeilingEntry = z
  .strictObject({
    windowSeconds: z
      .number()
      .int("windowSeconds must be a whole number of seconds.")
      .min(1, "windowSeconds must be at least 1.")
      .max(MAX_CEILING_WINDOW_SECONDS, `windowSeconds must be at most ${MAX_CEILING_WINDOW_SECONDS} (24 hours).`),
    limit: z.number().int("limit must be a whole number.").min(1, "limit must be at least 1.").max(1_000_000, "limit must be at most 1000000."),
  })
  .meta({ description: "At most `limit` requests in any `windowSeconds` (1 s to 24 h)." });

const Ceiling = z.array(CeilingEntry);

const CeilingInput = Ceiling.min(1, "keyLimitCeiling needs at least one window; null follows the default.")
  .max(10, "keyLimitCeiling has at most 10 windows.")
  .refine((list) => new Set(list.map((e) => e.windowSeconds)).size === list.length, "keyLimitCeiling must not name a window twice.");

/** Body of `PUT /v1/admin/orgs/{orgId}/policy`: the org's whole policy; an omitted or null field follows the deployment's default. */
export const PutOrgPolicyInput = z.strictObject({
  leakPolicy: LeakPolicy.nullable()
    .optional()
    .meta({
      description:
        "What a confirmed leak report (POST /v1/leaks) does to this org's keys: revoke (at once, like a manual revoke) or flag (the key keeps working and its owner is asked to rotate it). Omitted or null: LEAK_POLICY.",
    }),
  requireExpiry: z
    .boolean()
    .nullable()
    .optional()
    .meta({
      description:
        "true: every new key must expire. A create with expiresAt null is refused, and one that omits it gets defaultExpiryDays (refused when there is none). Omitted or null: false.",
    }),
  maxKeyLifetimeDays: days(1, "maxKeyLifetimeDays")
    .nullable()
    .optional()
    .meta({
      description: `The latest expiry a new key, or a rotation's successor, may get, in days from its creation (1–${MAX_POLICY_DAYS}). Omitted or null: MAX_KEY_LIFETIME_DAYS.`,
    }),
  defaultExpiryDays: days(1, "defaultExpiryDays")
    .nullable()
    .optional()
    .meta({
      description:
        "The expiry, in days, of a key created without expiresAt; at most the maximum lifetime. Omitted or null: none (such a key never expires, unless requireExpiry refuses it).",
    }),
  maxActiveKeysPerUser: z
    .number()
    .int("maxActiveKeysPerUser must be a whole number.")
    .min(1, "maxActiveKeysPerUser must be at least 1.")
    .max(10_000, "maxActiveKeysPerUser must be at most 10000.")
    .nullable()
    .optional()
    .meta({ description: "The most active keys one user of the org may hold (1–10000), exact under concurrent creates. Omitted or null: MAX_ACTIVE_KEYS_PER_USER." }),
  keyLimitCeiling: CeilingInput.nullable()
    .optional()
    .meta({
      description:
        "The most a key's own rate limits may allow: 1–10 windows, each named once, `{ windowSeconds, limit }`. Omitted or null: 10 per 1 s and 100 per 60 s.",
      example: [
        { windowSeconds: 1, limit: 50 },
        { windowSeconds: 86_400, limit: 100_000 },
      ],
    }),
  membersMayCreateKeys: z
    .boolean()
    .nullable()
    .optional()
    .meta({ description: "false: only the org's admins (AUTH_ADMIN_PERMISSION) create keys; members keep using, rotating and revoking theirs. Omitted or null: true." }),
  revokeUnusedAfterDays: days(MIN_UNUSED_DAYS, "revokeUnusedAfterDays")
    .nullable()
    .optional()
    .meta({
      description: `The daily run revokes a key unused for this many days (${MIN_UNUSED_DAYS}–${MAX_POLICY_DAYS}; its last use, or its creation if never used), announced 7 days ahead by key.expiring with reason unused. Omitted or null: never.`,
    }),
  keyTermsSetBy: KeyTermsSetBySchema.nullable()
    .optional()
    .meta({
      description:
        "Who may set a key's own rate limits and credits: owners (the key's owner and the org's admins, within keyLimitCeiling) or operator (only the host backend, with PATCH /v1/admin/orgs/{orgId}/keys/{id}: a member can then neither lift nor top up their own credits, nor change their limits). Omitted or null: owners.",
    }),
});
export type PutOrgPolicyInput = z.output<typeof PutOrgPolicyInput>;

/** An org's policies as they apply: its settings, else the deployment's defaults. Also shown read-only to signed-in users (GET /v1/org/policy). */
export const EffectivePolicySchema = z
  .object({
    leakPolicy: LeakPolicy,
    requireExpiry: z.boolean().meta({ description: "Every new key must expire." }),
    maxKeyLifetimeDays: z.number().int().meta({ description: "The latest expiry a new key may get, in days from its creation." }),
    defaultExpiryDays: z.number().int().nullable().meta({ description: "The expiry a key created without expiresAt gets, in days; null: none." }),
    maxActiveKeysPerUser: z.number().int(),
    keyLimitCeiling: Ceiling.meta({ description: "The most a key's own rate limits may allow, per window, shortest window first." }),
    membersMayCreateKeys: z.boolean().meta({ description: "false: only the org's admins create keys." }),
    revokeUnusedAfterDays: z.number().int().nullable().meta({ description: "Keys unused for this many days are revoked by the daily run; null: never." }),
    keyTermsSetBy: KeyTermsSetBySchema.meta({ description: "Who may set a key's own rate limits and credits: owners, or only the operator (the host backend)." }),
  })
  .meta({ id: "EffectiveOrgPolicy" });

export const OrgPolicyResponse = z
  .object({
    orgId: z.string(),
    settings: z
      .object({
        leakPolicy: LeakPolicy.nullable(),
        requireExpiry: z.boolean().nullable(),
        maxKeyLifetimeDays: z.number().int().nullable(),
        defaultExpiryDays: z.number().int().nullable(),
        maxActiveKeysPerUser: z.number().int().nullable(),
        keyLimitCeiling: Ceiling.nullable(),
        membersMayCreateKeys: z.boolean().nullable(),
        revokeUnusedAfterDays: z.number().int().nullable(),
        keyTermsSetBy: KeyTermsSetBySchema.nullable(),
      })
      .meta({ description: "What the org set; null: the deployment's default applies." }),
    effective: EffectivePolicySchema.meta({ description: "The policies as they apply now: each setting, else the default." }),
    updatedAt: Timestamp.nullable().meta({ description: "When the update that wrote the settings arrived; null: never set." }),
  })
  .meta({ id: "OrgPolicy" });
export type OrgPolicyView = z.output<typeof OrgPolicyResponse>;
