/**
 * How the bench turns a cell's rounds into one figure: the median with its range, and a
 * check that holds only if it held in every round; and how the report prints the range.
 */
import { describe, expect, it } from 'vitest';
import { PROFILES, type RunOptions } from '../bench/src/config.ts';
import { renderReport } from '../bench/src/report.ts';
import { median } from '../bench/src/stats.ts';
import { type CellResult, check } from '../bench/src/types.ts';
import { combineRounds, type WorkloadResult } from '../bench/src/workloads/harness.ts';

const round = (recordsPerSecond: number, ok = true): CellResult => ({
  system: 'ferry',
  storage: 'postgres',
  metrics: { recordsPerSecond },
  checks: [check('client holds every record, once', ok, ok ? 'expected 5, found 5' : 'found 4')],
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 30, 20])).toBe(25);
    expect(median([])).toBeNaN();
  });
});

describe('combineRounds', () => {
  it('reports the median of the rounds and their range', () => {
    const cell = combineRounds([round(25_000), round(31_000), round(28_000)]);
    expect(cell.metrics.recordsPerSecond).toBe(28_000);
    expect(cell.spread?.recordsPerSecond).toEqual([25_000, 31_000]);
    expect(cell.checks).toEqual([
      check('client holds every record, once', true, 'expected 5, found 5'),
    ]);
  });

  it('fails a check that failed in one round, and one that a failed round never ran', () => {
    const failedRound: CellResult = {
      system: 'ferry',
      storage: 'postgres',
      metrics: {},
      checks: [check('ran', false, 'server host exited')],
    };
    const cell = combineRounds([round(25_000), round(26_000, false), failedRound]);
    const byName = Object.fromEntries(cell.checks.map((c) => [c.name, c]));
    expect(byName['client holds every record, once']).toEqual(
      check('client holds every record, once', false, 'found 4'),
    );
    expect(byName.ran?.ok).toBe(false);
    // The figures come from the rounds that measured something.
    expect(cell.metrics.recordsPerSecond).toBe(25_500);
  });

  it('gives a single round no range', () => {
    const cell = combineRounds([round(25_000)]);
    expect(cell.metrics.recordsPerSecond).toBe(25_000);
    expect(cell.spread).toBeUndefined();
  });
});

describe('the report', () => {
  it('prints a figure measured in rounds with its range', () => {
    const run: RunOptions = {
      profile: 'smoke',
      sizes: PROFILES.smoke,
      workloads: ['W1'],
      systems: ['ferry'],
      databases: ['postgres'],
      inProcess: true,
      out: undefined,
      postgresUrl: '',
    };
    const result: WorkloadResult = {
      id: 'W1',
      title: 'Initial sync',
      description: '',
      metrics: [{ key: 'recordsPerSecond', label: 'records/s', better: 'higher' }],
      cells: [combineRounds([round(25_000), round(31_000), round(28_000)])],
      notes: [],
    };
    const report = renderReport({
      command: 'npm run bench',
      date: new Date(0),
      run,
      machine: {
        cpu: 'cpu',
        cores: 2,
        memoryGiB: 24,
        os: 'os',
        node: 'v20',
        postgres: 'PostgreSQL 15',
        packages: {},
      },
      results: [result],
      elapsedSeconds: 60,
      notes: '',
    });
    expect(report).toContain('| records/s | PostgreSQL | 28,000 (25,000–31,000) |');
  });
});
