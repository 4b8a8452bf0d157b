/** The agent's flags and output lines. */

import type { RunRecord, SyncProgress, SyncStatus } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { AgentUsageError, parseAgentArgs } from '../src/cli/args.ts';
import { createFirstSyncTally } from '../src/cli/progress.ts';
import { formatBytes, formatProgress, formatRun } from '../src/cli/report.ts';

const required = ['--url', 'http://127.0.0.1:8787', '--db', 'data.db', '--token', 't'];

describe('ferry agent flags', () => {
  it('reads flags, with environment variables as fallbacks and defaults', () => {
    expect(parseAgentArgs(required, {})).toMatchObject({
      url: 'http://127.0.0.1:8787',
      db: 'data.db',
      token: 't',
      spaces: undefined,
      minIntervalMs: 300_000,
      maxRunDurationMs: 60_000,
      live: true,
      once: false,
    });
    expect(
      parseAgentArgs(['--spaces', 'a, b', '--no-live', '--pull-limit', '200', '--once'], {
        FERRY_URL: 'https://x',
        FERRY_DB: 'f.db',
        FERRY_TOKEN_FILE: '/run/token',
      }),
    ).toMatchObject({
      url: 'https://x',
      tokenFile: '/run/token',
      spaces: ['a', 'b'],
      live: false,
      pullLimit: 200,
      once: true,
    });
    expect(
      parseAgentArgs(['--url', 'https://flag', '--db', 'd', '--token', 't'], {
        FERRY_URL: 'https://env',
      }),
    ).toMatchObject({ url: 'https://flag' });
    expect(parseAgentArgs(['-h'], {})).toBe('help');
  });

  it.each([
    [[], /--url/],
    [['--url', 'u'], /--db/],
    [['--url', 'u', '--db', 'd'], /token is required/],
    [[...required, '--min-interval-ms', '0'], /positive whole number/],
    [[...required, '--bogus'], /bogus/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseAgentArgs(argv, {})).toThrow(AgentUsageError);
    expect(() => parseAgentArgs(argv, {})).toThrow(message);
  });
});

const run: RunRecord = {
  id: 7,
  triggers: ['start', 'online'],
  startedAt: Date.UTC(2024, 0, 1, 12, 0, 0),
  endedAt: Date.UTC(2024, 0, 1, 12, 0, 1, 500),
  outcome: 'success',
  abortReason: null,
  pushed: 3,
  pulled: 12_345,
  rejected: 0,
  bytesSent: 500,
  bytesReceived: 2_400_000,
  reset: false,
  error: null,
};
const idle: SyncStatus = {
  phase: 'up-to-date',
  state: 'idle',
  nextRunAt: Date.UTC(2024, 0, 1, 12, 5, 1),
  attempt: 0,
  waitingFor: null,
  lastSuccessAt: run.endedAt,
  pendingCount: 0,
  lastError: null,
  live: 'open',
  liveRetryAt: null,
};

describe('ferry agent output', () => {
  it('prints one line per run', () => {
    expect(formatRun(run, idle)).toBe(
      '2024-01-01T12:00:00Z run 7 [start, online] ok in 1.5 s: pushed 3, pulled 12,345, 2.4 MB; next at 2024-01-01T12:05:01Z',
    );
    const failed: RunRecord = {
      ...run,
      outcome: 'failed',
      pulled: 0,
      error: {
        code: 'unavailable',
        message: 'database down',
        userMessage: 'The server is temporarily unavailable',
      },
    };
    expect(
      formatRun(failed, {
        ...idle,
        state: 'backing-off',
        nextRunAt: Date.UTC(2024, 0, 1, 12, 0, 5),
      }),
    ).toBe(
      '2024-01-01T12:00:00Z run 7 [start, online] failed (unavailable) in 1.5 s: pushed 3, pulled 0, 2.4 MB; retry at 2024-01-01T12:00:05Z — database down',
    );
    expect(
      formatRun(
        { ...run, outcome: 'aborted', abortReason: 'budget' },
        { ...idle, state: 'syncing' },
      ),
    ).toContain('stopped (budget) in 1.5 s: pushed 3, pulled 12,345, 2.4 MB; continuing now');
    expect(formatRun(run, { ...idle, state: 'waiting', waitingFor: 'network' })).toContain(
      'waiting for the network',
    );
  });

  it('prints progress and sizes', () => {
    const progress = { pushed: 0, pulled: 5_000, bytesReceived: 1_250_000, remaining: undefined };
    expect(formatProgress('first sync', progress)).toBe(
      '  first sync: 5,000 changes pulled (1.3 MB) so far',
    );
    expect([formatBytes(999), formatBytes(1_500), formatBytes(2_000_000)]).toEqual([
      '999 B',
      '1.5 kB',
      '2.0 MB',
    ]);
  });

  it('prints how far along a sync is when the server estimated what is left', () => {
    expect(
      formatProgress('first sync', {
        pushed: 2,
        pulled: 6_900,
        bytesReceived: 2_100_000,
        remaining: 3_100,
      }),
    ).toBe('  first sync: pushed 2, 6,900 of about 10,000 changes pulled (69%, 2.1 MB) so far');
    // Rounded down: 100% only once nothing is left.
    expect(
      formatProgress('run 4', { pushed: 0, pulled: 999, bytesReceived: 10, remaining: 1 }),
    ).toContain('999 of about 1,000 changes pulled (99%, 10 B)');
  });

  it('says the agent exits after a --once run instead of what comes next', () => {
    expect(formatRun(run, { ...idle, state: 'backing-off' }, true)).toMatch(/; exiting$/);
  });
});

describe('ferry agent first-sync count', () => {
  const progress = (
    runId: number,
    pulled: number,
    remaining: number | undefined,
  ): SyncProgress => ({
    runId,
    phase: 'pull',
    pushed: 0,
    pulled,
    rejected: 0,
    bytesSent: 0,
    bytesReceived: pulled * 100,
    reset: false,
    remaining,
    total: remaining === undefined ? undefined : pulled + remaining,
  });
  const ended = (id: number, outcome: RunRecord['outcome'], pulled: number): RunRecord => ({
    ...run,
    id,
    outcome,
    abortReason: outcome === 'aborted' ? 'budget' : null,
    pushed: 0,
    pulled,
    bytesReceived: pulled * 100,
  });

  it('adds the runs a first sync takes, so the count never restarts', () => {
    const tally = createFirstSyncTally();
    expect(tally.add(progress(1, 3_000, 7_000))).toMatchObject({ pulled: 3_000, remaining: 7_000 });
    tally.runEnded(ended(1, 'aborted', 3_400));
    // Run 2 starts its own count at zero; the agent's count goes on from 3,400.
    expect(tally.add(progress(2, 100, 6_500))).toEqual({
      pushed: 0,
      pulled: 3_500,
      bytesReceived: 350_000,
      remaining: 6_500,
    });
    tally.runEnded(ended(2, 'failed', 200));
    expect(tally.add(progress(3, 100, 6_300)).pulled).toBe(3_700);
  });

  it('starts again from zero after the first sync succeeded', () => {
    const tally = createFirstSyncTally();
    tally.runEnded(ended(1, 'aborted', 3_400));
    tally.runEnded(ended(2, 'success', 6_600));
    expect(tally.add(progress(3, 10, 0)).pulled).toBe(10);
  });
});
