/**
 * Which IP addresses a push message may be sent to: only public unicast ones. Everything
 * IANA's special-purpose registries mark as not globally reachable is refused — private,
 * loopback, link-local, unique-local, shared (CGNAT), multicast, unspecified, reserved,
 * documentation and benchmarking ranges — and an IPv6 address that embeds an IPv4 one
 * (IPv4-mapped, NAT64) is judged by the IPv4 address it reaches.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** `[first address, prefix length]` of each IPv4 range refused. */
const NON_PUBLIC_V4: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, where cloud metadata services answer
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address 255.255.255.255
];

function v4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function inPrefix(bytes: readonly number[], first: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const bit = 7 - (i % 8);
    const byte = i >> 3;
    if ((((bytes[byte] ?? 0) >> bit) & 1) !== (((first[byte] ?? 0) >> bit) & 1)) return false;
  }
  return true;
}

const V4_RANGES = NON_PUBLIC_V4.map(([first, bits]) => [v4Bytes(first), bits] as const);

function isPublicV4(bytes: readonly number[]): boolean {
  return !V4_RANGES.some(([first, bits]) => inPrefix(bytes, first, bits));
}

/** The 16 bytes of an IPv6 address in any textual form `isIPv6` accepts (zone ids removed). */
export function ipv6Bytes(address: string): number[] {
  const text = address.replace(/%.*$/, '');
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = v4Bytes(group);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

const V6_GLOBAL_UNICAST = [ipv6Bytes('2000::'), 3] as const;
/** Inside 2000::/3, the ranges that are still not globally reachable. */
const V6_NON_PUBLIC_INSIDE_GLOBAL = [
  [ipv6Bytes('2001::'), 23], // IETF protocol assignments: Teredo, benchmarking, ORCHID
  [ipv6Bytes('2001:db8::'), 32], // documentation
  [ipv6Bytes('2002::'), 16], // 6to4, which reaches whatever IPv4 address it embeds
  [ipv6Bytes('3fff::'), 20], // documentation
] as const;
const V6_MAPPED_V4 = [ipv6Bytes('::ffff:0:0'), 96] as const;
const V6_NAT64 = [ipv6Bytes('64:ff9b::'), 96] as const;

function isPublicV6(bytes: readonly number[]): boolean {
  // IPv4-mapped (::ffff:a.b.c.d) and well-known NAT64 (64:ff9b::a.b.c.d) reach an IPv4 address.
  if (inPrefix(bytes, ...V6_MAPPED_V4) || inPrefix(bytes, ...V6_NAT64))
    return isPublicV4(bytes.slice(12));
  // Everything outside global unicast (2000::/3) is loopback, unspecified, link-local,
  // unique-local, multicast, discard-only or reserved.
  if (!inPrefix(bytes, ...V6_GLOBAL_UNICAST)) return false;
  return !V6_NON_PUBLIC_INSIDE_GLOBAL.some(([first, bits]) => inPrefix(bytes, first, bits));
}

/** True for a public unicast IPv4 or IPv6 address; false for any other, or for text that is not an address. */
export function isPublicAddress(address: string): boolean {
  if (isIPv4(address)) return isPublicV4(v4Bytes(address));
  if (isIPv6(address)) return isPublicV6(ipv6Bytes(address));
  return false;
}

/** A URL's hostname as an IP address (IPv6 without its brackets), or undefined for a name. */
export function literalAddress(hostname: string): string | undefined {
  const bare =
    hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIPv4(bare) || isIPv6(bare) ? bare : undefined;
}
