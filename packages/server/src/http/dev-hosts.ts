/**
 * Dev mode answers only requests addressed to this machine. `POST /v1/dev/token` mints a
 * token for anyone who can reach it, and a web page can reach a server on the developer's
 * machine through DNS rebinding: its own name, re-pointed at 127.0.0.1, makes the browser
 * send requests there as same-origin. Those requests carry the page's name in `Host`, so
 * a server that answers only loopback names and addresses (and, when the developer opens it
 * from another device, IP addresses, which no rebinding can produce) is out of its reach.
 */
import { BlockList, isIP } from 'node:net';
import { FerryError } from '@ferry/protocol';

/**
 * Which `Host` values dev mode answers: `'loopback'` — localhost, *.localhost, 127.0.0.0/8
 * and [::1], with any port; `'loopback-or-ip'` — those and any IP address, for a device on
 * the developer's network (a name other than localhost is never answered).
 */
export type DevAllowedHosts = 'loopback' | 'loopback-or-ip';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** A Host header's shape: a name or IPv4 address, or a bracketed IPv6 address, and a port. */
const HOST_PATTERN = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The host name (lower case, IPv6 without brackets) a Host value names, or undefined. */
export function hostnameOf(host: string): string | undefined {
  if (!HOST_PATTERN.test(host)) return undefined;
  try {
    // URL normalises what a browser would: case, a trailing dot, 127.1 and 0x7f000001.
    const name = new URL(`http://${host}`).hostname.replace(/\.$/, '');
    return name.startsWith('[') ? name.slice(1, -1) : name;
  } catch {
    return undefined;
  }
}

/** Whether a host name or address is this machine's loopback: localhost, *.localhost, 127/8, ::1. */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const family = isIP(name);
  if (family === 0) return false;
  return LOOPBACK.check(name, family === 4 ? 'ipv4' : 'ipv6');
}

/** Whether dev mode answers a request sent with this `Host` value. */
export function isAllowedDevHost(host: string, allowed: DevAllowedHosts): boolean {
  const hostname = hostnameOf(host);
  if (hostname === undefined) return false;
  if (isLoopbackHostname(hostname)) return true;
  return allowed === 'loopback-or-ip' && isIP(hostname) !== 0;
}

/** The `Host` a request was sent with: its header, or where there is none (in process) its URL's. */
export function requestHost(request: Request): string {
  return request.headers.get('host') ?? new URL(request.url).host;
}

/** Throws the 403 a dev-mode request addressed elsewhere gets. */
export function checkDevHost(request: Request, allowed: DevAllowedHosts): void {
  const host = requestHost(request);
  if (isAllowedDevHost(host, allowed)) return;
  const accepted =
    allowed === 'loopback'
      ? 'localhost, a *.localhost name, 127.0.0.1 or [::1]'
      : 'localhost, a *.localhost name or an IP address';
  throw new FerryError(
    'forbidden',
    `this server runs in dev mode and answers only requests addressed to ${accepted}, not "${host.slice(0, 100)}": a web page could otherwise reach it through DNS rebinding and mint tokens. Open it at http://localhost:<port>.`,
  );
}
