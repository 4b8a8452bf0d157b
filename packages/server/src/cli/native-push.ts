/**
 * `ferry serve` flags for native push: the FCM service account key file, the APNs .p8 key
 * file with its key id, team id and the app's bundle id, and how many devices one user
 * keeps. Parsing is pure, like the rest of the configuration; `nativePushOptions` reads the
 * key files when the server starts.
 */
import { readFileSync } from 'node:fs';
import { FerryConfigError } from '../errors.ts';
import type { FcmServiceAccount } from '../native-push/fcm.ts';
import { DEFAULT_MAX_DEVICES_PER_USER, type NativePushOptions } from '../native-push/options.ts';

export interface NativePushConfig {
  nativePush: {
    /** Path of the FCM service account key file (JSON). */
    fcmServiceAccountFile: string | undefined;
    /** APNs, when all four are given. */
    apns:
      | { keyFile: string; keyId: string; teamId: string; bundleId: string; sandbox: boolean }
      | undefined;
    /** `nativePush.maxDevicesPerUser`; the server's default when not given. */
    devicesPerUser: number | undefined;
  };
}

/** The flags, for `parseArgs`. */
export const NATIVE_PUSH_FLAGS = {
  'fcm-service-account': { type: 'string' },
  'apns-key-file': { type: 'string' },
  'apns-key-id': { type: 'string' },
  'apns-team-id': { type: 'string' },
  'apns-bundle-id': { type: 'string' },
  'apns-sandbox': { type: 'boolean' },
  'push-devices-per-user': { type: 'string' },
} as const;

export const NATIVE_PUSH_HELP = `  --fcm-service-account <file>
                        wake phone apps through FCM with this Firebase service account key
                        file (JSON) [FERRY_FCM_SERVICE_ACCOUNT]
  --apns-key-file <file>
                        wake iOS apps through APNs with this .p8 key, together with
                        --apns-key-id, --apns-team-id and --apns-bundle-id [FERRY_APNS_KEY_FILE]
  --apns-key-id <id>    the .p8 key's 10-character id [FERRY_APNS_KEY_ID]
  --apns-team-id <id>   the Apple developer team id [FERRY_APNS_TEAM_ID]
  --apns-bundle-id <id> the iOS app's bundle id, e.g. com.example.app [FERRY_APNS_BUNDLE_ID]
  --apns-sandbox        send APNs tokens that name no environment to the sandbox (development
                        builds) instead of production [FERRY_APNS_SANDBOX=1]
  --push-devices-per-user <n>
                        phones (FCM and APNs tokens) one user keeps; one more drops their least
                        recently registered [FERRY_PUSH_DEVICES_PER_USER] (default ${DEFAULT_MAX_DEVICES_PER_USER})
`;

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);

const APNS_FLAGS = [
  ['apns-key-file', 'FERRY_APNS_KEY_FILE'],
  ['apns-key-id', 'FERRY_APNS_KEY_ID'],
  ['apns-team-id', 'FERRY_APNS_TEAM_ID'],
  ['apns-bundle-id', 'FERRY_APNS_BUNDLE_ID'],
] as const;

function devices(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1)
    throw new FerryConfigError(
      '--push-devices-per-user',
      `--push-devices-per-user must be a whole number of at least 1, got "${text}"`,
    );
  return value;
}

/** Reads the native push flags; `text` gives a flag's value, or its environment variable's. */
export function parseNativePush(
  text: (flag: string, variable: string) => string | undefined,
  values: Readonly<Record<string, string | boolean | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
): NativePushConfig {
  const [keyFile, keyId, teamId, bundleId] = APNS_FLAGS.map(([flag, variable]) =>
    text(flag, variable),
  );
  const given = [keyFile, keyId, teamId, bundleId].filter((v) => v !== undefined).length;
  if (given > 0 && given < APNS_FLAGS.length) {
    const missing = APNS_FLAGS.filter(
      (_, n) => [keyFile, keyId, teamId, bundleId][n] === undefined,
    );
    throw new FerryConfigError(
      `--${missing[0]![0]}`,
      `APNs needs the .p8 key file, its key id, the team id and the bundle id together: also give ${missing.map(([flag, variable]) => `--${flag} (${variable})`).join(', ')}.`,
    );
  }
  const sandbox =
    values['apns-sandbox'] === true ||
    TRUE_VALUES.has((env.FERRY_APNS_SANDBOX ?? '').toLowerCase());
  return {
    nativePush: {
      fcmServiceAccountFile: text('fcm-service-account', 'FERRY_FCM_SERVICE_ACCOUNT'),
      apns:
        keyFile !== undefined &&
        keyId !== undefined &&
        teamId !== undefined &&
        bundleId !== undefined
          ? { keyFile, keyId, teamId, bundleId, sandbox }
          : undefined,
      devicesPerUser: devices(text('push-devices-per-user', 'FERRY_PUSH_DEVICES_PER_USER')),
    },
  };
}

function read(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new FerryConfigError(
      flag,
      `${flag}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
    );
  }
}

/** The server's `nativePush` option, reading the key files; undefined when neither service is configured. */
export function nativePushOptions(
  config: NativePushConfig['nativePush'],
): NativePushOptions | undefined {
  const { fcmServiceAccountFile: accountFile, apns } = config;
  if (accountFile === undefined && apns === undefined) return undefined;
  let serviceAccount: unknown;
  if (accountFile !== undefined) {
    try {
      serviceAccount = JSON.parse(read(accountFile, '--fcm-service-account'));
    } catch (error) {
      if (error instanceof FerryConfigError) throw error;
      throw new FerryConfigError(
        '--fcm-service-account',
        `--fcm-service-account: ${accountFile} is not JSON; give the key file the Firebase console's "Generate new private key" downloads.`,
      );
    }
  }
  return {
    ...(accountFile === undefined
      ? {}
      : // Checked field by field when the server starts.
        { fcm: { serviceAccount: serviceAccount as FcmServiceAccount } }),
    ...(apns === undefined
      ? {}
      : {
          apns: {
            keyId: apns.keyId,
            teamId: apns.teamId,
            bundleId: apns.bundleId,
            privateKey: read(apns.keyFile, '--apns-key-file'),
            production: !apns.sandbox,
          },
        }),
    ...(config.devicesPerUser === undefined ? {} : { maxDevicesPerUser: config.devicesPerUser }),
  };
}

/** What `ferry serve` says at start about native push. */
export function nativePushLine(options: NativePushOptions | undefined): string {
  if (options === undefined)
    return 'Native push: off (give --fcm-service-account or the --apns-* flags to wake phone apps)';
  const services = [
    options.fcm && 'FCM',
    options.apns &&
      `APNs for ${options.apns.bundleId} (${options.apns.production === false ? 'sandbox' : 'production'} by default)`,
  ].filter(Boolean);
  return `Native push: ${services.join(' and ')}`;
}
