/**
 * `ferry serve` flags for who may do what: the tokens accepted (issuer, audience, longest
 * lifetime), who may read the metrics and where, and the checks that keep dev mode on the
 * developer's own machine. Pure, like the rest of the configuration.
 */
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../auth/jwt.ts';
import { SECRET_ADVICE, secretWeakness } from '../auth/secret-strength.ts';
import { FerryConfigError } from '../errors.ts';
import { isLoopbackHostname } from '../http/dev-hosts.ts';

export interface SecurityConfig {
  /** Required `iss` claim of tokens; not checked when absent. */
  jwtIssuer: string | undefined;
  /** Required `aud` claim of tokens; not checked when absent. */
  jwtAudience: string | undefined;
  /** Longest token lifetime accepted, in seconds; 0 for no limit. */
  maxTokenLifetimeSeconds: number;
  /** Bearer token `/metrics` requires. */
  metricsToken: string | undefined;
  /** A separate address serving only `/metrics`; the public one then does not. */
  metricsListen: { host: string; port: number } | undefined;
  /** Dev mode on a non-loopback address or on PostgreSQL, knowingly. */
  devUnsafe: boolean;
}

/** The flags, for `parseArgs`. */
export const SECURITY_FLAGS = {
  'jwt-issuer': { type: 'string' },
  'jwt-audience': { type: 'string' },
  'max-token-lifetime': { type: 'string' },
  'metrics-token': { type: 'string' },
  'metrics-listen': { type: 'string' },
  'dev-unsafe': { type: 'boolean' },
} as const;

export const SECURITY_HELP = `  --jwt-issuer <iss>    tokens must carry this "iss" claim [FERRY_JWT_ISSUER] (default not checked)
  --jwt-audience <aud>  tokens must carry this "aud" claim [FERRY_JWT_AUDIENCE] (default not checked)
  --max-token-lifetime <seconds>
                        refuse tokens without "exp" or expiring further than this from their
                        "iat" [FERRY_MAX_TOKEN_LIFETIME] (default ${DEFAULT_MAX_TOKEN_LIFETIME_SECONDS}, a day; 0: no limit)
  --metrics-token <t>   /metrics requires "Authorization: Bearer <t>" [FERRY_METRICS_TOKEN]
  --metrics-listen <host:port>
                        serve /metrics only on this separate address, e.g. 127.0.0.1:9464
                        [FERRY_METRICS_LISTEN]; with neither, production mode does not serve it
  --dev-unsafe          allow dev mode on a non-loopback --host or with a database URL; requests
                        addressed to an IP address are then answered too [FERRY_DEV_UNSAFE=1]
`;

const TRUE_VALUES = new Set(['1', 'true', 'yes', 'on']);

function lifetime(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const value = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value))
    throw new FerryConfigError(
      '--max-token-lifetime',
      `--max-token-lifetime must be a whole number of seconds (0 for no limit), got "${text}"`,
    );
  return value;
}

function metricsToken(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const weakness = secretWeakness(text);
  if (weakness !== undefined)
    throw new FerryConfigError(
      '--metrics-token',
      `the metrics token is too weak: ${weakness}. Use a random one: ${SECRET_ADVICE}.`,
    );
  return text;
}

function listenAddress(text: string | undefined): { host: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535)
    throw new FerryConfigError(
      '--metrics-listen',
      `--metrics-listen must be <host>:<port>, e.g. 127.0.0.1:9464 or [::1]:9464, got "${text}"`,
    );
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** Refuses dev mode where it would be reachable by others or hand out tokens to real data. */
function checkDevMode(
  dev: boolean,
  devUnsafe: boolean,
  host: string,
  databaseUrl: string | undefined,
): void {
  if (!dev) {
    if (devUnsafe)
      throw new FerryConfigError(
        '--dev-unsafe',
        '--dev-unsafe (FERRY_DEV_UNSAFE) only relaxes dev mode; without --dev it means nothing. Remove it.',
      );
    return;
  }
  if (devUnsafe) return;
  if (!isLoopbackHostname(host))
    throw new FerryConfigError(
      '--host',
      `dev mode mints tokens for anyone who can reach the server, so it binds only a loopback address, and --host (HOST) is "${host}", which other machines can reach. Leave HOST unset (dev mode binds 127.0.0.1), or, knowing that anyone on that network can read and write everything, add --dev-unsafe (FERRY_DEV_UNSAFE=1).`,
    );
  if (databaseUrl !== undefined)
    throw new FerryConfigError(
      '--database-url',
      'dev mode mints tokens for anyone, and DATABASE_URL (--database-url) names a PostgreSQL database, which may hold real data. Unset it to use the embedded database in the data folder, or, for a database of your own that holds nothing to protect, add --dev-unsafe (FERRY_DEV_UNSAFE=1).',
    );
}

/** Reads the security flags; `text` gives a flag's value, or its environment variable's. */
export function parseSecurity(
  text: (flag: string, variable: string) => string | undefined,
  values: Readonly<Record<string, string | boolean | undefined>>,
  env: Readonly<Record<string, string | undefined>>,
  mode: { dev: boolean; host: string; databaseUrl: string | undefined },
): SecurityConfig {
  const devUnsafe =
    values['dev-unsafe'] === true || TRUE_VALUES.has((env.FERRY_DEV_UNSAFE ?? '').toLowerCase());
  checkDevMode(mode.dev, devUnsafe, mode.host, mode.databaseUrl);
  return {
    jwtIssuer: text('jwt-issuer', 'FERRY_JWT_ISSUER'),
    jwtAudience: text('jwt-audience', 'FERRY_JWT_AUDIENCE'),
    maxTokenLifetimeSeconds: lifetime(text('max-token-lifetime', 'FERRY_MAX_TOKEN_LIFETIME')),
    metricsToken: metricsToken(text('metrics-token', 'FERRY_METRICS_TOKEN')),
    metricsListen: listenAddress(text('metrics-listen', 'FERRY_METRICS_LISTEN')),
    devUnsafe,
  };
}
