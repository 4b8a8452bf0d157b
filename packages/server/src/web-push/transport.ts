/**
 * One push message on the wire: an HTTPS POST made with `node:https`, connecting only to
 * addresses the endpoint policy's `lookup` accepts, never following a redirect (a 3xx is
 * a failed delivery, so a push service cannot send the server on elsewhere), and cut off
 * after `timeoutMs` however slowly the other side answers.
 */
import { Agent, request } from 'node:https';
import { literalAddress } from './addresses.ts';
import type { LookupFunction, ResolveHost } from './endpoints.ts';
import type { WebPushOptions } from './options.ts';

export interface PushMessage {
  headers: Record<string, string | number>;
  body: Uint8Array | null;
}

export interface PushTransport {
  /** POSTs `message` and resolves with the status; rejects on any failure to get one. */
  post(endpoint: URL, message: PushMessage): Promise<number>;
  /** Closes kept-alive connections. */
  close(): void;
}

/**
 * What tests change about the connections: a resolver they control and the certificate
 * authority of their stand-in push services. Not part of the public options.
 */
export interface PushTransportOverrides {
  resolveHost?: ResolveHost;
  ca?: string;
}

const overrides = new WeakMap<object, PushTransportOverrides>();

/** Returns `options` (the `webPush` option) marked to connect as `transport` says. For tests. */
export function withPushTransport(
  options: WebPushOptions,
  transport: PushTransportOverrides,
): WebPushOptions {
  overrides.set(options, transport);
  return options;
}

export function pushTransportOverrides(options: object | undefined): PushTransportOverrides {
  return (options && overrides.get(options)) ?? {};
}

export function createPushTransport(options: {
  lookup: LookupFunction;
  timeoutMs: number;
  maxSockets: number;
  ca?: string | undefined;
}): PushTransport {
  const { lookup, timeoutMs, ca } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  return {
    post(endpoint, message) {
      return new Promise<number>((resolve, reject) => {
        const outgoing = request(
          {
            agent,
            method: 'POST',
            hostname: literalAddress(endpoint.hostname) ?? endpoint.hostname,
            port: endpoint.port === '' ? 443 : Number(endpoint.port),
            path: `${endpoint.pathname}${endpoint.search}`,
            headers: message.headers,
            lookup,
            signal: AbortSignal.timeout(timeoutMs),
            ...(ca === undefined ? {} : { ca }),
          },
          (response) => {
            // The body says nothing Ferry acts on; it is read (so the connection can be
            // reused) and dropped, within the same time limit.
            response.resume();
            response.on('end', () => resolve(response.statusCode ?? 0));
            response.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(message.body ?? undefined);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
