/**
 * `ferry-agent status`: what an agent's store holds, for a developer: pending writes, the
 * last runs, rejections, the cursor's age and the records per collection. It opens the file
 * read-only (SQLite's WAL lets a reader in beside the one writer), so it can look at the
 * file of an agent that is running without taking its lock or changing a byte. It shows
 * what the agent has saved; the agent's live state (the event stream) stays in the agent.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CollectionSize, INSPECT_DEFAULTS, inspectStore } from '@ferry/client';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../sqlite-store.ts';
import type { AgentOutput } from './agent.ts';
import { AgentUsageError } from './args.ts';
import { formatSnapshot } from './status-report.ts';

export const STATUS_HELP = `Usage: ferry-agent status --db <file> [--json]

Shows what an agent's local database holds: pending writes, the last runs, rejections, the
cursor's age and the records per collection. Reads the file only: safe while an agent runs.

  --db <file>              the agent's database file                     FERRY_DB
  --json                   print the snapshot as JSON (the shape of client.inspect())
  --max-pending <n>        pending writes to list (default ${INSPECT_DEFAULTS.maxPending})
  --max-runs <n>           runs to list, newest first (default ${INSPECT_DEFAULTS.maxRuns})
  -h, --help               this text
`;

interface StatusConfig {
  db: string;
  json: boolean;
  maxPending: number;
  maxRuns: number;
}

function whole(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new AgentUsageError(`--${name} must be a whole number ≥ 0, got "${String(value)}".`);
  }
  return n;
}

export function parseStatusArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): StatusConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        json: { type: 'boolean' },
        'max-pending': { type: 'string' },
        'max-runs': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new AgentUsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  const db = (values.db as string | undefined) || env.FERRY_DB;
  if (db === undefined || db === '') throw new AgentUsageError('--db (or FERRY_DB) is required.');
  return {
    db,
    json: values.json === true,
    maxPending: whole('max-pending', values['max-pending'], INSPECT_DEFAULTS.maxPending),
    maxRuns: whole('max-runs', values['max-runs'], INSPECT_DEFAULTS.maxRuns),
  };
}

/** Records per collection in one query, on a read-only connection of its own. */
function countRecords(path: string): () => Promise<CollectionSize[]> {
  return async () => {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare(
          'SELECT space, collection, count(*) AS records FROM ferry_records GROUP BY space, collection',
        )
        .all() as CollectionSize[];
      return rows.map(({ space, collection, records }) => ({ space, collection, records }));
    } finally {
      db.close();
    }
  };
}

/** Runs `ferry-agent status`; resolves with the exit code. */
export async function statusMain(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: AgentOutput,
): Promise<number> {
  let config: StatusConfig | 'help';
  try {
    config = parseStatusArgs(argv, env);
  } catch (error) {
    if (!(error instanceof AgentUsageError)) throw error;
    io.err(`ferry-agent status: ${error.message} (see --help)`);
    return 2;
  }
  if (config === 'help') {
    io.out(STATUS_HELP);
    return 0;
  }
  if (!existsSync(config.db)) {
    io.err(`ferry-agent status: there is no database at ${config.db}.`);
    return 1;
  }
  let store: ReturnType<typeof openSqliteStore>;
  try {
    store = openSqliteStore(config.db, { readonly: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`ferry-agent status: cannot read ${config.db} as a Ferry store: ${message}`);
    return 1;
  }
  try {
    const snapshot = await inspectStore(store, {
      maxPending: config.maxPending,
      maxRuns: config.maxRuns,
      collectionSizes: countRecords(config.db),
    });
    if (config.json) io.out(JSON.stringify(snapshot, null, 2));
    else for (const line of formatSnapshot(snapshot, config.db)) io.out(line);
    return 0;
  } finally {
    await store.close();
  }
}
