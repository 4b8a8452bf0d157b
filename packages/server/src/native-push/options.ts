/** Native push configuration (FCM, APNs), checked at setup, and its defaults. */
import { FerryConfigError } from '../errors.ts';
import type { ApnsEnvironment, NativePushPlatform } from '../storage/push-devices.ts';
import { APNS_ENDPOINTS, createApnsProvider } from './apns.ts';
import {
  createFcmProvider,
  FCM_ENDPOINT,
  type FcmServiceAccount,
  parseServiceAccount,
} from './fcm.ts';
import { createH2Client, type H2Client } from './h2.ts';
import type { NativePushProvider } from './provider.ts';

export interface NativePushOptions {
  /** Firebase Cloud Messaging (Android, and iOS apps that register FCM tokens). */
  fcm?: {
    /**
     * The Firebase project's service account key file (Project settings → Service
     * accounts → Generate new private key): its text, or the parsed JSON. Needs
     * `project_id`, `client_email` and `private_key`.
     */
    serviceAccount: FcmServiceAccount | string;
    /** Origin of the FCM API; default `https://fcm.googleapis.com`. For tests. */
    endpoint?: string;
  };
  /** Apple Push Notification service, token-based (a .p8 key). */
  apns?: {
    /** The key's 10-character id (Certificates, Identifiers & Profiles → Keys). */
    keyId: string;
    /** The 10-character team id. */
    teamId: string;
    /** The contents of the `AuthKey_<keyId>.p8` file. */
    privateKey: string;
    /** The app's bundle id, sent as `apns-topic`. */
    bundleId: string;
    /**
     * Where devices that name no environment are sent: `true` (default) api.push.apple.com,
     * `false` api.sandbox.push.apple.com (development builds).
     */
    production?: boolean;
    /** Origin used instead of api.push.apple.com. For tests. */
    endpoint?: string;
    /** Origin used instead of api.sandbox.push.apple.com. For tests. */
    sandboxEndpoint?: string;
  };
  /**
   * Most devices one user keeps, FCM and APNs together (each is one request per wake-up);
   * registering beyond it drops that user's least recently registered one. Default 10.
   */
  maxDevicesPerUser?: number;
  /** At most one wake-up per device per window, whether it succeeds or fails; default 30 000. */
  minIntervalMs?: number;
  /** How long FCM or APNs keeps a wake-up for a device that is offline; default 3600. */
  ttlSeconds?: number;
}

export const DEFAULT_MAX_DEVICES_PER_USER = 10;
/** How long one message may take, connection to last byte of the answer. */
const DELIVERY_TIMEOUT_MS = 10_000;
/** Most messages in flight at once, over one HTTP/2 connection per push service. */
const CONCURRENCY = 100;
/** FCM keeps a message at most four weeks. */
const MAX_TTL_SECONDS = 28 * 24 * 3600;

/** What tests change: their stand-ins' certificate authority, a shorter timeout, a clock. */
export interface NativePushTransportOverrides {
  ca?: string;
  timeoutMs?: number;
  now?: () => number;
}

const overrides = new WeakMap<object, NativePushTransportOverrides>();

/** Returns `options` (the `nativePush` option) marked to connect as `transport` says. For tests. */
export function withNativePushTransport(
  options: NativePushOptions,
  transport: NativePushTransportOverrides,
): NativePushOptions {
  overrides.set(options, transport);
  return options;
}

export interface NativePushSettings {
  minIntervalMs: number;
  concurrency: number;
  /** Commits within this many ms of the first share one claim (the newest version). */
  gatherMs: number;
}

export interface ResolvedNativePush {
  providers: Partial<Record<NativePushPlatform, NativePushProvider>>;
  /** The platforms configured, whose devices are accepted and woken. */
  platforms: NativePushPlatform[];
  defaultApnsEnvironment: ApnsEnvironment;
  maxDevicesPerUser: number;
  settings: NativePushSettings;
  http: H2Client;
}

function wholeNumber(
  value: unknown,
  option: string,
  min: number,
  max: number,
  advice: string,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)
    throw new FerryConfigError(option, `${option} is ${String(value)}; ${advice}`);
  return value;
}

function origin(value: unknown, option: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !URL.canParse(value) || new URL(value).protocol !== 'https:')
    throw new FerryConfigError(option, `${option} must be an https: URL, got "${String(value)}".`);
  return new URL(value).origin;
}

function text(value: unknown, option: string, pattern: RegExp, advice: string): string {
  if (typeof value !== 'string' || !pattern.test(value))
    throw new FerryConfigError(
      option,
      `${option} is ${JSON.stringify(value) ?? 'missing'}; ${advice}`,
    );
  return value;
}

/** The .p8 key's text; never quoted back, whatever it holds. */
function secret(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new FerryConfigError(
      'nativePush.apns.privateKey',
      'nativePush.apns.privateKey must be the contents of the AuthKey_<key id>.p8 file, as text.',
    );
  return value;
}

export async function resolveNativePush(options: NativePushOptions): Promise<ResolvedNativePush> {
  if (typeof options !== 'object' || options === null || (!options.fcm && !options.apns))
    throw new FerryConfigError(
      'nativePush',
      'nativePush needs fcm (a service account key), apns (a .p8 key, its key id, team id and the bundle id) or both; leave nativePush out to send no native push.',
    );
  const maxDevicesPerUser = wholeNumber(
    options.maxDevicesPerUser ?? DEFAULT_MAX_DEVICES_PER_USER,
    'nativePush.maxDevicesPerUser',
    1,
    Number.MAX_SAFE_INTEGER,
    `give a whole number of at least 1 (default ${DEFAULT_MAX_DEVICES_PER_USER}).`,
  );
  const minIntervalMs = wholeNumber(
    options.minIntervalMs ?? 30_000,
    'nativePush.minIntervalMs',
    0,
    Number.MAX_SAFE_INTEGER,
    'give the shortest time between two wake-ups of one device in whole milliseconds (default 30 000).',
  );
  const ttlSeconds = wholeNumber(
    options.ttlSeconds ?? 3600,
    'nativePush.ttlSeconds',
    0,
    MAX_TTL_SECONDS,
    `give how long a push service keeps a wake-up for an offline device, in whole seconds up to ${MAX_TTL_SECONDS} (default 3600).`,
  );
  const transport = overrides.get(options) ?? {};
  const now = transport.now ?? Date.now;
  const http = createH2Client({
    timeoutMs: transport.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    ca: transport.ca,
  });
  const providers: Partial<Record<NativePushPlatform, NativePushProvider>> = {};
  let defaultApnsEnvironment: ApnsEnvironment = 'production';
  try {
    if (options.fcm) {
      providers.fcm = await createFcmProvider({
        settings: {
          serviceAccount: parseServiceAccount(options.fcm.serviceAccount),
          endpoint: origin(options.fcm.endpoint, 'nativePush.fcm.endpoint', FCM_ENDPOINT),
          ttlSeconds,
        },
        http,
        now,
      });
    }
    if (options.apns) {
      const apns = options.apns;
      const id = /^[A-Za-z0-9]{10}$/;
      defaultApnsEnvironment = apns.production === false ? 'sandbox' : 'production';
      providers.apns = await createApnsProvider({
        settings: {
          keyId: text(
            apns.keyId,
            'nativePush.apns.keyId',
            id,
            'give the 10-character key id of the .p8 key.',
          ),
          teamId: text(
            apns.teamId,
            'nativePush.apns.teamId',
            id,
            'give the 10-character team id of the Apple developer account.',
          ),
          bundleId: text(
            apns.bundleId,
            'nativePush.apns.bundleId',
            /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/,
            'give the app’s bundle id, e.g. "com.example.app".',
          ),
          privateKey: secret(apns.privateKey),
          defaultEnvironment: defaultApnsEnvironment,
          endpoints: {
            production: origin(
              apns.endpoint,
              'nativePush.apns.endpoint',
              APNS_ENDPOINTS.production,
            ),
            sandbox: origin(
              apns.sandboxEndpoint,
              'nativePush.apns.sandboxEndpoint',
              APNS_ENDPOINTS.sandbox,
            ),
          },
          ttlSeconds,
        },
        http,
        now,
      });
    }
  } catch (error) {
    http.close();
    throw error;
  }
  return {
    providers,
    platforms: (['fcm', 'apns'] as const).filter((p) => providers[p] !== undefined),
    defaultApnsEnvironment,
    maxDevicesPerUser,
    settings: { minIntervalMs, concurrency: CONCURRENCY, gatherMs: 200 },
    http,
  };
}
