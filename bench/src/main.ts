/**
 * `npm run bench -- [--quick]`: runs the workloads for Ferry and its peers side by side,
 * shows progress on stderr, writes docs/benchmarks.md, and exits non-zero when any
 * correctness check failed. It asserts no time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase } from '@ferry/server';
import { parseArgs } from './config.ts';
import { progress } from './progress.ts';
import { describeMachine, renderReport } from './report.ts';
import { failedChecks, runWorkloads } from './run.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const run = parseArgs(args, join(repoRoot, 'docs', 'benchmarks.md'));
// Paths on the command line are relative to where `npm run` was typed, not to bench/.
const fromCaller = (path: string) => resolve(process.env.INIT_CWD ?? process.cwd(), path);
if (run.out && args.includes('--out')) run.out = fromCaller(run.out);
// Only a whole run of the full profile replaces the published report (and the measurements
// behind it); other profiles, and runs narrowed to some workloads, systems, databases or
// sizes, write beside their results.
const narrowed = ['--only', '--systems', '--databases', '--set'].some((flag) =>
  args.includes(flag),
);
const resultsName = `${run.profile}${narrowed ? '-partial' : ''}`;
if ((run.profile !== 'full' || narrowed) && !args.includes('--out')) {
  run.out &&= join(repoRoot, 'bench', 'results', `${resultsName}.md`);
}

function currentCommit(): string | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot });
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages', 'bench/src'], {
      cwd: repoRoot,
    });
    return `${head.toString().trim()}${dirty.length > 0 ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return undefined;
  }
}

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

interface SavedRun {
  command: string;
  commit?: string;
  date: string;
  run: typeof run;
  machine: ReturnType<typeof describeMachine>;
  results: Awaited<ReturnType<typeof runWorkloads>>;
  elapsedSeconds: number;
}

function writeReport(saved: SavedRun, out: string): void {
  const notes = readFileSync(join(repoRoot, 'bench', 'notes.md'), 'utf8');
  writeFileSync(out, renderReport({ ...saved, date: new Date(saved.date), notes }));
  progress(`wrote ${out}`);
}

const renderFrom = args.indexOf('--render');
if (renderFrom >= 0) {
  // Re-renders a report from a saved run (e.g. after editing bench/notes.md), measuring nothing.
  const saved = JSON.parse(
    readFileSync(fromCaller(args[renderFrom + 1] ?? ''), 'utf8'),
  ) as SavedRun;
  writeReport(saved, run.out ?? join(repoRoot, 'docs', 'benchmarks.md'));
  process.exit(0);
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
const saved: SavedRun = {
  command: ['npm run bench', ...(args.length > 0 ? ['--', ...args] : [])].join(' '),
  commit: currentCommit(),
  date: date.toISOString(),
  run,
  machine: describeMachine(repoRoot, postgres),
  results,
  elapsedSeconds: (performance.now() - started) / 1000,
};
const failed = failedChecks(results);
if (run.out) {
  // The measurements behind the report, to re-render it with `--render` after editing the
  // notes. One JSON line (.ndjson), which the formatter leaves alone.
  // Kept next to a report written elsewhere (`--out`), so that a narrowed run never
  // replaces the measurements behind the published page.
  const json = args.includes('--out')
    ? run.out.replace(/(\.md)?$/, '.ndjson')
    : join(repoRoot, 'bench', 'results', `${resultsName}.ndjson`);
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify(saved)}\n`);
  writeReport(saved, run.out);
}
progress(`done in ${saved.elapsedSeconds.toFixed(0)} s`);
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
