/**
 * `npm run bench -- [--quick]`: runs the workloads for Ferry and its peers side by side,
 * shows progress on stderr, writes docs/benchmarks.md, and exits non-zero when any
 * correctness check failed. It asserts no time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase } from '@ferry/server';
import { parseArgs } from './config.ts';
import { progress } from './progress.ts';
import { describeMachine, renderReport } from './report.ts';
import { failedChecks, runWorkloads } from './run.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const run = parseArgs(args, join(repoRoot, 'docs', 'benchmarks.md'));

async function postgresVersion(): Promise<string> {
  const database = createPostgresDatabase({
    connectionString: run.postgresUrl,
    connectTimeoutMs: 3000,
  });
  try {
    const [row] = await database.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${row?.server_version ?? 'unknown'}`;
  } finally {
    await database.close();
  }
}

const started = performance.now();
const date = new Date();
progress(
  `profile ${run.profile}: ${run.workloads.join(', ')} for ${run.systems.join(', ')} on ${run.databases.join(', ')}`,
);
const postgres = run.databases.includes('postgres')
  ? await postgresVersion()
  : 'PostgreSQL not used';
const results = await runWorkloads(run);
const elapsedSeconds = (performance.now() - started) / 1000;
const failed = failedChecks(results);

if (run.out) {
  const notes = readFileSync(join(repoRoot, 'bench', 'notes.md'), 'utf8');
  const report = renderReport({
    command: ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' '),
    date,
    run,
    machine: describeMachine(repoRoot, postgres),
    results,
    elapsedSeconds,
    notes,
  });
  writeFileSync(run.out, report);
  progress(`wrote ${run.out}`);
}
progress(`done in ${elapsedSeconds.toFixed(0)} s`);
if (failed.length > 0) {
  process.stderr.write(
    `\n${failed.length} correctness check(s) failed:\n${failed.map((f) => `  ${f}`).join('\n')}\n`,
  );
  process.exitCode = 1;
} else {
  process.stderr.write('\nall correctness checks passed\n');
}
// Pools, agents and timers of the libraries measured must not keep the process alive.
process.exit();
