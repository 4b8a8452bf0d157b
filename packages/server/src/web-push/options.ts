/** Web Push configuration and its defaults. */
import type { Database } from '../db/driver.ts';
import { FerryConfigError } from '../errors.ts';
import { loadOrCreateVapidKeys, type VapidKeys } from '../storage/push-subscriptions.ts';
import {
  createEndpointPolicy,
  DEFAULT_PUSH_ENDPOINT_HOSTS,
  type EndpointPolicy,
  hostPatternMatcher,
  resolveWithDns,
} from './endpoints.ts';
import { generateVapidKeys, type WebPushSettings } from './sender.ts';
import { createPushTransport, type PushTransport, pushTransportOverrides } from './transport.ts';

export interface WebPushOptions {
  /** Contact for push services, `mailto:` or `https:` (VAPID `sub`); default `mailto:webpush@localhost`. */
  subject?: string;
  /** VAPID keys (base64url); both or neither. Default: generated on first start and kept in the database. */
  publicKey?: string;
  privateKey?: string;
  /** At most one message per subscription per window; default 30 000. */
  minIntervalMs?: number;
  /** How long a push service keeps a message for an offline device; default 3600. */
  ttlSeconds?: number;
  /**
   * Which subscription endpoints to accept: host names (`"push.example.com"`, `"*.example.com"`
   * for any subdomain, `"host:8443"` for another port) or a function of the endpoint URL.
   * Default: `DEFAULT_PUSH_ENDPOINT_HOSTS`, the browsers' push services. Either way an
   * endpoint must be `https:` without credentials, and its host must be or resolve to
   * public addresses only (see `allowPrivateAddresses`), when subscribing and again on
   * every connection; redirects are never followed.
   */
  allowEndpoint?: readonly string[] | ((endpoint: URL) => boolean);
  /**
   * Send to endpoints on private, loopback, link-local and other non-public addresses;
   * default false. Only for tests and for a push service you run on your own network,
   * together with an `allowEndpoint` that names it.
   */
  allowPrivateAddresses?: boolean;
  /**
   * Most subscriptions one user keeps (each is one request per message); subscribing
   * beyond it drops that user's least recently subscribed one. Default 10.
   */
  maxSubscriptionsPerUser?: number;
}

export const DEFAULT_MAX_SUBSCRIPTIONS_PER_USER = 10;
/** How long one message may take, connection to last byte of the answer. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Most messages sent at once (and connections kept to push services). */
const CONCURRENCY = 16;

export interface ResolvedWebPush {
  keys: VapidKeys;
  settings: WebPushSettings;
  endpoints: EndpointPolicy;
  maxSubscriptionsPerUser: number;
  transport: PushTransport;
}

function allowEndpointOption(value: WebPushOptions['allowEndpoint']): (endpoint: URL) => boolean {
  if (value === undefined)
    return hostPatternMatcher(DEFAULT_PUSH_ENDPOINT_HOSTS, 'webPush.allowEndpoint');
  if (typeof value === 'function') return value;
  if (Array.isArray(value)) return hostPatternMatcher(value, 'webPush.allowEndpoint');
  throw new FerryConfigError(
    'webPush.allowEndpoint',
    'webPush.allowEndpoint must be a list of host names (e.g. ["fcm.googleapis.com", "*.push.apple.com"]) or a function (endpoint: URL) => boolean.',
  );
}

export async function resolveWebPush(
  database: Database,
  options: WebPushOptions = {},
): Promise<ResolvedWebPush> {
  if ((options.publicKey === undefined) !== (options.privateKey === undefined)) {
    throw new FerryConfigError(
      options.publicKey === undefined ? 'webPush.publicKey' : 'webPush.privateKey',
      'webPush was given only one of its VAPID keys: give both publicKey and privateKey (a pair from web-push generate-vapid-keys), or neither to have them generated and kept in the database.',
    );
  }
  const subject = options.subject ?? 'mailto:webpush@localhost';
  if (!/^(mailto:|https:)/.test(subject))
    throw new FerryConfigError(
      'webPush.subject',
      `webPush.subject is "${subject}"; push services need a contact they can reach: a mailto: or https: URL, e.g. "mailto:ops@example.com".`,
    );
  const maxSubscriptionsPerUser =
    options.maxSubscriptionsPerUser ?? DEFAULT_MAX_SUBSCRIPTIONS_PER_USER;
  if (!Number.isSafeInteger(maxSubscriptionsPerUser) || maxSubscriptionsPerUser < 1)
    throw new FerryConfigError(
      'webPush.maxSubscriptionsPerUser',
      `webPush.maxSubscriptionsPerUser must be a whole number of at least 1, got ${String(maxSubscriptionsPerUser)}.`,
    );
  const overrides = pushTransportOverrides(options);
  const endpoints = createEndpointPolicy({
    allowEndpoint: allowEndpointOption(options.allowEndpoint),
    allowPrivateAddresses: options.allowPrivateAddresses === true,
    resolveHost: overrides.resolveHost ?? resolveWithDns,
  });
  const keys =
    options.publicKey !== undefined && options.privateKey !== undefined
      ? { publicKey: options.publicKey, privateKey: options.privateKey }
      : await loadOrCreateVapidKeys(database, generateVapidKeys);
  return {
    keys,
    settings: {
      subject,
      minIntervalMs: options.minIntervalMs ?? 30_000,
      ttlSeconds: options.ttlSeconds ?? 3600,
      concurrency: CONCURRENCY,
      gatherMs: 200,
    },
    endpoints,
    maxSubscriptionsPerUser,
    transport: createPushTransport({
      lookup: endpoints.lookup,
      timeoutMs: DELIVERY_TIMEOUT_MS,
      maxSockets: CONCURRENCY,
      ca: overrides.ca,
    }),
  };
}
