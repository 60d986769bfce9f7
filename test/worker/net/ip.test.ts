import { describe, expect, it } from "vitest";
import {
  cidrContains,
  formatCidr,
  formatIpAddress,
  isPublicAddress,
  parseCidr,
  parseIpAddress,
  type Cidr,
  type IpAddress,
} from "../../../worker/net/ip";
import { mulberry32 } from "../helpers/seeded-random";

function ip(text: string): IpAddress {
  const parsed = parseIpAddress(text);
  if (parsed === null) throw new Error(`test setup: ${text} should parse`);
  return parsed;
}

function cidr(text: string): Cidr {
  const result = parseCidr(text);
  if (!result.ok) throw new Error(`test setup: ${text} should parse: ${result.reason}`);
  return result.cidr;
}

function canonical(text: string): string {
  return formatCidr(cidr(text));
}

/** A random 128-bit value built from 8 random 16-bit groups. */
function random128(next: () => number): bigint {
  let value = 0n;
  for (let i = 0; i < 8; i++) value = (value << 16n) | BigInt(Math.floor(next() * 0x10000));
  return value;
}

/** The full, uncompressed, zero-padded text of a 128-bit value, in upper case. */
function fullText(bits: bigint): string {
  return bits.toString(16).padStart(32, "0").toUpperCase().match(/.{4}/g)!.join(":");
}

function binary(bits: bigint): string {
  return bits.toString(2).padStart(128, "0");
}

describe("parseIpAddress: IPv4", () => {
  it.each([
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["192.0.2.1", "192.0.2.1"],
    ["10.0.0.10", "10.0.0.10"],
  ])("parses %s", (text, formatted) => {
    const parsed = ip(text);
    expect(parsed.version).toBe(4);
    expect(formatIpAddress(parsed)).toBe(formatted);
  });

  it.each([
    "010.0.0.1", // leading zero (octal in some parsers)
    "1.2.3.04",
    "00.1.2.3",
    "256.0.0.1",
    "1.2.3.256",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.",
    ".1.2.3",
    "1..2.3",
    "1.2.3.-1",
    "1.2.3.+1",
    "0x7f.0.0.1",
    "127.1",
    "2130706433", // a single decimal number
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.4\n",
    "1.2.3.a",
    "１.2.3.4", // a full-width digit
    "",
  ])("refuses %j", (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });
});

describe("parseIpAddress: IPv6", () => {
  it.each([
    ["::", "::"],
    ["::1", "::1"],
    ["1::", "1::"],
    ["2001:db8::1", "2001:db8::1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"], // the first of two equal runs is compressed
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"], // a single zero group is not compressed
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"], // the longest run wins
    ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
    ["::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"],
    ["fe80::1", "fe80::1"],
    ["FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"],
    ["::1.2.3.4", "::102:304"], // IPv4-compatible (deprecated) stays IPv6
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
    ["1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"],
  ])("parses %s as %s", (text, formatted) => {
    const parsed = ip(text);
    expect(parsed.version).toBe(6);
    expect(formatIpAddress(parsed)).toBe(formatted);
  });

  it.each([
    "::ffff:1.2.3.4",
    "::FFFF:1.2.3.4",
    "::ffff:102:304",
    "0:0:0:0:0:ffff:1.2.3.4",
    "0000:0000:0000:0000:0000:FFFF:0102:0304",
  ])("treats the IPv4-mapped %s as the IPv4 address 1.2.3.4", (text) => {
    const parsed = ip(text);
    expect(parsed.version).toBe(4);
    expect(parsed.bits).toBe(ip("1.2.3.4").bits);
    expect(formatIpAddress(parsed)).toBe("1.2.3.4");
  });

  it.each([
    ":",
    ":::",
    "1:::2",
    "1::2::3",
    ":1::",
    "::1:",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7:8::", // eight explicit groups leave nothing for "::"
    "::1:2:3:4:5:6:7:8",
    "12345::",
    "g::1",
    "fe80::1%eth0",
    "fe80::1%1",
    "[::1]",
    "[2001:db8::1]:443",
    " ::1",
    "::1 ",
    "::ffff:1.2.3",
    "::ffff:1.2.3.256",
    "::ffff:01.2.3.4",
    "1.2.3.4::",
    "::1.2.3.4:1",
    "1:2:3:4:5:6:7:1.2.3.4", // a dotted tail is two groups: nine in all
    "1:2:3:4:5:6:7::1.2.3.4",
    "::1.2.3.4.5",
    "-1::",
    "0x1::",
  ])("refuses %j", (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });

  it("reads 500 random addresses the same from their full upper-case text and their canonical text", () => {
    const next = mulberry32(4291);
    for (let i = 0; i < 500; i++) {
      // Zero out a random span of groups half the time, so "::" appears in many positions.
      let bits = random128(next);
      if (next() < 0.5) {
        const from = Math.floor(next() * 8);
        const to = from + Math.floor(next() * (8 - from)) + 1;
        for (let g = from; g < to; g++) bits &= ~(0xffffn << BigInt(112 - 16 * g));
      }
      const fromFull = ip(fullText(bits));
      const again = ip(formatIpAddress(fromFull));
      expect(again.bits, fullText(bits)).toBe(bits);
      expect(fromFull.bits).toBe(bits);
    }
  });
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["192.0.2.1/32", "192.0.2.1/32"],
    ["192.0.2.1", "192.0.2.1/32"],
    ["::/0", "::/0"],
    ["2001:DB8::/32", "2001:db8::/32"],
    ["2001:db8:0:0:0:0:0:1/128", "2001:db8::1/128"],
    ["2001:db8::1", "2001:db8::1/128"],
    ["::ffff:0:0/96", "0.0.0.0/0"],
    ["::ffff:10.0.0.0/104", "10.0.0.0/8"],
    ["::ffff:192.0.2.1", "192.0.2.1/32"],
    ["::ffff:192.0.2.1/128", "192.0.2.1/32"],
  ])("reads %s as %s", (text, formatted) => {
    expect(canonical(text)).toBe(formatted);
  });

  it.each([
    ["10.0.0.1/8", "10.0.0.0/8"],
    ["192.168.1.1/16", "192.168.0.0/16"],
    ["1.2.3.4/0", "0.0.0.0/0"],
    ["2001:db8::1/32", "2001:db8::/32"],
    ["::1/0", "::/0"],
    ["::ffff:10.0.0.1/104", "10.0.0.0/8"],
    ["::ffff:0:0/95", "::fffe:0:0/95"],
  ])("refuses %s with host bits set and names %s", (text, meant) => {
    const result = parseCidr(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe(`has host bits set: did you mean ${meant}?`);
  });

  it.each([
    ["10.0.0.0/08", "prefix length"],
    ["10.0.0.0/033", "prefix length"],
    ["10.0.0.0/33", "from 0 to 32"],
    ["::/129", "from 0 to 128"],
    ["::/0128", "prefix length"],
    ["10.0.0.0/", "prefix length"],
    ["10.0.0.0/-1", "prefix length"],
    ["10.0.0.0/+8", "prefix length"],
    ["10.0.0.0/8/8", "prefix length"],
    ["10.0.0.0/8.0", "prefix length"],
    ["10.0.0.0/ 8", "whitespace"],
    ["10.0.0.0 /8", "whitespace"],
    [" 10.0.0.0/8", "whitespace"],
    ["10.0.0.0/8\t", "whitespace"],
    ["10.0.0/24", "not an IPv4 or IPv6 address"],
    ["010.0.0.0/8", "not an IPv4 or IPv6 address"],
    ["fe80::/10%eth0", "prefix length"],
    ["fe80::%eth0/10", "not an IPv4 or IPv6 address"],
    ["[::1]/128", "not an IPv4 or IPv6 address"],
    ["/8", "not an IPv4 or IPv6 address"],
    ["", "empty"],
    ["1".repeat(60), "too long"],
  ])("refuses %j: %s", (text, reason) => {
    const result = parseCidr(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });

  it("reads back every canonical range it writes (500 random IPv6 and IPv4 ranges)", () => {
    const next = mulberry32(5952);
    for (let i = 0; i < 500; i++) {
      const v4 = next() < 0.5;
      const prefix = Math.floor(next() * (v4 ? 33 : 129));
      const bits = random128(next);
      const text = v4
        ? `${formatIpAddress({ version: 4, bits: (0xffffn << 32n) | (bits & 0xffffffffn) })}/${prefix}`
        : `${fullText(bits)}/${prefix}`;
      const refused = parseCidr(text);
      // Random bits almost always include host bits: take the network the refusal names.
      const networkText = refused.ok ? formatCidr(refused.cidr) : refused.reason.match(/did you mean (\S+)\?$/)?.[1];
      expect(networkText, text).toBeDefined();
      const network = cidr(networkText!);
      expect(formatCidr(cidr(formatCidr(network)))).toBe(networkText);
      expect(network.prefix).toBe(network.version === 4 ? (v4 ? prefix : prefix - 96) : prefix);
    }
  });
});

describe("cidrContains", () => {
  it.each([
    // [range, first address inside, last address inside, just before, just after]
    ["10.0.0.0/8", "10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0"],
    ["192.0.2.128/25", "192.0.2.128", "192.0.2.255", "192.0.2.127", "192.0.3.0"],
    ["2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::"],
    ["2001:db8::/127", "2001:db8::", "2001:db8::1", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::2"],
  ])("%s contains its first and last address and nothing just outside", (range, first, last, before, after) => {
    const c = cidr(range);
    expect(cidrContains(c, ip(first))).toBe(true);
    expect(cidrContains(c, ip(last))).toBe(true);
    expect(cidrContains(c, ip(before))).toBe(false);
    expect(cidrContains(c, ip(after))).toBe(false);
  });

  it("/32 contains exactly its one address", () => {
    const c = cidr("192.0.2.7/32");
    expect(cidrContains(c, ip("192.0.2.7"))).toBe(true);
    expect(cidrContains(c, ip("192.0.2.6"))).toBe(false);
    expect(cidrContains(c, ip("192.0.2.8"))).toBe(false);
  });

  it("/128 contains exactly its one address", () => {
    const c = cidr("2001:db8::7/128");
    expect(cidrContains(c, ip("2001:db8::7"))).toBe(true);
    expect(cidrContains(c, ip("2001:db8::6"))).toBe(false);
    expect(cidrContains(c, ip("2001:db8::8"))).toBe(false);
  });

  it("0.0.0.0/0 contains every IPv4 address (mapped ones too) and no other IPv6 address", () => {
    const c = cidr("0.0.0.0/0");
    for (const inside of ["0.0.0.0", "255.255.255.255", "::ffff:8.8.8.8"]) expect(cidrContains(c, ip(inside))).toBe(true);
    for (const outside of ["::", "::1", "::fffe:ffff:ffff", "::1:0:0:0", "2001:db8::1"]) expect(cidrContains(c, ip(outside))).toBe(false);
  });

  it("::/0 contains every address, IPv4 included", () => {
    const c = cidr("::/0");
    for (const any of ["::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "1.2.3.4", "::ffff:1.2.3.4"]) expect(cidrContains(c, ip(any))).toBe(true);
  });

  it("an IPv4 range matches the mapped IPv6 form of a client, and a mapped range matches a dotted client", () => {
    expect(cidrContains(cidr("203.0.113.0/24"), ip("::ffff:203.0.113.9"))).toBe(true);
    expect(cidrContains(cidr("203.0.113.0/24"), ip("::ffff:cb00:7109"))).toBe(true);
    expect(cidrContains(cidr("::ffff:203.0.113.0/120"), ip("203.0.113.9"))).toBe(true);
    expect(cidrContains(cidr("::ffff:203.0.113.0/120"), ip("203.0.114.9"))).toBe(false);
  });

  it("an IPv4 range does not match the IPv4-compatible or NAT64 form of its addresses", () => {
    expect(cidrContains(cidr("203.0.113.0/24"), ip("::203.0.113.9"))).toBe(false);
    expect(cidrContains(cidr("203.0.113.0/24"), ip("64:ff9b::203.0.113.9"))).toBe(false);
  });

  it("agrees with a bit-string comparison on 2,000 random ranges and addresses", () => {
    const next = mulberry32(1918);
    let inside = 0;
    for (let i = 0; i < 2_000; i++) {
      const prefix = Math.floor(next() * 129);
      const networkBits = random128(next) & ~((1n << BigInt(128 - prefix)) - 1n);
      // Half the addresses share the network's first bits, so both answers are exercised.
      const hostBits = random128(next) & ((1n << BigInt(128 - prefix)) - 1n);
      const address = next() < 0.5 ? networkBits | hostBits : random128(next);
      const range = cidr(`${fullText(networkBits)}/${prefix}`);
      const expected = binary(address).slice(0, prefix) === binary(networkBits).slice(0, prefix);
      if (expected) inside++;
      expect(cidrContains(range, ip(fullText(address))), `${fullText(networkBits)}/${prefix} ∋ ${fullText(address)}`).toBe(expected);
    }
    expect(inside).toBeGreaterThan(500);
  });
});

describe("isPublicAddress", () => {
  it.each([
    "0.0.0.0",
    "0.1.2.3",
    "10.0.0.1",
    "100.64.0.1",
    "100.127.255.255",
    "127.0.0.1",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "192.168.0.1",
    "198.18.0.1",
    "198.19.255.255",
    "198.51.100.1",
    "203.0.113.1",
    "224.0.0.1",
    "239.255.255.255",
    "240.0.0.1",
    "255.255.255.255",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::",
    "::1",
    "::127.0.0.1",
    "fe80::1",
    "febf:ffff::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "2001:db8::1",
    "2001::1",
    "3fff::1",
    "64:ff9b::10.0.0.1",
    "64:ff9b::127.0.0.1",
    "64:ff9b:1::1",
    "2002:a00:1::", // 6to4 of 10.0.0.1
    "100::1",
  ])("%s is not public", (text) => {
    expect(isPublicAddress(ip(text))).toBe(false);
  });

  it.each([
    "1.1.1.1",
    "8.8.8.8",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.0.1.255",
    "192.0.3.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "::ffff:8.8.8.8",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "2a00:1450::1",
    "64:ff9b::8.8.8.8",
    "2002:808:808::",
  ])("%s is public", (text) => {
    expect(isPublicAddress(ip(text))).toBe(true);
  });
});
