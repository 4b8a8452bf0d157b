/**
 * What `ferry serve` says about where it listens: the address it actually bound, and, when
 * that is every interface (which no browser can open), a local URL that works.
 */

/** Host values that bind every interface rather than one address. */
const ALL_INTERFACES = new Set(['0.0.0.0', '::', '[::]']);

export interface ListeningAddress {
  /** The URL of the address bound, e.g. `http://0.0.0.0:8787`. */
  bound: string;
  /** A URL to open on this machine: the bound one, or localhost when every interface is bound. */
  local: string;
  /** Set when every interface is bound: which ones, in words. */
  allInterfaces: string | undefined;
}

export function listeningAddress(boundUrl: string): ListeningAddress {
  const url = new URL(boundUrl);
  if (!ALL_INTERFACES.has(url.hostname)) {
    return { bound: boundUrl, local: boundUrl, allInterfaces: undefined };
  }
  const ipv6 = url.hostname !== '0.0.0.0';
  url.hostname = 'localhost';
  return {
    bound: boundUrl,
    local: url.origin,
    allInterfaces: ipv6 ? 'every network interface (IPv6 and IPv4)' : 'every IPv4 interface',
  };
}

/** The line `ferry serve` prints once it listens. */
export function listeningLine(address: ListeningAddress, dev: boolean): string {
  const where =
    address.allInterfaces === undefined
      ? address.bound
      : `${address.bound} (${address.allInterfaces}; on this machine open ${address.local})`;
  return `Ferry is listening on ${where}${dev ? ' (dev mode: POST /v1/dev/token mints tokens)' : ''}`;
}
