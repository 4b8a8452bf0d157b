/**
 * `ferry serve` configuration from flags and environment variables (flags win). Pure: it
 * reads nothing but its arguments, so every rule here is unit-tested.
 */
import { parseArgs } from 'node:util';
import { SECRET_ADVICE, secretWeakness } from '../auth/secret-strength.ts';
import { FerryConfigError } from '../errors.ts';
import type { CompressionMode } from '../http/compression.ts';
import { LIMIT_FLAGS, LIMITS_HELP, type LimitsConfig, parseLimits } from './limits.ts';
import {
  NATIVE_PUSH_FLAGS,
  NATIVE_PUSH_HELP,
  type NativePushConfig,
  parseNativePush,
} from './native-push.ts';
import { parseSecurity, SECURITY_FLAGS, SECURITY_HELP, type SecurityConfig } from './security.ts';
import { parseWebPush, WEB_PUSH_FLAGS, WEB_PUSH_HELP, type WebPushConfig } from './web-push.ts';

export interface ServeConfig extends LimitsConfig, WebPushConfig, NativePushConfig, SecurityConfig {
  port: number;
  host: string;
  /** PostgreSQL connection string; when absent, embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema for Ferry's tables. */
  databaseSchema: string;
  dataDir: string;
  /** PostgreSQL settings for the embedded database, over Ferry's (`createPGliteDatabase`'s `settings`). */
  pgliteSettings: Record<string, string>;
  jwtSecret: string | undefined;
  dev: boolean;
  /** When large push and pull answers are compressed (the server's `compression` option). */
  compression: CompressionMode;
  logLevel: string;
  /** A folder of built web files to serve at `/` next to the API (e.g. a PWA's `dist`). */
  staticDir: string | undefined;
  /** Web Push VAPID settings; keys are generated and kept in the database when not given. */
  vapid: {
    subject: string | undefined;
    publicKey: string | undefined;
    privateKey: string | undefined;
  };
}

export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = './.ferry-data';

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);
const FALSE_VALUES = new Set(['0', 'false', 'no', 'off']);
const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const SERVE_HELP = `Usage: ferry serve [options]

Options (each also read from the environment variable in brackets):
  --port <n>            port to listen on [PORT] (default ${DEFAULT_PORT}; 0 picks a free one)
  --host <addr>         address to bind [HOST] (default 127.0.0.1 in dev mode, 0.0.0.0 otherwise)
  --database-url <url>  PostgreSQL connection string [DATABASE_URL]
  --database-schema <s> PostgreSQL schema for Ferry's tables [FERRY_DATABASE_SCHEMA] (default public)
  --data-dir <dir>      embedded PGlite data folder when no database URL is given [FERRY_DATA_DIR]
                        (default ${DEFAULT_DATA_DIR})
  --pglite-settings <name=value,…>  PostgreSQL settings for the embedded database, over
                        Ferry's, e.g. shared_buffers=64MB [FERRY_PGLITE_SETTINGS]
  --jwt-secret <s>      HS256 secret for bearer tokens, at least 32 random bytes, e.g. from
                        \`openssl rand -base64 48\` [FERRY_JWT_SECRET] (required in production;
                        dev mode generates one and keeps it in the data folder)
  --dev                 dev mode: POST /v1/dev/token mints tokens for anyone; only on a loopback
                        host, with the embedded database, for requests to localhost [FERRY_DEV=1]
${SECURITY_HELP}  --vapid-subject <s>   contact for push services, mailto: or https: [FERRY_VAPID_SUBJECT]
                        VAPID keys come from FERRY_VAPID_PUBLIC_KEY and FERRY_VAPID_PRIVATE_KEY,
                        or are generated on first start and kept in the database
${WEB_PUSH_HELP}${NATIVE_PUSH_HELP}  --compression <mode>  compress push and pull answers: auto (default: not for clients on this
                        machine or a private network), always, or never [FERRY_COMPRESSION]
  --no-compression      the same as --compression never (e.g. behind a compressing proxy)
  --static-dir <dir>    serve this folder's files at / next to the API, index.html for app
                        routes (e.g. a built PWA) [FERRY_STATIC_DIR]
  --log-level <level>   fatal, error, warn, info, debug, trace or silent [LOG_LEVEL] (default info)
${LIMITS_HELP}  -h, --help            show this help
`;

/** `name=value,…`; each value's form is PostgreSQL's to check, at start. */
function parsePgliteSettings(list: string | undefined): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of (list ?? '').split(',').filter((item) => item.trim() !== '')) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    if (at <= 0 || name === '' || pair.slice(at + 1).trim() === '')
      throw new FerryConfigError(
        '--pglite-settings',
        `PGlite settings are name=value pairs separated by commas, e.g. shared_buffers=64MB,work_mem=4MB; got "${pair}"`,
      );
    settings[name] = pair.slice(at + 1).trim();
  }
  return settings;
}

/** `auto`, `always` or `never` (also 1/0, true/false, on/off for the last two). */
function parseCompression(value: string | undefined, fromFlag: boolean): CompressionMode {
  const mode = (value ?? 'auto').toLowerCase();
  if (mode === 'auto') return 'auto';
  if (mode === 'always' || TRUE_VALUES.has(mode)) return true;
  if (mode === 'never' || FALSE_VALUES.has(mode)) return false;
  const name = fromFlag ? '--compression' : 'FERRY_COMPRESSION';
  throw new FerryConfigError(
    name,
    `${name} must be auto, always or never (or 1/0, true/false), got "${value}"`,
  );
}

export function parseServeConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServeConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'database-url': { type: 'string' },
        'database-schema': { type: 'string' },
        'data-dir': { type: 'string' },
        'pglite-settings': { type: 'string' },
        'jwt-secret': { type: 'string' },
        dev: { type: 'boolean' },
        'log-level': { type: 'string' },
        'vapid-subject': { type: 'string' },
        'static-dir': { type: 'string' },
        compression: { type: 'string' },
        'no-compression': { type: 'boolean' },
        ...LIMIT_FLAGS,
        ...SECURITY_FLAGS,
        ...WEB_PUSH_FLAGS,
        ...NATIVE_PUSH_FLAGS,
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new FerryConfigError('argv', `${(error as Error).message}\n\n${SERVE_HELP}`);
  }
  const text = (flag: string, variable: string) => {
    const value = (values[flag] as string | undefined) ?? env[variable];
    return value === '' ? undefined : value;
  };

  const portText = text('port', 'PORT') ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new FerryConfigError(
      '--port',
      `port must be an integer from 0 to 65535 (0 picks a free one), got "${portText}"`,
    );

  const dev = values.dev === true || TRUE_VALUES.has((env.FERRY_DEV ?? '').toLowerCase());
  const compression: CompressionMode =
    values['no-compression'] === true
      ? false
      : parseCompression(
          text('compression', 'FERRY_COMPRESSION'),
          values.compression !== undefined,
        );
  const logLevel = text('log-level', 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.has(logLevel))
    throw new FerryConfigError(
      '--log-level',
      `log level must be one of ${[...LOG_LEVELS].join(', ')}, got "${logLevel}"`,
    );

  const jwtSecret = text('jwt-secret', 'FERRY_JWT_SECRET');
  if (!dev && jwtSecret === undefined) {
    throw new FerryConfigError(
      '--jwt-secret',
      'no JWT secret: set FERRY_JWT_SECRET (or --jwt-secret) to a random string of at least 32 bytes, ' +
        'e.g. `openssl rand -base64 48`. For local development only, start with --dev to generate one.',
    );
  }
  const weakness = jwtSecret === undefined ? undefined : secretWeakness(jwtSecret);
  if (weakness !== undefined) {
    throw new FerryConfigError(
      '--jwt-secret',
      `the JWT secret is too weak: ${weakness}. Use a random one: ${SECRET_ADVICE}.`,
    );
  }
  const host = text('host', 'HOST') ?? (dev ? '127.0.0.1' : '0.0.0.0');
  const databaseUrl = text('database-url', 'DATABASE_URL');

  return {
    port,
    host,
    databaseUrl,
    databaseSchema: text('database-schema', 'FERRY_DATABASE_SCHEMA') ?? 'public',
    dataDir: text('data-dir', 'FERRY_DATA_DIR') ?? DEFAULT_DATA_DIR,
    pgliteSettings: parsePgliteSettings(text('pglite-settings', 'FERRY_PGLITE_SETTINGS')),
    jwtSecret,
    dev,
    compression,
    logLevel,
    staticDir: text('static-dir', 'FERRY_STATIC_DIR'),
    ...parseLimits(text),
    ...parseSecurity(text, values, env, { dev, host, databaseUrl }),
    vapid: {
      subject: text('vapid-subject', 'FERRY_VAPID_SUBJECT'),
      publicKey: env.FERRY_VAPID_PUBLIC_KEY || undefined,
      privateKey: env.FERRY_VAPID_PRIVATE_KEY || undefined,
    },
    ...parseWebPush(text),
    ...parseNativePush(text, values, env),
  };
}
