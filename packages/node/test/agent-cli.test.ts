/** The agent's flags and output lines. */

import type { RunRecord, SyncStatus } from '@ferry/client';
import { describe, expect, it } from 'vitest';
import { AgentUsageError, parseAgentArgs } from '../src/cli/args.ts';
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
  state: 'idle',
  nextRunAt: Date.UTC(2024, 0, 1, 12, 5, 1),
  attempt: 0,
  waitingFor: null,
  lastSuccessAt: run.endedAt,
  pendingCount: 0,
  lastError: null,
  live: 'open',
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
      error: { code: 'unavailable', message: 'database down' },
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
    expect(
      formatProgress(
        {
          runId: 1,
          phase: 'pull',
          pushed: 0,
          pulled: 5_000,
          rejected: 0,
          bytesSent: 1,
          bytesReceived: 1_250_000,
          reset: false,
        },
        true,
      ),
    ).toBe('  first sync: 5,000 changes pulled (1.3 MB) so far');
    expect([formatBytes(999), formatBytes(1_500), formatBytes(2_000_000)]).toEqual([
      '999 B',
      '1.5 kB',
      '2.0 MB',
    ]);
  });
});
