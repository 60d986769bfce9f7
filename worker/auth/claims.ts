import { Permission } from "../schemas/text";

/**
 * How claim settings (`AUTH_ORG_CLAIM`, `AUTH_PERMISSIONS_CLAIM`, `AUTH_NAME_CLAIM`) name a
 * claim:
 *
 * 1. A name that is a key of the token's top level is that claim, dots and all
 *    (`https://example.com/org_id`, `org.id` as one key).
 * 2. Otherwise the name is a path: dots separate the keys of nested objects (`o.id` reads
 *    `{"o": {"id": "org_1"}}`). A namespace URL stays one key up to the first dot after its last
 *    `/`, so `https://example.com/claims.org` reads `org` inside the `https://example.com/claims`
 *    claim.
 *
 * Only own keys of plain JSON objects are followed: never into arrays, never up a prototype.
 */
export type ClaimPath = readonly string[];

/** The claim name of a setting, or why it cannot name one. */
export type ClaimPathParse = { ok: true; path: ClaimPath } | { ok: false; problem: string };

const MAX_NAME_LENGTH = 256;
const MAX_SEGMENTS = 8;
// Keys that reach an object's prototype when a path is followed or written carelessly.
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(["__proto__", "prototype", "constructor"]);
const MAX_PERMISSIONS = 200;
const parsed = new Map<string, ClaimPathParse>();

/**
 * Splits a claim name into the keys to follow (rule 2 of {@link ClaimPath}) and checks it: not
 * empty, no empty segment, at most 8 segments and 256 characters, and no `__proto__`,
 * `prototype` or `constructor` segment.
 *
 * @example
 * parseClaimPath("o.id"); // { ok: true, path: ["o", "id"] }
 * parseClaimPath("https://example.com/claims.org"); // { ok: true, path: ["https://example.com/claims", "org"] }
 * parseClaimPath("o.__proto__"); // { ok: false, problem: "must not use the segment __proto__" }
 */
export function parseClaimPath(name: string): ClaimPathParse {
  let result = parsed.get(name);
  if (!result) {
    result = split(name);
    if (parsed.size < 64) parsed.set(name, result);
  }
  return result;
}

function split(name: string): ClaimPathParse {
  if (name.length === 0) return { ok: false, problem: "must not be empty" };
  if (name.length > MAX_NAME_LENGTH) return { ok: false, problem: `must be at most ${MAX_NAME_LENGTH} characters` };
  // The namespace of a URL-shaped name runs to its last "/", so the host's dots are not separators.
  const namespaceEnd = name.includes("://") ? name.lastIndexOf("/") + 1 : 0;
  const firstDot = name.indexOf(".", namespaceEnd);
  const path = firstDot < 0 ? [name] : [name.slice(0, firstDot), ...name.slice(firstDot + 1).split(".")];
  if (path.some((segment) => segment.length === 0)) {
    return { ok: false, problem: "must not start or end with a dot or contain two dots in a row" };
  }
  if (path.length > MAX_SEGMENTS) return { ok: false, problem: `must have at most ${MAX_SEGMENTS} dot-separated parts` };
  const forbidden = path.find((segment) => FORBIDDEN_SEGMENTS.has(segment));
  if (forbidden) return { ok: false, problem: `must not use the segment ${forbidden}` };
  return { ok: true, path };
}

/**
 * The value of the claim `name` names ({@link ClaimPath}), or undefined when the token does not
 * carry it. A name that does not parse reads nothing (configuration refuses such names).
 *
 * @example
 * readClaim({ o: { id: "org_1" } }, "o.id"); // "org_1"
 * readClaim({ "https://example.com/org_id": "org_1" }, "https://example.com/org_id"); // "org_1"
 * readClaim({ o: ["org_1"] }, "o.0"); // undefined: arrays are not followed
 */
export function readClaim(claims: Record<string, unknown>, name: string): unknown {
  const parse = parseClaimPath(name);
  if (!parse.ok || !isPlainObject(claims)) return undefined;
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const key of parse.path) {
    if (!isPlainObject(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/**
 * Writes `value` where `name` would be read from, creating the objects on the way, so the
 * local-dev signer shapes tokens the way the verifier reads them. Returns false, writing nothing,
 * when the path is blocked by a value that is not an object (two settings that overlap) or the
 * name does not parse.
 *
 * @example
 * const claims = {};
 * writeClaim(claims, "o.id", "org_1"); // true; claims is { o: { id: "org_1" } }
 */
export function writeClaim(claims: Record<string, unknown>, name: string, value: unknown): boolean {
  const parse = parseClaimPath(name);
  if (!parse.ok) return false;
  const path = parse.path;
  let target: Record<string, unknown> = claims;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(target, key) ? target[key] : undefined;
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      target[key] = created;
      target = created;
    } else if (isPlainObject(next)) {
      target = next;
    } else {
      return false;
    }
  }
  const last = path[path.length - 1]!;
  if (Object.hasOwn(target, last) && isPlainObject(target[last])) return false;
  target[last] = value;
  return true;
}

/**
 * A permissions claim as a list: an array of strings (Auth0 and WorkOS `permissions`, Okta
 * `scp`, Cognito `cognito:groups`) or one string of names separated by spaces or commas (OAuth
 * `scope`, Cognito's access-token `scope`, Clerk's `o.per`). Entries that are not well-formed
 * permissions are dropped rather than trusted; repeats collapse; at most 200 are kept.
 *
 * @example
 * readPermissionList(["contacts:read", "contacts:read", 7]); // ["contacts:read"]
 * readPermissionList("openid contacts:read,billing:read"); // ["openid", "contacts:read", "billing:read"]
 * readPermissionList(undefined); // []
 */
export function readPermissionList(value: unknown): string[] {
  const entries: unknown[] = typeof value === "string" ? value.split(/[\s,]+/) : Array.isArray(value) ? value : [];
  const valid = entries.filter((p): p is string => typeof p === "string" && Permission.safeParse(p).success);
  return [...new Set(valid)].slice(0, MAX_PERMISSIONS);
}

/** An object as JSON.parse makes it: not an array, a class instance or anything with a custom prototype. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
