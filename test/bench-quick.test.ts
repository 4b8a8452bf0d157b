/**
 * The bench's smallest profile, in this process: every workload for Ferry and each peer,
 * on PostgreSQL when it answers (PGlite otherwise), with the bench's own correctness
 * checks — counts match on server and client, nothing lost or duplicated. No time is
 * asserted: the figures are the bench's business (`npm run bench`). The workloads measured
 * in Chromium are left to `npm run bench -- --quick`.
 */
import { createPostgresDatabase } from '@ferry/server';
import { expect, it } from 'vitest';
import {
  BROWSER_WORKLOADS,
  PROFILES,
  type RunOptions,
  SYSTEMS,
  WORKLOADS,
} from '../bench/src/config.ts';
import { setQuiet } from '../bench/src/progress.ts';
import { failedChecks, runWorkloads } from '../bench/src/run.ts';

const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresAnswers(): Promise<boolean> {
  const database = createPostgresDatabase({
    connectionString: postgresUrl,
    connectTimeoutMs: 2000,
  });
  try {
    await database.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await database.close();
  }
}

it('runs every bench workload at its smallest size and every correctness check passes', async () => {
  setQuiet(process.env.BENCH_PROGRESS !== '1');
  const run: RunOptions = {
    profile: 'smoke',
    sizes: structuredClone(PROFILES.smoke),
    workloads: WORKLOADS.filter((w) => !BROWSER_WORKLOADS.includes(w)),
    systems: [...SYSTEMS],
    databases: [(await postgresAnswers()) ? 'postgres' : 'pglite'],
    inProcess: true,
    out: undefined,
    postgresUrl,
  };
  const results = await runWorkloads(run);
  expect(results.map((r) => r.id)).toEqual([
    'W1',
    'W2',
    'W3',
    'W3L',
    'W4',
    'W4D',
    'W5',
    'FANOUT',
    'RECOVER',
    'W7',
    'W8',
  ]);
  expect(failedChecks(results)).toEqual([]);
  for (const result of results) {
    // FANOUT leaves PouchDB out and RECOVER the floor (see their notes); W4D has a
    // column per way Ferry sends.
    const systems =
      result.id === 'FANOUT'
        ? SYSTEMS.length - 1
        : result.id === 'RECOVER'
          ? SYSTEMS.length - 1
          : result.id === 'W4D'
            ? (result.columns?.length ?? 0)
            : SYSTEMS.length;
    expect(result.cells.length).toBeGreaterThanOrEqual(systems);
    for (const cell of result.cells) expect(cell.checks.length).toBeGreaterThan(0);
  }
}, 120_000);
