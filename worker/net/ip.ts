// net/: IP addresses and CIDR ranges as values: strict parsing of RFC 4291 / dotted-quad text,
// canonical RFC 5952 formatting, containment, and the "is this a public address" rule that
// allowlists and outgoing requests (SSRF) rely on. Pure and stateless. Floor: imports only
// crypto and below (in practice nothing).

/**
 * An IP address. Every address lives in the 128-bit IPv6 space: an IPv4 address a.b.c.d is
 * `::ffff:a.b.c.d`, so an IPv4-mapped IPv6 text and the dotted quad are the same value (version 4).
 */
export interface IpAddress {
  version: 4 | 6;
  /** The 128-bit value; for version 4, `::ffff:0:0` plus the 32-bit address. */
  bits: bigint;
}

/** A network: the addresses that share the first `prefix` bits of `bits` (host bits are zero). */
export interface Cidr {
  version: 4 | 6;
  /** The network's first address, 128-bit as in `IpAddress`. */
  bits: bigint;
  /** The prefix length in the version's own terms: 0–32 for IPv4, 0–128 for IPv6. */
  prefix: number;
}

const ALL_ONES_128 = (1n << 128n) - 1n;
const MAPPED_V4 = 0xffffn << 32n;
/** The longest valid text: a full IPv6 with a dotted tail (45) plus "/128" (4). */
const MAX_TEXT_LENGTH = 49;
const DECIMAL_OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;
const PREFIX_LENGTH = /^(?:0|[1-9][0-9]{0,2})$/;

/**
 * Parses an IPv4 dotted quad (strict: four decimal parts 0–255 without leading zeros) or an IPv6
 * address in any RFC 4291 text form (`::`, compressed, an embedded dotted IPv4 tail, any case).
 * Zone ids (`fe80::1%eth0`), brackets and surrounding whitespace are refused. An IPv4-mapped
 * IPv6 address comes back as the IPv4 address it carries.
 *
 * @example
 * parseIpAddress("::ffff:192.0.2.1"); // same value as parseIpAddress("192.0.2.1"), version 4
 * parseIpAddress("010.0.0.1"); // null
 */
export function parseIpAddress(text: string): IpAddress | null {
  const bits = parseBits(text);
  return bits === null ? null : addressOf(bits);
}

/**
 * Parses an allowlist entry: `address/length` (IPv4 0–32, IPv6 0–128) or a bare address (a
 * single host: /32 or /128). Refuses host bits set, naming the network that was probably meant,
 * leading zeros in the length and any whitespace. A range inside `::ffff:0:0/96` becomes the
 * IPv4 range it covers.
 *
 * @example
 * parseCidr("10.0.0.0/8"); // { ok: true, cidr: … }
 * parseCidr("10.0.0.1/8"); // { ok: false, reason: "host bits are set: did you mean 10.0.0.0/8?" }
 */
export function parseCidr(text: string): { ok: true; cidr: Cidr } | { ok: false; reason: string } {
  if (text.length === 0) return { ok: false, reason: "is empty" };
  if (/\s/.test(text)) return { ok: false, reason: "must not contain whitespace" };
  if (text.length > MAX_TEXT_LENGTH) return { ok: false, reason: "is too long to be an IP address or CIDR" };
  const slash = text.indexOf("/");
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const bits = parseBits(addressText);
  if (bits === null) return { ok: false, reason: "is not an IPv4 or IPv6 address" };
  const writtenAsV4 = !addressText.includes(":");
  const max = writtenAsV4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const lengthText = text.slice(slash + 1);
    if (!PREFIX_LENGTH.test(lengthText) || Number(lengthText) > max) {
      return { ok: false, reason: `has an invalid prefix length: expected a whole number from 0 to ${max} without leading zeros` };
    }
    prefix = Number(lengthText);
  }
  // Work in the 128-bit space: a dotted quad's prefix counts from bit 96.
  const prefix128 = writtenAsV4 ? prefix + 96 : prefix;
  const network = bits & maskOf(prefix128);
  const cidr = cidrOf(network, prefix128);
  if (network !== bits) return { ok: false, reason: `has host bits set: did you mean ${formatCidr(cidr)}?` };
  return { ok: true, cidr };
}

/**
 * The canonical text of a range: a dotted quad for IPv4, RFC 5952 for IPv6 (lowercase, no leading
 * zeros, the longest run of two or more zero groups compressed), always with the prefix length.
 *
 * @example
 * formatCidr(cidr); // "2001:db8::/32", "10.0.0.0/8", "192.0.2.1/32"
 */
export function formatCidr(cidr: Cidr): string {
  return `${formatIpAddress({ version: cidr.version, bits: cidr.bits })}/${cidr.prefix}`;
}

/**
 * The canonical text of an address: a dotted quad for IPv4 (mapped ones included), RFC 5952 for
 * IPv6.
 *
 * @example
 * formatIpAddress(parseIpAddress("2001:DB8:0:0:0:0:0:1")!); // "2001:db8::1"
 */
export function formatIpAddress(ip: IpAddress): string {
  if (ip.version === 4) {
    const v4 = Number(ip.bits & 0xffffffffn);
    return [v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff].join(".");
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip.bits >> BigInt(112 - 16 * i)) & 0xffffn));
  const [start, length] = longestZeroRun(groups);
  const hex = (part: number[]) => part.map((g) => g.toString(16)).join(":");
  if (length < 2) return hex(groups);
  return `${hex(groups.slice(0, start))}::${hex(groups.slice(start + length))}`;
}

/**
 * Whether the range contains the address. IPv4 and its mapped IPv6 form are one value, so a
 * dotted-quad range matches a client seen as `::ffff:a.b.c.d` and the reverse; an IPv6 range
 * short enough to cover `::ffff:0:0/96` (such as `::/0`) contains every IPv4 address.
 *
 * @example
 * cidrContains(parseCidr("10.0.0.0/8").cidr, parseIpAddress("::ffff:10.1.2.3")!); // true
 */
export function cidrContains(cidr: Cidr, ip: IpAddress): boolean {
  return (ip.bits & maskOf(prefix128Of(cidr))) === cidr.bits;
}

/**
 * Whether an address is globally reachable unicast: false for unspecified, loopback, private
 * (RFC 1918), shared (CGNAT), link-local, unique-local, multicast, broadcast, documentation,
 * benchmarking and reserved ranges, and for IPv6 outside 2000::/3. NAT64 (64:ff9b::/96) and
 * 6to4 (2002::/16) addresses are judged by the IPv4 address they embed. Used to refuse
 * server-side request forgery targets.
 *
 * @example
 * isPublicAddress(parseIpAddress("192.168.1.1")!); // false
 * isPublicAddress(parseIpAddress("2606:4700::1111")!); // true
 */
export function isPublicAddress(ip: IpAddress): boolean {
  if (ip.version === 4) return !NON_PUBLIC_V4.some((cidr) => cidrContains(cidr, ip));
  if (cidrContains(NAT64, ip)) return isPublicAddress(addressOf(MAPPED_V4 | (ip.bits & 0xffffffffn)));
  if (cidrContains(SIX_TO_FOUR, ip)) return isPublicAddress(addressOf(MAPPED_V4 | ((ip.bits >> 80n) & 0xffffffffn)));
  if (!cidrContains(GLOBAL_UNICAST_V6, ip)) return false;
  return !NON_PUBLIC_V6.some((cidr) => cidrContains(cidr, ip));
}

/** Parses a constant range of this module; a typo here is a programming error. */
function known(text: string): Cidr {
  const result = parseCidr(text);
  if (!result.ok) throw new Error(`net/ip.ts: bad constant ${text}: ${result.reason}`);
  return result.cidr;
}

/** IANA's IPv4 special-purpose ranges that are not globally reachable (RFC 6890 and successors). */
const NON_PUBLIC_V4 = [
  "0.0.0.0/8", // "this network", includes the unspecified address
  "10.0.0.0/8", // RFC 1918
  "100.64.0.0/10", // shared address space (CGNAT)
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local (and cloud metadata endpoints)
  "172.16.0.0/12", // RFC 1918
  "192.0.0.0/24", // IETF protocol assignments
  "192.0.2.0/24", // TEST-NET-1
  "192.88.99.0/24", // deprecated 6to4 relay anycast
  "192.168.0.0/16", // RFC 1918
  "198.18.0.0/15", // benchmarking
  "198.51.100.0/24", // TEST-NET-2
  "203.0.113.0/24", // TEST-NET-3
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, includes the limited broadcast 255.255.255.255
].map(known);

const NAT64 = known("64:ff9b::/96");
const SIX_TO_FOUR = known("2002::/16");
const GLOBAL_UNICAST_V6 = known("2000::/3");

/** Ranges inside 2000::/3 that are not globally reachable. */
const NON_PUBLIC_V6 = [
  "2001::/23", // IETF protocol assignments (Teredo, benchmarking, ORCHID…)
  "2001:db8::/32", // documentation
  "3fff::/20", // documentation (RFC 9637)
].map(known);

/** Text to the 128-bit value, IPv4 placed at ::ffff:0:0/96; null when not an address. */
function parseBits(text: string): bigint | null {
  if (text.length === 0 || text.length > MAX_TEXT_LENGTH) return null;
  if (!text.includes(":")) {
    const v4 = parseDottedQuad(text);
    return v4 === null ? null : MAPPED_V4 | BigInt(v4);
  }
  return parseIpv6(text.toLowerCase());
}

function parseDottedQuad(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!DECIMAL_OCTET.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-f:.]+$/.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0]!);
  const tail = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (head === null || tail === null) return null;
  // A dotted tail is allowed only as the very last piece of the address (it stands for two groups).
  const last = halves.length === 2 ? tail : head;
  const pieces = [...head, ...tail];
  const dottedCount = pieces.filter((piece) => piece.includes(".")).length;
  const dotted = dottedCount === 1 && last.length > 0 && last[last.length - 1]!.includes(".");
  if (dottedCount > 0 && !dotted) return null;
  const explicit = pieces.length + (dotted ? 1 : 0);
  if (halves.length === 2 ? explicit > 7 : explicit !== 8) return null;
  const toValue = (part: string[]): bigint | null => {
    let value = 0n;
    for (const piece of part) {
      if (piece.includes(".")) {
        const v4 = parseDottedQuad(piece);
        if (v4 === null) return null;
        value = (value << 32n) | BigInt(v4);
      } else {
        if (!HEX_GROUP.test(piece)) return null;
        value = (value << 16n) | BigInt(parseInt(piece, 16));
      }
    }
    return value;
  };
  const headValue = toValue(head);
  const tailValue = toValue(tail);
  if (headValue === null || tailValue === null) return null;
  const tailGroups = tail.length + (dotted && halves.length === 2 ? 1 : 0);
  const headGroups = explicit - tailGroups;
  return (headValue << BigInt(16 * (8 - headGroups))) | tailValue;
}

/** The colon-separated pieces of one side of "::" (an empty side has none); null on an empty piece. */
function groupsOf(side: string): string[] | null {
  if (side === "") return [];
  const pieces = side.split(":");
  return pieces.some((piece) => piece === "") ? null : pieces;
}

function addressOf(bits: bigint): IpAddress {
  return { version: bits >> 32n === 0xffffn ? 4 : 6, bits };
}

function cidrOf(network: bigint, prefix128: number): Cidr {
  const mapped = prefix128 >= 96 && network >> 32n === 0xffffn;
  return mapped ? { version: 4, bits: network, prefix: prefix128 - 96 } : { version: 6, bits: network, prefix: prefix128 };
}

function prefix128Of(cidr: Cidr): number {
  return cidr.version === 4 ? cidr.prefix + 96 : cidr.prefix;
}

function maskOf(prefix128: number): bigint {
  return (ALL_ONES_128 << BigInt(128 - prefix128)) & ALL_ONES_128;
}

/** [start, length] of the first longest run of zero groups. */
function longestZeroRun(groups: number[]): [number, number] {
  let best: [number, number] = [0, 0];
  let start = -1;
  for (let i = 0; i <= groups.length; i++) {
    if (i < groups.length && groups[i] === 0) {
      if (start === -1) start = i;
    } else if (start !== -1) {
      if (i - start > best[1]) best = [start, i - start];
      start = -1;
    }
  }
  return best;
}
