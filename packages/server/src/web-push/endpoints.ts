/**
 * Which push subscription endpoints the server will send to. The server POSTs to whatever
 * URL a user subscribes with, so an unchecked endpoint would let any signed-in user make it
 * call addresses only it can reach (SSRF). An endpoint must be an `https:` URL without
 * credentials, accepted by `allowEndpoint` (by default the browsers' own push services),
 * and its host must be or resolve to public addresses only — checked when subscribing and
 * again on every connection, through the DNS lookup the request itself uses, so a name
 * that later resolves elsewhere (DNS rebinding) is refused too.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { promisify } from 'node:util';
import { FerryConfigError } from '../errors.ts';
import { isPublicAddress, literalAddress } from './addresses.ts';

/**
 * The push services of today's browsers: Chrome, Edge on Android, Samsung Internet and
 * Opera (Firebase Cloud Messaging), Firefox (Mozilla autopush), Edge on Windows (Windows
 * Push Notification Services) and Safari (Apple Push Notification service). `*.` matches
 * any subdomain.
 */
export const DEFAULT_PUSH_ENDPOINT_HOSTS: readonly string[] = Object.freeze([
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.push.services.mozilla.com',
  '*.notify.windows.com',
  'web.push.apple.com',
  '*.push.apple.com',
]);

/** Resolves a host name to every address it has, as `dns.lookup(name, { all: true })` does. */
export type ResolveHost = (hostname: string) => Promise<readonly LookupAddress[]>;

const lookupAll = promisify(dnsLookup);
export const resolveWithDns: ResolveHost = (hostname) =>
  lookupAll(hostname, { all: true, verbatim: true });

/** The `lookup` option of `net.connect` and `https.request`. */
export type LookupFunction = (
  hostname: string,
  options: LookupOptions,
  callback: (
    error: NodeJS.ErrnoException | null,
    address: string | LookupAddress[],
    family?: number,
  ) => void,
) => void;

/** An endpoint the server will not send to, with the reason (safe to show its owner). */
export class EndpointRefusedError extends Error {
  readonly code = 'ERR_FERRY_ENDPOINT_REFUSED';
}

/** The same, for a host name that does not resolve at all. */
export class EndpointUnresolvedError extends Error {
  readonly code = 'ERR_FERRY_ENDPOINT_UNRESOLVED';
}

const HOST_PATTERN = /^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/;

/**
 * `allowEndpoint` as a list of host patterns: `push.example.com` matches that host on the
 * default port, `*.example.com` any subdomain of it, and `host:8443` that port.
 */
export function hostPatternMatcher(
  patterns: readonly string[],
  option: string,
): (endpoint: URL) => boolean {
  const normalised = patterns.map((pattern) => pattern.trim().toLowerCase());
  for (const pattern of normalised) {
    if (!HOST_PATTERN.test(pattern))
      throw new FerryConfigError(
        option,
        `${option} has "${pattern}", which is not a host name: give names like "fcm.googleapis.com", "*.push.apple.com" (any subdomain) or "push.example.com:8443".`,
      );
  }
  return (endpoint) =>
    normalised.some((pattern) =>
      pattern.startsWith('*.')
        ? endpoint.host.endsWith(pattern.slice(1))
        : endpoint.host === pattern,
    );
}

export interface EndpointPolicy {
  /**
   * Why `endpoint` is refused without resolving anything — not `https:`, credentials in
   * it, not accepted by `allowEndpoint`, a literal non-public address — or undefined.
   */
  refusal(endpoint: URL): string | undefined;
  /**
   * Resolves the endpoint's host and throws `EndpointRefusedError` unless every address is
   * public (or private ones are allowed), `EndpointUnresolvedError` if it has none.
   */
  checkAddresses(endpoint: URL): Promise<void>;
  /** The `lookup` for the connection itself: the same check on the addresses it connects to. */
  lookup: LookupFunction;
}

export function createEndpointPolicy(options: {
  allowEndpoint: (endpoint: URL) => boolean;
  allowPrivateAddresses: boolean;
  resolveHost: ResolveHost;
}): EndpointPolicy {
  const { allowEndpoint, allowPrivateAddresses, resolveHost } = options;

  async function resolvePublic(hostname: string): Promise<LookupAddress[]> {
    let addresses: readonly LookupAddress[];
    try {
      addresses = await resolveHost(hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA')
        throw new EndpointUnresolvedError(`the endpoint's host ${hostname} does not resolve`);
      throw error;
    }
    if (addresses.length === 0)
      throw new EndpointUnresolvedError(`the endpoint's host ${hostname} does not resolve`);
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused && !allowPrivateAddresses)
      throw new EndpointRefusedError(
        `the endpoint's host ${hostname} resolves to ${refused.address}, which is not a public address`,
      );
    return [...addresses];
  }

  return {
    refusal(endpoint) {
      if (endpoint.protocol !== 'https:') return 'endpoint must be an https: URL';
      if (endpoint.username !== '' || endpoint.password !== '')
        return 'endpoint must not carry a user name or password';
      if (!allowEndpoint(endpoint))
        return `endpoint host ${endpoint.host} is not an accepted push service`;
      const literal = literalAddress(endpoint.hostname);
      if (literal !== undefined && !allowPrivateAddresses && !isPublicAddress(literal))
        return `endpoint host ${endpoint.hostname} is not a public address`;
      return undefined;
    },
    async checkAddresses(endpoint) {
      // A literal address was judged by `refusal`, and connecting to one asks no resolver.
      if (literalAddress(endpoint.hostname) !== undefined) return;
      await resolvePublic(endpoint.hostname);
    },
    lookup(hostname, lookupOptions, callback) {
      resolvePublic(hostname).then(
        (resolved) => {
          const family =
            lookupOptions.family === 'IPv4'
              ? 4
              : lookupOptions.family === 'IPv6'
                ? 6
                : lookupOptions.family;
          const addresses = family ? resolved.filter((a) => a.family === family) : resolved;
          const [first] = addresses;
          if (!first) {
            const error: NodeJS.ErrnoException = new Error(
              `${hostname} has no IPv${family} address`,
            );
            error.code = 'ENOTFOUND';
            callback(error, '');
          } else if (lookupOptions.all) callback(null, addresses);
          else callback(null, first.address, first.family);
        },
        (error: NodeJS.ErrnoException) => callback(error, ''),
      );
    },
  };
}
