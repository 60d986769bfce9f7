import type { ViewContext } from "./view-context";

/** Most entries a key's IP allowlist may hold (the server's limit too). */
export const MAX_ALLOWED_IPS = 50;

/** An allowlist entry checked: its canonical CIDR, or why it is refused. */
export type EntryCheck =
  | { ok: true; cidr: string }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "prefix"; max: number }
  | { ok: false; reason: "hostBits"; meant: string };

const OCTET = /^(?:0|[1-9]\d{0,2})$/;
const GROUP = /^[\da-f]{1,4}$/;
/** IPv4 addresses live in IPv6's space at ::ffff:0:0/96, as on the server. */
const MAPPED = 0xffffn;

/**
 * Checks one entry by the server's rules (worker/net/ip.ts): a strict IPv4 dotted quad (no
 * leading zeros) or IPv6 in any RFC 4291 form (`::`, a dotted tail, any case), a bare address
 * meaning one host, or `/length` (0–32, 0–128, no leading zeros) with no host bits set (then the
 * network probably meant is named). The canonical form is the server's: a dotted quad for IPv4
 * and for ranges inside ::ffff:0:0/96, RFC 5952 for IPv6, always with the length.
 *
 * @example
 * checkEntry("10.0.0.1/8"); // { ok: false, reason: "hostBits", meant: "10.0.0.0/8" }
 * checkEntry("2001:DB8::/32"); // { ok: true, cidr: "2001:db8::/32" }
 */
export function checkEntry(text: string): EntryCheck {
  const slash = text.indexOf("/");
  const address = slash < 0 ? text : text.slice(0, slash);
  const dotted = !address.includes(":");
  const v4 = dotted ? quad(address) : null;
  const bits = text.length > 49 ? null : dotted ? (v4 === null ? null : (MAPPED << 32n) | v4) : ipv6(address.toLowerCase());
  if (bits === null) return { ok: false, reason: "invalid" };
  const max = dotted ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const length = text.slice(slash + 1);
    if (!OCTET.test(length) || Number(length) > max) return { ok: false, reason: "prefix", max };
    prefix = Number(length);
  }
  const prefix128 = dotted ? prefix + 96 : prefix;
  const network = bits & (((1n << BigInt(prefix128)) - 1n) << BigInt(128 - prefix128));
  const cidr = format(network, prefix128);
  return network === bits ? { ok: true, cidr } : { ok: false, reason: "hostBits", meant: cidr };
}

/**
 * The allowlist a textarea holds (entries one per line, or separated by commas or spaces): the
 * canonical CIDRs without duplicates, in order, and the problems in the element's language, one
 * per line (at most {@link MAX_ALLOWED_IPS} entries; each entry as {@link checkEntry} says).
 *
 * @example
 * checkAllowlist("10.0.0.0/8\n192.0.2.1", t); // { list: ["10.0.0.0/8", "192.0.2.1/32"], error: undefined }
 */
export function checkAllowlist(text: string, t: ViewContext["t"]): { list: string[]; error: string | undefined } {
  const entries = text.split(/[\s,]+/).filter(Boolean);
  const problems: string[] = [];
  if (entries.length > MAX_ALLOWED_IPS) problems.push(t("ipTooMany", { n: MAX_ALLOWED_IPS }));
  const list: string[] = [];
  for (const entry of entries) {
    const result = checkEntry(entry);
    if (result.ok) list.push(result.cidr);
    else if (result.reason === "invalid") problems.push(t("ipInvalid", { entry }));
    else if (result.reason === "prefix") problems.push(t("ipPrefix", { entry, n: result.max }));
    else problems.push(t("ipHostBits", { entry, cidr: result.meant }));
  }
  return { list: [...new Set(list)], error: problems.length ? problems.join("\n") : undefined };
}

function quad(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part) && Number(part) < 256)) return null;
  return parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n);
}

function ipv6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const sides: bigint[][] = [];
  for (const [i, half] of halves.entries()) {
    const pieces = half ? half.split(":") : [];
    const values: bigint[] = [];
    for (const [j, piece] of pieces.entries()) {
      // A dotted quad may only be the address's very last piece, where it stands for two groups.
      const last = i === halves.length - 1 && j === pieces.length - 1;
      const v4 = last && piece.includes(".") ? quad(piece) : null;
      if (v4 !== null) values.push(v4 >> 16n, v4 & 0xffffn);
      else if (GROUP.test(piece)) values.push(BigInt(parseInt(piece, 16)));
      else return null;
    }
    sides.push(values);
  }
  const [head = [], tail = []] = sides;
  const count = head.length + tail.length;
  if (halves.length === 2 ? count > 7 : count !== 8) return null;
  return [...head, ...Array<bigint>(8 - count).fill(0n), ...tail].reduce((value, group) => (value << 16n) | group, 0n);
}

/** A network's canonical text: IPv4 for ranges of mapped addresses, RFC 5952 otherwise. */
function format(bits: bigint, prefix128: number): string {
  if (prefix128 >= 96 && bits >> 32n === MAPPED) {
    const v4 = [24n, 16n, 8n, 0n].map((shift) => (bits >> shift) & 0xffn).join(".");
    return `${v4}/${prefix128 - 96}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((bits >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups (the first of equals) becomes "::".
  let [start, length] = [-1, 1];
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > length) [start, length] = [i, j - i];
    i = j + 1;
  }
  const hex = (part: number[]) => part.map((group) => group.toString(16)).join(":");
  const text = start < 0 ? hex(groups) : `${hex(groups.slice(0, start))}::${hex(groups.slice(start + length))}`;
  return `${text}/${prefix128}`;
}
