/** What survives a restart: history, attempt count, backoff, and runs cut by a crash. */
import { describe, expect, it } from 'vitest';
import { FerryNetworkError } from '../../src/errors.ts';
import { parseSavedSchedule } from '../../src/scheduler/history.ts';
import { schedulerHarness } from '../support/scheduler-harness.ts';

const networkError = () =>
  new FerryNetworkError({ method: 'POST', url: 'u', aborted: false, cause: new Error('down') });

describe('scheduler durable state', () => {
  it('keeps the last N runs, oldest first, across a restart', async () => {
    const h = schedulerHarness({ schedule: { historySize: 3, minIntervalMs: 1_000 } });
    await h.scheduler.start();
    for (let i = 0; i < 5; i++) {
      await h.sim.settle();
      h.runs.at(-1)!.context.counters.pushed = i;
      h.runs.at(-1)!.succeed();
      await h.sim.advance(1_000);
    }
    const before = h.scheduler.history();
    expect(before.map((r) => [r.id, r.outcome])).toEqual([
      [4, 'success'],
      [5, 'success'],
      [6, 'running'],
    ]);
    const restarted = h.restart();
    await restarted.scheduler.start();
    expect(restarted.scheduler.history().map((r) => [r.id, r.outcome, r.pushed])).toEqual([
      [5, 'success', 4],
      [6, 'interrupted', 0],
      [7, 'running', 0],
    ]);
  });

  it('a run cut by a crash is marked interrupted, and the restart syncs at once', async () => {
    const h = schedulerHarness({ schedule: { minIntervalMs: 60 * 60_000 } });
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.scheduler.trigger('poke');
    await h.sim.advance(1_000);
    const restarted = h.restart();
    await restarted.scheduler.start();
    await restarted.sim.settle();
    // Fresh by the clock, but the interrupted run left the sync unfinished.
    expect(restarted.runs.map((r) => r.context.triggers)).toEqual([['start']]);
    expect(restarted.scheduler.history().map((r) => [r.triggers, r.outcome])).toEqual([
      [['poke'], 'interrupted'],
      [['start'], 'running'],
    ]);
  });

  it('keeps the attempt count and the backoff across a restart', async () => {
    const h = schedulerHarness({ schedule: { backoffInitialDelayMs: 10_000 } });
    await h.scheduler.start();
    await h.sim.settle();
    h.runs[0]!.fail(networkError());
    await h.sim.settle();
    const { nextRunAt } = h.scheduler.status();
    expect(nextRunAt).not.toBeNull();
    const restarted = h.restart();
    await restarted.scheduler.start();
    expect(restarted.scheduler.status()).toMatchObject({
      state: 'backing-off',
      attempt: 1,
      nextRunAt,
    });
    await restarted.sim.advanceUntil(() => restarted.runs.length > 0, 60_000);
    expect(restarted.sim.now()).toBe(nextRunAt);
    expect(restarted.runs[0]!.context.triggers).toEqual(['start']);
  });

  it('bounds a saved backoff that lies far ahead (a clock set back)', async () => {
    const h = schedulerHarness();
    h.storage.saved = {
      ...h.storage.saved,
      attempt: 3,
      incomplete: true,
      backoffUntil: h.sim.now() + 365 * 24 * 60 * 60_000,
    };
    await h.scheduler.start();
    expect(h.scheduler.status().nextRunAt).toBe(h.sim.now() + 60 * 60_000);
  });

  it('reads back garbage as defaults instead of failing', () => {
    expect(parseSavedSchedule('nonsense')).toMatchObject({ attempt: 0, runs: [], nextRunId: 1 });
    const parsed = parseSavedSchedule({
      attempt: -1,
      runs: [
        { id: 3, startedAt: 5, outcome: 'success', triggers: ['poke', 'bogus'] },
        { id: 'x' },
        null,
      ],
    });
    expect(parsed.attempt).toBe(0);
    expect(parsed.runs.map((r) => [r.id, r.triggers])).toEqual([[3, ['poke']]]);
    expect(parsed.nextRunId).toBe(4);
  });

  it('reads runs saved before push and background existed as they were, and new ones in order', () => {
    const parsed = parseSavedSchedule({
      nextRunId: 4,
      runs: [
        { id: 1, startedAt: 5, outcome: 'success', triggers: ['start', 'local-change', 'manual'] },
        { id: 2, startedAt: 6, outcome: 'success', triggers: ['manual', 'push', 'poke'] },
        { id: 3, startedAt: 7, outcome: 'failed', triggers: ['background'] },
      ],
    });
    expect(parsed.runs.map((r) => r.triggers)).toEqual([
      ['start', 'local-change', 'manual'],
      ['poke', 'push', 'manual'],
      ['background'],
    ]);
  });
});
