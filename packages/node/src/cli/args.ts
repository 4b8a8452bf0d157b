/** `ferry agent` flags and environment variables (flags win), checked before anything starts. */
import { parseArgs } from 'node:util';
import { SCHEDULE_DEFAULTS } from '@ferry/client';

export interface AgentConfig {
  url: string;
  db: string;
  token: string | undefined;
  tokenFile: string | undefined;
  spaces: string[] | undefined;
  minIntervalMs: number;
  maxRunDurationMs: number;
  pullLimit: number | undefined;
  pushBatchSize: number | undefined;
  live: boolean;
  once: boolean;
  verbose: boolean;
}

export class AgentUsageError extends Error {
  override readonly name = 'AgentUsageError';
}

export const AGENT_HELP = `Usage: ferry-agent --url <server> --db <file> --token <jwt> [options]
       ferry-agent status --db <file> [--json]   (what the file holds; see status --help)

Keeps a local SQLite database in sync with a Ferry server, in the background, until stopped
(Ctrl-C or SIGTERM: the run in flight finishes or is aborted, nothing is lost).

  --url <url>              server base URL, with any mount prefix        FERRY_URL
  --db <file>              the local database file (created if missing)  FERRY_DB
  --token <jwt>            bearer token                                  FERRY_TOKEN
  --token-file <file>      read the token from a file, again after a 401 FERRY_TOKEN_FILE
  --spaces <a,b>           spaces to keep (default: all of the token's)  FERRY_SPACES
  --min-interval-ms <ms>   sync at least this often (default ${SCHEDULE_DEFAULTS.minIntervalMs})
  --max-run-ms <ms>        longest background run before it is cut and continued (default ${SCHEDULE_DEFAULTS.maxRunDurationMs})
  --pull-limit <n>         changes per pull page (default 1000)
  --push-batch-size <n>    mutations per push request (default 500)
  --no-live                no event stream: sync on the interval only
  --once                   sync once to the end in one run (no time limit), print its line and
                           exit: 0 on success, 1 on failure; progress goes to stderr
  --verbose                log the client's warnings and details to stderr
  -h, --help               this text
`;

function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new AgentUsageError(`--${name} must be a positive whole number, got "${value}".`);
  }
  return n;
}

/** Parses the flags; returns 'help' for -h/--help. */
export function parseAgentArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): AgentConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        url: { type: 'string' },
        db: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        spaces: { type: 'string' },
        'min-interval-ms': { type: 'string' },
        'max-run-ms': { type: 'string' },
        'pull-limit': { type: 'string' },
        'push-batch-size': { type: 'string' },
        'no-live': { type: 'boolean' },
        once: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new AgentUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const string = (name: string, envName: string): string | undefined => {
    const value = values[name] ?? env[envName];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const url = string('url', 'FERRY_URL');
  const db = string('db', 'FERRY_DB');
  if (url === undefined) throw new AgentUsageError('--url (or FERRY_URL) is required.');
  if (db === undefined) throw new AgentUsageError('--db (or FERRY_DB) is required.');
  const token = string('token', 'FERRY_TOKEN');
  const tokenFile = string('token-file', 'FERRY_TOKEN_FILE');
  if (token === undefined && tokenFile === undefined) {
    throw new AgentUsageError(
      'a token is required: --token, --token-file, FERRY_TOKEN or FERRY_TOKEN_FILE.',
    );
  }
  const spaces = string('spaces', 'FERRY_SPACES')
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return {
    url,
    db,
    token,
    tokenFile,
    spaces: spaces === undefined || spaces.length === 0 ? undefined : spaces,
    minIntervalMs:
      positive('min-interval-ms', values['min-interval-ms'] as string | undefined) ??
      SCHEDULE_DEFAULTS.minIntervalMs,
    maxRunDurationMs:
      positive('max-run-ms', values['max-run-ms'] as string | undefined) ??
      SCHEDULE_DEFAULTS.maxRunDurationMs,
    pullLimit: positive('pull-limit', values['pull-limit'] as string | undefined),
    pushBatchSize: positive('push-batch-size', values['push-batch-size'] as string | undefined),
    live: values['no-live'] !== true,
    once: values.once === true,
    verbose: values.verbose === true,
  };
}
