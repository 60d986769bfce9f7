// schemas/: the input rules every boundary shares: display names (trimmed, NFC, no control,
// bidi or invisible characters), external ids, permission names, RFC 3339 timestamps. Plain zod
// schemas with our messages. Floor: imports only errors/ (see .dependency-cruiser.cjs).

import { z } from "zod";

/**
 * Control, format (bidi overrides, zero-width joiners and spaces, BOM), separator and lone
 * surrogate code points: invisible or reordering characters that make one name look like another.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/**
 * A display name: trimmed, NFC-normalised, 1–`max` characters (code points), no control, bidi
 * or zero-width characters.
 *
 * @example
 * const KeyName = displayName(64, "Key name");
 */
export function displayName(max: number, label: string) {
  return z
    .string({ error: `${label} must be a string.` })
    .trim()
    .normalize("NFC")
    .refine((s) => !FORBIDDEN.test(s), `${label} must not contain control, bidi or zero-width characters.`)
    .refine((s) => s.length > 0, `${label} is required.`)
    .refine((s) => [...s].length <= max, `${label} must be at most ${max} characters.`)
    .meta({ description: `${label}: 1–${max} characters after trimming and NFC normalisation.` });
}

/** An id taken from a token or a path: printable ASCII without spaces, 1–255 characters. */
export const ExternalId = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "Must be 1–255 printable ASCII characters without spaces.");

/** A permission or scope name such as `contacts:read`. */
export const Permission = z
  .string()
  .regex(/^[A-Za-z0-9_.:*-]{1,100}$/, "Permissions are 1–100 characters of letters, digits and _ . : * -.");

/** A list of distinct permissions. */
export const PermissionList = z
  .array(Permission)
  .max(200)
  .refine((list) => new Set(list).size === list.length, "Permissions must not repeat.");

/** An RFC 3339 UTC timestamp as returned by the API. */
export const Timestamp = z.iso.datetime().meta({ description: "RFC 3339 timestamp in UTC." });
