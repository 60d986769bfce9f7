import { z } from "zod";
import { displayName, PermissionList, Timestamp } from "../schemas/text";
import { AllowedIpsInput } from "./allowed-ips";
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
        "RFC 3339 date-time with a zone, at least one minute and at most MAX_KEY_LIFETIME_DAYS ahead. Omit or null for no expiry (not recommended).",
    }),
  scopes: PermissionList.min(1)
    .optional()
    .meta({ description: "Narrow the key to these permissions (a subset of the creator's). Omit to inherit them all." }),
  region: KeyRegion.optional().meta({
    description:
      "Where the key's chain is placed: `auto` (the default) near the key's first request, or a Cloudflare location hint to place it at creation, for an integration that runs in a known place and must be fast from its first request.",
  }),
  allowedIps: AllowedIpsInput.optional(),
  limits: KeyLimitsInput.optional(),
  credits: CreditsInput.nullish().meta({ description: "A credits balance (each admitted request spends its cost; at 0: 429 credits_exhausted), optionally refilled daily or monthly. Omitted or null: no credits, every request is free." }),
});
export type CreateKeyInput = z.output<typeof CreateKeyInput>;

/**
 * Body of `PATCH /v1/keys/{id}`: a new name, an earlier expiry, a new IP allowlist, or any of
 * them together. Unknown fields are refused; `expiresAt: null` too (an expiry is never removed).
 */
export const UpdateKeyInput = z
  .strictObject({
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
    limits: KeyLimitsInput.nullable().optional().meta({
      description:
        "Replaces the rate limits of the key's chain (null: the defaults), within the org's ceiling, from the next request on. Windows the chain counted before keep their history; see the README.",
    }),
    credits: CreditsChange.optional(),
  })
  .refine(
    (input) =>
      input.name !== undefined || input.expiresAt !== undefined || input.allowedIps !== undefined || input.limits !== undefined || input.credits !== undefined,
    "Send at least one of name, expiresAt, allowedIps, limits and credits.",
  )
  .meta({ description: "At least one of name, expiresAt, allowedIps, limits and credits." });
export type UpdateKeyInput = z.output<typeof UpdateKeyInput>;

/** Body of `POST /v1/keys/{id}/rotate`. */
export const RotateKeyInput = z.strictObject({
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_GRACE_SECONDS)
    .optional()
    .meta({ description: "How long the old key keeps working (never past its own expiry). Omit to keep it until revoked by hand." }),
});

/** Body of `POST /v1/keys/{id}/revoke` (nothing, or an empty object). */
export const RevokeKeyInput = z.strictObject({});

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
export const KeyListResponse = z.object({ keys: z.array(KeySchema), nextCursor: z.string().nullable() });
export const CreatedKeyResponse = z.object({
  key: KeySchema,
  secret: z.string().meta({ description: "The full key. Shown in this response only." }),
});
export const RotatedKeyResponse = CreatedKeyResponse.extend({ previous: KeySchema });
