/**
 * `ferry agent`: keeps a local SQLite file in sync with a server until stopped. One line
 * per run; progress lines during the first sync (counted across the runs it takes, with a
 * percentage when the server estimates what is left) and any run longer than a few seconds.
 * `--once`: one run with no time budget, its line on stdout, progress on stderr, then exit.
 * `ferry-agent status`: what the store holds, read without disturbing a running agent.
 */
import { readFileSync } from 'node:fs';
import { createClient, type FerryClient, type Logger, type TokenProvider } from '@ferry/client';
import { createNodeEnvironment } from '../environment.ts';
import { closeOnSignals } from '../shutdown.ts';
import { openSqliteStore } from '../sqlite-store.ts';
import { AGENT_HELP, type AgentConfig, AgentUsageError, parseAgentArgs } from './args.ts';
import { createFirstSyncTally } from './progress.ts';
import { formatProgress, formatRun } from './report.ts';
import { statusMain } from './status.ts';

export interface AgentOutput {
  out(line: string): void;
  err(line: string): void;
}

const standardOutput: AgentOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Progress is shown for the first sync, and for any run that lasts longer than this. */
const SLOW_RUN_MS = 2_000;
/** At most one progress line this often. */
const PROGRESS_EVERY_MS = 1_000;
/**
 * `--once` runs to the end: its budget is the longest a timer can wait (about 24.8 days),
 * which the scheduler treats as its cap anyway.
 */
const ONCE_RUN_BUDGET_MS = 2_147_483_647;

function tokenProvider(config: AgentConfig): TokenProvider {
  const { token, tokenFile } = config;
  if (tokenFile !== undefined) {
    // Read on every request that needs it, so a rotated file is picked up after a 401.
    return () => readFileSync(tokenFile, 'utf8').trim();
  }
  return () => token ?? '';
}

function stderrLogger(io: AgentOutput): Logger {
  const line =
    (level: string): Logger['info'] =>
    (fieldsOrMessage: Record<string, unknown> | string, message?: string) =>
      io.err(
        typeof fieldsOrMessage === 'string'
          ? `${level} ${fieldsOrMessage}`
          : `${level} ${message} ${JSON.stringify(fieldsOrMessage)}`,
      );
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * Prints the agent's lines. With `once`, the run's line is the only one on stdout and
 * everything else (progress, waiting) goes to stderr, so a script can read the result.
 */
function report(client: FerryClient, io: AgentOutput, once: boolean): void {
  const aside = once ? io.err : io.out;
  const tally = createFirstSyncTally();
  let runStartedAt = 0;
  let lastProgressAt = 0;
  let lastState = client.getStatus().state;
  client.subscribeStatus((status) => {
    if (status.state === 'syncing' && lastState !== 'syncing') runStartedAt = Date.now();
    if (status.state === 'waiting' && lastState !== 'waiting') {
      aside(`waiting for ${status.waitingFor === 'network' ? 'the network' : status.waitingFor}…`);
    }
    lastState = status.state;
  });
  client.on('progress', (progress) => {
    const now = Date.now();
    const firstSync = client.getStatus().lastSuccessAt === null;
    const total = firstSync ? tally.add(progress) : progress;
    const show = firstSync || now - runStartedAt >= SLOW_RUN_MS;
    if (!show || now - lastProgressAt < PROGRESS_EVERY_MS) return;
    lastProgressAt = now;
    aside(formatProgress(firstSync ? 'first sync' : `run ${progress.runId}`, total));
  });
  client.on('run', (run) => {
    tally.runEnded(run);
    io.out(formatRun(run, client.getStatus(), once));
  });
}

/** Runs the agent; resolves with the exit code once it has stopped. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
  io: AgentOutput = standardOutput,
): Promise<number> {
  if (argv[0] === 'status') return statusMain(argv.slice(1), env, io);
  let config: AgentConfig | 'help';
  try {
    config = parseAgentArgs(argv, env);
  } catch (error) {
    if (!(error instanceof AgentUsageError)) throw error;
    io.err(`ferry agent: ${error.message} (see --help)`);
    return 2;
  }
  if (config === 'help') {
    io.out(AGENT_HELP);
    return 0;
  }

  const store = openSqliteStore(config.db);
  const client = createClient({
    url: config.url,
    store,
    getToken: tokenProvider(config),
    spaces: config.spaces,
    live: config.live && !config.once,
    environment: createNodeEnvironment(),
    schedule: {
      minIntervalMs: config.minIntervalMs,
      maxRunDurationMs: config.once ? ONCE_RUN_BUDGET_MS : config.maxRunDurationMs,
      triggers: config.once ? [] : undefined,
    },
    ...(config.pullLimit === undefined ? {} : { pullLimit: config.pullLimit }),
    ...(config.pushBatchSize === undefined ? {} : { pushBatchSize: config.pushBatchSize }),
    ...(config.verbose ? { logger: stderrLogger(io) } : {}),
  });
  report(client, io, config.once);

  if (config.once) {
    // The first run to end is the one: a failure is not retried, since the agent exits.
    const ended = new Promise<boolean>((resolve) =>
      client.on('run', (run) => resolve(run.outcome === 'success')),
    );
    client.sync().catch(() => {});
    const ok = await ended;
    await client.close();
    await store.close();
    return ok ? 0 : 1;
  }

  io.out(
    `ferry agent: keeping ${config.db} in sync with ${config.url} (spaces: ${config.spaces?.join(', ') ?? "all of the token's"}; live: ${config.live ? 'on' : 'off'}). Stop with Ctrl-C.`,
  );
  const handling = closeOnSignals(client, {
    onSignal: (signal) => io.out(`received ${signal}: finishing the run in flight, then stopping…`),
  });
  const signal = await handling.stopped;
  handling.dispose();
  await store.close();
  io.out(`stopped on ${signal}; everything synced so far is in ${config.db}.`);
  return 0;
}
