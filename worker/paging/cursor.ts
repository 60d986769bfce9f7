// paging/: opaque, signed pagination cursors bound to one scope (an org's listing), shared by
// the key list and the audit log. Floor: imports crypto/, errors/ and below.

import { digestKey, digestsEqual, fromBase64Url, toBase64Url } from "../crypto/hmac";
import { Failure } from "../errors/failure";

/** Page size of the listings when `?limit=` is absent. */
export const DEFAULT_PAGE_SIZE = 50;

/** A position in a newest-first listing: the last item's time and id. */
export interface CursorPosition {
  at: number;
  id: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * An opaque, tamper-proof pagination cursor, bound to one org and one listing: a cursor from
 * another org or listing is refused rather than read.
 *
 * @example
 * const next = await encodeCursor({ at, id }, `keys:${orgId}`, secret);
 */
export async function encodeCursor(position: CursorPosition, scope: string, secret: string): Promise<string> {
  const payload = toBase64Url(encoder.encode(JSON.stringify([position.at, position.id])));
  return `${payload}.${await tag(payload, scope, secret)}`;
}

/**
 * Reads a cursor made by {@link encodeCursor} for the same scope; a 400 otherwise.
 *
 * @example
 * const after = cursor ? await decodeCursor(cursor, `keys:${orgId}`, secret) : null;
 */
export async function decodeCursor(cursor: string, scope: string, secret: string): Promise<CursorPosition> {
  const [payload = "", mac = "", ...rest] = cursor.split(".");
  if (rest.length === 0 && payload && digestsEqual(mac, await tag(payload, scope, secret))) {
    const bytes = fromBase64Url(payload);
    const value: unknown = bytes ? safeParse(decoder.decode(bytes)) : null;
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === "string") {
      return { at: value[0] as number, id: value[1] };
    }
  }
  throw new Failure("invalid_cursor", "The cursor is not one this listing issued.");
}

async function tag(payload: string, scope: string, secret: string): Promise<string> {
  return (await digestKey(`cursor\u0000${scope}\u0000${payload}`, secret)).slice(0, 22);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * One page of a newest-first listing read with `limit + 1` rows: the first `limit` items and,
 * when the extra row exists, the cursor after the last item shown.
 *
 * @example
 * const { items, nextCursor } = await pageOf(rows, limit, (k) => ({ at: k.createdAt, id: k.id }), scope, secret);
 */
export async function pageOf<T>(
  rows: T[],
  limit: number,
  position: (item: T) => CursorPosition,
  scope: string,
  secret: string,
): Promise<{ items: T[]; nextCursor: string | null }> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor = rows.length > limit && last ? await encodeCursor(position(last), scope, secret) : null;
  return { items, nextCursor };
}
