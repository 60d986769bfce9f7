import { z } from "zod";
import { type Cidr, cidrContains, formatCidr, parseCidr, parseIpAddress } from "../net/ip";

/** Most entries a key's IP allowlist may hold. */
export const MAX_ALLOWED_IPS = 50;

/** Parsed lists by their canonical text: a key's object matches the same list on every request. */
const parsed = new Map<string, Cidr[]>();
const MAX_PARSED = 1_000;

const Entry = z
  .string({ error: "Each allowedIps entry must be a string: an IPv4 or IPv6 address or CIDR such as 203.0.113.0/24." })
  .superRefine((text, ctx) => {
    const result = parseCidr(text);
    if (result.ok) return;
    const reason = result.reason.endsWith("?") ? result.reason : `${result.reason}.`;
    ctx.addIssue({ code: "custom", message: `Must be an IPv4 or IPv6 address or CIDR such as 203.0.113.0/24; this entry ${reason}` });
  });

/**
 * The `allowedIps` of a create or edit: CIDRs or bare addresses (one host), at most
 * {@link MAX_ALLOWED_IPS}; `null` or `[]` for no restriction. An invalid entry is reported at its
 * index (`allowedIps.3`) with the reason, such as the network a CIDR with host bits set meant.
 */
export const AllowedIpsInput = z
  .array(Entry, { error: "allowedIps must be an array of IPv4 or IPv6 addresses or CIDRs, or null." })
  .max(MAX_ALLOWED_IPS, `allowedIps holds at most ${MAX_ALLOWED_IPS} entries.`)
  .nullable()
  .meta({
    description: `Only requests from these addresses are admitted: IPv4 or IPv6 CIDRs (203.0.113.0/24, 2001:db8::/32) or bare addresses (one host), at most ${MAX_ALLOWED_IPS}. Host bits must be zero. Stored in canonical form, duplicates removed, order kept. null or [] (the default): any address. An IPv4 entry also matches the client's IPv4-mapped IPv6 form (::ffff:a.b.c.d) and the reverse.`,
    example: ["203.0.113.0/24", "2001:db8::/32"],
  });

/**
 * The stored form of a validated allowlist: each entry as canonical CIDR text, duplicates (in any
 * spelling) removed, order kept; null when nothing is left (no restriction).
 *
 * @example
 * normalizeAllowedIps(["2001:DB8::/32", "192.0.2.1", "2001:db8:0::/32"]); // ["2001:db8::/32", "192.0.2.1/32"]
 * normalizeAllowedIps([]); // null
 */
export function normalizeAllowedIps(entries: readonly string[] | null | undefined): string[] | null {
  if (!entries) return null;
  const canonical = entries.map((entry) => {
    const result = parseCidr(entry);
    if (!result.ok) throw new TypeError(`allowedIps entry not validated: it ${result.reason}`);
    return formatCidr(result.cidr);
  });
  const distinct = [...new Set(canonical)];
  return distinct.length > 0 ? distinct : null;
}

/**
 * Whether a key with this allowlist may be used from `address` (the client's `CF-Connecting-IP`,
 * or the address a verifying backend passes). No list: any address, even none. With a list, a
 * missing or unparsable address is refused (fail closed).
 *
 * @example
 * allowsAddress(["203.0.113.0/24"], "::ffff:203.0.113.9"); // true
 * allowsAddress(["203.0.113.0/24"], null); // false
 */
export function allowsAddress(allowedIps: readonly string[] | null, address: string | null | undefined): boolean {
  if (allowedIps === null || allowedIps.length === 0) return true;
  const ip = address ? parseIpAddress(address) : null;
  if (ip === null) return false;
  return cidrsOf(allowedIps).some((cidr) => cidrContains(cidr, ip));
}

function cidrsOf(allowedIps: readonly string[]): Cidr[] {
  const text = allowedIps.join(" ");
  let cidrs = parsed.get(text);
  if (!cidrs) {
    cidrs = allowedIps.flatMap((entry) => {
      const result = parseCidr(entry);
      return result.ok ? [result.cidr] : [];
    });
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(text, cidrs);
  }
  return cidrs;
}
