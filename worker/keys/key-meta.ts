import { z } from "zod";
import { displayName } from "../schemas/text";

/** Longest `description`, in characters (code points). */
export const MAX_DESCRIPTION_LENGTH = 500;
/** Largest `meta`, in UTF-8 bytes of its JSON text. */
export const MAX_META_BYTES = 4096;
/** Deepest nesting of objects and arrays in `meta`, the top-level object counting as 1. */
export const MAX_META_DEPTH = 8;
/** Longest revocation `reason`, in characters (code points). */
export const MAX_REASON_LENGTH = 500;

/** A JSON value, as JSON.parse gives it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A key's `meta`: a JSON object with string keys and any JSON values. */
export type KeyMeta = { [key: string]: JsonValue };

const VISIBLE_TO_ALL =
  "Visible to everyone who can see the key (its owner, the org's admins), forwarded upstream in the signed X-Api-Assertion and returned by /v1/verify: never put a secret in it.";

/** A key's free-text `description`: the name's rules, up to {@link MAX_DESCRIPTION_LENGTH} characters. */
export const KeyDescription = displayName(MAX_DESCRIPTION_LENGTH, "Description").meta({
  description: `What the key is for: 1–${MAX_DESCRIPTION_LENGTH} characters after trimming and NFC normalisation, no control, bidi or zero-width characters (so no line breaks). ${VISIBLE_TO_ALL}`,
});

/**
 * A key's `meta`: a JSON object (never an array, a string or null at the top), at most
 * {@link MAX_META_BYTES} bytes as compact UTF-8 JSON and {@link MAX_META_DEPTH} levels deep, so
 * an upstream that parses the assertion never meets a nesting bomb.
 */
export const KeyMetaInput = z
  .record(z.string(), z.unknown(), { error: "meta must be a JSON object such as { \"plan\": \"pro\" } (not an array, a string or a number)." })
  .transform((meta) => meta as KeyMeta)
  .superRefine((meta, ctx) => {
    const bytes = metaBytes(meta);
    if (bytes > MAX_META_BYTES) ctx.addIssue({ code: "custom", message: `meta must be at most ${MAX_META_BYTES} bytes as JSON (UTF-8); this one is ${bytes}.` });
    if (metaDepth(meta) > MAX_META_DEPTH) {
      ctx.addIssue({ code: "custom", message: `meta may nest objects and arrays at most ${MAX_META_DEPTH} levels deep (the object itself is level 1).` });
    }
  })
  .meta({
    description: `Your own data about the key: a JSON object with string keys and any JSON values, at most ${MAX_META_BYTES} bytes as compact UTF-8 JSON and ${MAX_META_DEPTH} levels deep. ${VISIBLE_TO_ALL}`,
    example: { plan: "pro", customerId: "cus_123" },
  });

/** The optional `reason` of a revocation: the name's rules, up to {@link MAX_REASON_LENGTH} characters. */
export const RevocationReason = displayName(MAX_REASON_LENGTH, "Reason").meta({
  description: `Why the key is revoked, for the audit log and the key's view: 1–${MAX_REASON_LENGTH} characters after trimming and NFC normalisation, no control, bidi or zero-width characters. Visible to everyone who can see the key and sent to webhooks: never a secret.`,
  example: "Integration retired",
});

/**
 * The size `meta` is measured by: the UTF-8 bytes of its compact JSON text (as stored and forwarded).
 *
 * @example
 * metaBytes({ plan: "pro" }); // 14
 */
export function metaBytes(meta: KeyMeta): number {
  return new TextEncoder().encode(JSON.stringify(meta)).length;
}

/** How deep objects and arrays nest in `value` (a scalar: 0), without recursion, so no input can overflow the stack. */
function metaDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth);
    if (depth > MAX_META_DEPTH) break;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The stored form of `meta`: its compact JSON text, or null (no meta; an empty object counts as none).
 *
 * @example
 * metaColumn({ plan: "pro" }); // '{"plan":"pro"}'
 * metaColumn({}); // null
 */
export function metaColumn(meta: KeyMeta | null | undefined): string | null {
  const kept = normalizeMeta(meta);
  return kept === null ? null : JSON.stringify(kept);
}

/**
 * The `meta` a key keeps: null for none (`undefined`, null or an empty object).
 *
 * @example
 * normalizeMeta({}); // null
 */
export function normalizeMeta(meta: KeyMeta | null | undefined): KeyMeta | null {
  return meta == null || Object.keys(meta).length === 0 ? null : meta;
}

/**
 * `meta` as read back from its column.
 *
 * @example
 * metaOf('{"plan":"pro"}'); // { plan: "pro" }
 */
export function metaOf(column: string | null): KeyMeta | null {
  return column === null ? null : (JSON.parse(column) as KeyMeta);
}
