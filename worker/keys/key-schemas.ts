import { z } from "zod";
import { displayName, PermissionList, Timestamp } from "../schemas/text";
import { AllowedIpsInput } from "./allowed-ips";
import { KeyDescription, KeyMetaInput, RevocationReason } from "./key-meta";
import { KEY_ID_LENGTH } from "./key-format";
import { CreditsChange, CreditsInput, CreditsView, KeyLimitsInput } from "./key-limits";

/** Longest grace period a rotation may give the old key: 7 days. */
export const MAX_GRACE_SECONDS = 604_800;

export const KeyName = displayName(64, "Name");

/** Body of `POST /v1/keys`. Unknown fields are refused, so nothing unexpected reaches storage. */
/** Cloudflare's Durable Object location hints, and `auto`: near the key's first use. */
export const KEY_REGIONS = ["auto", "wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export const KeyRegion = z.enum(KEY_REGIONS);
export type KeyRegion = z.output<typeof KeyRegion>;

export const CreateKeyInput = z.strictObject({
  name: KeyName,
  expiresAt: z
    .string()
    .nullable()
    .optional()
    .meta({
      description:
        "RFC 3339 date-time with a zone, at least one minute and at most the org's maximum lifetime ahead (GET /v1/org/policy: maxKeyLifetimeDays, by default MAX_KEY_LIFETIME_DAYS). Omit for the org's default expiry (defaultExpiryDays; none: no expiry); null for no expiry (not recommended), refused where the org requires every key to expire (requireExpiry).",
    }),
  scopes: PermissionList.min(1)
    .optional()
    .meta({ description: "Narrow the key to these permissions (a subset of the creator's). Omit to inherit them all." }),
  region: KeyRegion.optional().meta({
    description:
      "Where the key's chain is placed: `auto` (the default) near the key's first request, or a Cloudflare location hint to place it at creation, for an integration that runs in a known place and must be fast from its first request.",
  }),
  allowedIps: AllowedIpsInput.optional(),
  description: KeyDescription.nullable().optional(),
  meta: KeyMetaInput.nullable().optional(),
  enabled: z
    .boolean({ error: "enabled must be true or false." })
    .optional()
    .meta({ description: "false creates the key paused: it is refused with 401 api_key_disabled until PATCH sets enabled: true. Default true." }),
  canary: z
    .boolean({ error: "canary must be true or false." })
    .optional()
    .meta({
      description:
        "true creates a canary key (a honeytoken) to plant where nobody should ever read it: every use is answered exactly like an unknown key (the generic 401 invalid_api_key) and recorded as a key.canary_used audit event with the client's IP, user agent and path. Never counts against the active-key cap, cannot be rotated, paused or given an IP allowlist (enabled: false and allowedIps are refused with it); revoke it to retire it. Default false.",
    }),
  limits: KeyLimitsInput.optional(),
  credits: CreditsInput.nullish().meta({ description: "A credits balance (each admitted request spends its cost; at 0: 429 credits_exhausted), optionally refilled daily or monthly. Omitted or null: no credits, every request is free." }),
});
export type CreateKeyInput = z.output<typeof CreateKeyInput>;

/** The fields of a key's edit, each optional (`UpdateKeyInput` and the operator's `KeyTermsInput`). */
const KeyEditFields = z.strictObject({
  name: KeyName.optional(),
  expiresAt: z
    .string({ error: "expiresAt must be an RFC 3339 date-time; an expiry can only move earlier and cannot be removed." })
    .optional()
    .meta({
      description:
        "RFC 3339 date-time with a zone, at least one minute ahead, at most MAX_KEY_LIFETIME_DAYS ahead, and not later than the key's current expiry (any allowed instant for a key without one). null is refused: an expiry cannot be removed.",
    }),
  allowedIps: AllowedIpsInput.optional().meta({
    description:
      "Replaces the key's IP allowlist (null or [] lifts it): the key's next request is checked against the new list. Entries as in create.",
  }),
  enabled: z
    .boolean({ error: "enabled must be true or false." })
    .optional()
    .meta({
      description:
        "false pauses the key: from the moment this returns its right secret gets 401 api_key_disabled (audited as key.paused); true resumes it (key.resumed). A paused key stays active: it still counts against the cap and can be edited, rotated and revoked.",
    }),
  description: KeyDescription.nullable().optional().meta({ description: "Replaces the description; null removes it." }),
  meta: KeyMetaInput.nullable().optional().meta({ description: "Replaces the whole meta object (nothing is merged); null or {} removes it. Rules as in create." }),
  limits: KeyLimitsInput.nullable().optional().meta({
    description:
      "Replaces the rate limits of the key's chain (null: the defaults), within the org's ceiling, from the next request on. Windows the chain counted before keep their history; see the README.",
  }),
  credits: CreditsChange.optional(),
});

/** Refuses an edit that sends none of `fields`, naming them. */
function atLeastOne<T extends z.ZodObject>(schema: T, fields: string): T {
  return schema
    .refine((input: Record<string, unknown>) => Object.values(input).some((value) => value !== undefined), `Send at least one of ${fields}.`)
    .meta({ description: `At least one of ${fields}.` });
}

/**
 * Body of `PATCH /v1/keys/{id}`: a new name, an earlier expiry, a new IP allowlist, or any of
 * them together. Unknown fields are refused; `expiresAt: null` too (an expiry is never removed).
 */
export const UpdateKeyInput = atLeastOne(KeyEditFields, "name, expiresAt, allowedIps, enabled, description, meta, limits and credits");
export type UpdateKeyInput = z.output<typeof UpdateKeyInput>;

/** Body of `PATCH /v1/admin/orgs/{orgId}/keys/{id}`: the operator's terms for a key, with the semantics of the user's edit. */
export const KeyTermsInput = atLeastOne(KeyEditFields.pick({ limits: true, credits: true }), "limits and credits");

/** Shortest idle time of `graceUntilIdle`: a minute. */
export const MIN_GRACE_IDLE_SECONDS = 60;

/** Body of `POST /v1/keys/{id}/rotate`. */
export const RotateKeyInput = z.strictObject({
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_SECONDS)
    .optional()
    .meta({
      description:
        "How long the old key keeps working (never past its own expiry). Omit to keep it until revoked by hand. With graceUntilIdle, the latest the grace may end.",
    }),
  graceUntilIdle: z
    .strictObject({
      idleSeconds: z
        .number()
        .int("idleSeconds must be a whole number of seconds.")
        .min(MIN_GRACE_IDLE_SECONDS, `idleSeconds must be at least ${MIN_GRACE_IDLE_SECONDS}.`)
        .max(MAX_GRACE_SECONDS, `idleSeconds must be at most ${MAX_GRACE_SECONDS} (7 days).`),
    })
    .optional()
    .meta({
      description:
        "Recommended: the old key's grace ends by itself once the successor has been used and the old key has had no admitted request for idleSeconds (60 s – 7 days) since the rotation, at exactly that instant, decided by the chain's Durable Object on each request and by an alarm (no traffic needed). It then answers 401 api_key_expired like any rotated key past its grace, and a key.grace_ended event records it. graceSeconds (or the old key's own expiry) still bounds it: the grace ends at the earlier of the two.",
      example: { idleSeconds: 3600 },
    }),
});

/** What `GET /v1/keys/{id}` adds for a rotated key: its grace period as its Durable Object knows it, exactly. */
export const DrainSchema = z
  .object({
    successorId: z.string(),
    rotatedAt: Timestamp,
    usesSinceRotation: z.number().int().meta({ description: "Admitted requests of this (old) key since the rotation, exactly." }),
    lastUsedAt: Timestamp.nullable().meta({ description: "This key's last admitted request, exactly (also before the rotation); null: never." }),
    graceEndsAt: Timestamp.nullable().meta({ description: "When this key stops working: its expiry as its Durable Object holds it; null: when revoked by hand." }),
    idleSeconds: z.number().int().nullable().meta({ description: "graceUntilIdle.idleSeconds of the rotation; null: none." }),
    successorFirstUsedAt: Timestamp.nullable().meta({ description: "The successor's first admitted request; null: not used yet (then an idle grace cannot end early)." }),
    endsWhenIdleAt: Timestamp.nullable().meta({
      description: "With graceUntilIdle: when the grace ends if this key is not used again (moves later with every use); null: not yet known (the successor is unused), or not applicable.",
    }),
    endedWhenIdleAt: Timestamp.nullable().meta({ description: "When the grace ended by idleness (graceEndsAt is then this instant); null: it did not." }),
  })
  .meta({ id: "KeyDrain" });
export type DrainView = z.output<typeof DrainSchema>;

/** Body of `POST /v1/keys/{id}/revoke`: nothing, an empty object, or a reason. */
export const RevokeKeyInput = z.strictObject({ reason: RevocationReason.optional() });

export const KeyStatusSchema = z.enum(["active", "expired", "revoked"]);

/** Query of the paginated listings. */
export const PageQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, "limit must be a whole number from 1 to 100.")
    .transform(Number)
    .pipe(z.number().min(1, "limit must be at least 1.").max(100, "limit must be at most 100."))
    .optional()
    .meta({ description: "Page size, 1–100 (default 50)." }),
  cursor: z.string().max(512).optional().meta({ description: "The nextCursor of the previous page." }),
});

export const ListKeysQuery = PageQuery.extend({
  status: KeyStatusSchema.optional(),
  canary: z
    .enum(["true", "false"], { error: "canary must be true or false." })
    .transform((value) => value === "true")
    .optional()
    .meta({ description: "true: only canary keys; false: only the others. Omit for both." }),
});

/** Query of `GET /v1/audit-events`: a page, optionally of one key's events. */
export const AuditEventsQuery = PageQuery.extend({
  keyId: z
    .string()
    .regex(new RegExp(`^[0-9A-Za-z]{${KEY_ID_LENGTH}}$`), `keyId must be a key's id: ${KEY_ID_LENGTH} letters and digits, as in Key.id.`)
    .optional()
    .meta({
      description:
        "Only this key's events. A key you may not see, or no key at all, gives an empty page (a filter, not a lookup: no 404). nextCursor then continues this key's events.",
      example: "xyTgkBnropzWXxy4",
    }),
});

/** A key as the API shows it: never a secret, never a digest. */
export const KeySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hint: z.string().meta({ description: "Display hint such as ak_live_AbCd…wXyZ." }),
    createdAt: Timestamp,
    createdBy: z.object({ id: z.string(), name: z.string().nullable() }),
    lastUsedAt: Timestamp.nullable(),
    expiresAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
    status: KeyStatusSchema,
    scopes: z.array(z.string()).nullable(),
    rotatedFromId: z.string().nullable(),
    rotatedToId: z.string().nullable(),
    region: z.string().nullable().meta({ description: "The location hint the key's chain was placed with at creation; null: near its first use." }),
    leak: z
      .object({ at: Timestamp, url: z.string() })
      .nullable()
      .meta({
        description:
          "When a leak report (POST /v1/leaks) first named this key, and where it was found in public; null: never reported. Under the org's leak policy revoke (the default) the key was revoked at that moment; under flag it still works and should be rotated.",
      }),
    allowedIps: z
      .array(z.string())
      .nullable()
      .meta({
        description:
          "The key's IP allowlist in canonical CIDR form, or null: any address. A request from elsewhere (its CF-Connecting-IP) is refused with 403 ip_not_allowed. A rotation's successor inherits it.",
        example: ["203.0.113.0/24", "2001:db8::/32"],
      }),
    enabled: z.boolean().meta({
      description:
        "false while the key is paused (PATCH enabled): requests with it are refused with 401 api_key_disabled. A paused key keeps its status (active until it expires or is revoked) and counts against the cap. Always true for a canary key.",
    }),
    description: z.string().nullable().meta({ description: "What the key is for, or null. Visible to everyone who can see the key and forwarded upstream, so it must never hold credentials." }),
    meta: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({
        description:
          "The owner's JSON object about the key (at most 4 KiB), or null. Visible to everyone who can see the key, forwarded upstream (X-Api-Assertion claim key_meta) and returned by /v1/verify, so it must never hold credentials.",
        example: { plan: "pro" },
      }),
    revokedReason: z
      .string()
      .nullable()
      .meta({ description: "Why the key was revoked: the reason given with the revocation, \"leaked\" for a leak report; null when none was given or the key is not revoked." }),
    canary: z.boolean().meta({
      description:
        "A canary key (honeytoken): every use is answered like an unknown key and audited as key.canary_used. It never counts against the cap and cannot be rotated.",
    }),
    limits: z
      .array(z.object({ name: z.string(), limit: z.number().int(), windowSeconds: z.number().int() }))
      .meta({
        description:
          "The rate limits the key is held to (its own, or the defaults): at most limit admitted requests in any windowSeconds each. Shared with the key's rotation chain (a successor inherits them, and both draw on one window).",
      }),
    credits: CreditsView.nullable().meta({
      description:
        "The credits balance of the key's chain, or null: none. GET /v1/keys/{id} reads it exactly from the key's Durable Object; the list's copy lags by up to 30 s of use.",
    }),
    rotationRequiresOwner: z.boolean().meta({
      description:
        "True when the caller may not rotate this key: it belongs to someone else and can do something the caller can't. Only its owner can rotate it; the caller may revoke it.",
    }),
  })
  .meta({ id: "Key" });
export type KeyView = z.output<typeof KeySchema>;

export const KeyResponse = z.object({ key: KeySchema });
/** `GET /v1/keys/{id}`: the key, and for a rotated key its grace period (drain-aware rotation). */
export const KeyWithDrainResponse = z.object({
  key: KeySchema,
  drain: DrainSchema.nullable().meta({
    description: "For a rotated key (rotatedToId set) whose chain has tracked its rotation: its grace period, exactly, from its Durable Object. null for any other key.",
  }),
});
export const KeyListResponse = z.object({ keys: z.array(KeySchema), nextCursor: z.string().nullable() });
export const CreatedKeyResponse = z.object({
  key: KeySchema,
  secret: z.string().meta({ description: "The full key. Shown in this response only." }),
});
export const RotatedKeyResponse = CreatedKeyResponse.extend({ previous: KeySchema });
