/** Web Push configuration and its defaults. */
import type { Database } from '../db/driver.ts';
import { FerryConfigError } from '../errors.ts';
import { loadOrCreateVapidKeys, type VapidKeys } from '../storage/push-subscriptions.ts';
import { generateVapidKeys, type WebPushSettings } from './sender.ts';

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
  /** Which subscription endpoints to accept; default: any `https:` URL. Restrict to known push services to be strict. */
  allowEndpoint?: (endpoint: URL) => boolean;
  /** The fetch used to reach push services. */
  fetch?: typeof fetch;
}

export interface ResolvedWebPush {
  keys: VapidKeys;
  settings: WebPushSettings;
  allowEndpoint: (endpoint: URL) => boolean;
  fetch: typeof fetch | undefined;
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
      concurrency: 16,
      gatherMs: 200,
    },
    allowEndpoint: options.allowEndpoint ?? ((endpoint) => endpoint.protocol === 'https:'),
    fetch: options.fetch,
  };
}
