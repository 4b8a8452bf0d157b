/** Which triggers start a run, when, and how triggers during a run fold into one follow-up. */
import { describe, expect, it } from 'vitest';
import { schedulerHarness } from '../support/scheduler-harness.ts';

const MINUTE = 60_000;

describe('scheduler triggers', () => {
  it('start: syncs at once when never synced, and records the trigger', async () => {
    const h = schedulerHarness();
    await h.scheduler.start();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['start']]);
    expect(h.scheduler.status().state).toBe('syncing');
    h.runs[0]!.succeed();
    await h.sim.settle();
    expect(h.scheduler.status()).toMatchObject({ state: 'idle', lastSuccessAt: h.sim.now() });
    expect(h.ended.map((r) => [r.triggers, r.outcome])).toEqual([[['start'], 'success']]);
  });

  it('start: does not sync when the last success is fresh, and plans the interval run', async () => {
    const h = schedulerHarness({ schedule: { minIntervalMs: 5 * MINUTE } });
    h.storage.lastSuccessAt = h.sim.now() - MINUTE;
    await h.scheduler.start();
    expect(h.runs).toEqual([]);
    expect(h.scheduler.status()).toMatchObject({
      state: 'idle',
      nextRunAt: h.sim.now() + 4 * MINUTE,
    });
    await h.sim.advance(4 * MINUTE - 1);
    expect(h.runs).toEqual([]);
    await h.sim.advance(1);
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['interval']]);
  });

  it('interval: runs every minIntervalMs after each success', async () => {
    const h = schedulerHarness({ schedule: { minIntervalMs: 10_000 } });
    await h.scheduler.start();
    for (let i = 0; i < 3; i++) {
      await h.sim.advance(2_000);
      h.runs.at(-1)!.succeed();
      await h.sim.settle();
      expect(h.scheduler.status().nextRunAt).toBe(h.sim.now() + 10_000);
      await h.sim.advance(10_000);
    }
    expect(h.runs.map((r) => [r.context.triggers, r.startedAt - h.runs[0]!.startedAt])).toEqual([
      [['start'], 0],
      [['interval'], 12_000],
      [['interval'], 24_000],
      [['interval'], 36_000],
    ]);
  });

  it('waits longer than a platform timer can (2^31 − 1 ms) without firing early', async () => {
    const days = 24 * 60 * MINUTE;
    const h = schedulerHarness({ schedule: { minIntervalMs: 40 * days } });
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    expect(Math.max(...h.sim.pendingTimers().map((t) => t.delayMs))).toBeLessThanOrEqual(
      2 ** 31 - 1,
    );
    await h.sim.advance(40 * days - 1);
    expect(h.runs).toEqual([]);
    await h.sim.advance(1);
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['interval']]);
  });

  it('visible and online are only opportunities: they sync stale data, not fresh data', async () => {
    const h = schedulerHarness({
      schedule: { minIntervalMs: 10 * MINUTE, triggers: ['visible', 'online'] },
    });
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.sim.hide();
    h.sim.show();
    h.sim.goOffline();
    h.sim.goOnline();
    await h.sim.settle();
    expect(h.runs).toEqual([]);
    await h.sim.advance(10 * MINUTE);
    expect(h.runs).toEqual([]); // interval is off here
    h.sim.hide();
    h.sim.show();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['visible']]);
  });

  it('manual and poke bypass staleness', async () => {
    const h = schedulerHarness();
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    const manual = h.scheduler.requestRun();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['manual']]);
    h.runs[0]!.succeed();
    expect((await manual).outcome).toBe('success');
    h.scheduler.trigger('poke');
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['manual'], ['poke']]);
  });

  it('local-change: by default a write runs at once, and writes during a run go together in the next', async () => {
    const h = schedulerHarness();
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.pending.value = true;
    h.scheduler.trigger('local-change');
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['local-change']]);
    expect(h.sim.pendingTimers().map((t) => t.delayMs)).not.toContain(0);
    for (let i = 0; i < 5; i++) {
      h.scheduler.trigger('local-change');
      await h.sim.settle();
    }
    expect(h.runs).toHaveLength(1);
    h.runs[0]!.succeed();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['local-change'], ['local-change']]);
    h.runs[1]!.succeed();
    h.pending.value = false;
    await h.sim.settle();
    h.scheduler.trigger('local-change');
    await h.sim.advance(60_000);
    expect(h.runs).toHaveLength(2);
  });

  it('poke: one the client already holds starts no run, and one that waited for a run is dropped when that run brought it', async () => {
    const h = schedulerHarness();
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.pokeWanted.value = false;
    h.scheduler.trigger('poke');
    await h.sim.advance(1_000);
    expect(h.runs).toEqual([]);

    h.pokeWanted.value = true;
    void h.scheduler.requestRun();
    await h.sim.settle();
    h.scheduler.trigger('poke');
    h.pokeWanted.value = false; // the run in flight brought what the poke announced
    h.runs[0]!.succeed();
    await h.sim.advance(1_000);
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['manual']]);

    // One the run did not bring still runs after it.
    void h.scheduler.requestRun();
    await h.sim.settle();
    h.pokeWanted.value = true;
    h.scheduler.trigger('poke');
    h.runs[1]!.succeed();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['manual'], ['manual'], ['poke']]);
  });

  it('poke: one waiting out a backoff is dropped if what it announced arrived meanwhile', async () => {
    const h = schedulerHarness({ schedule: { backoffInitialDelayMs: 10_000 } });
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    void h.scheduler.requestRun().catch(() => {});
    await h.sim.settle();
    h.runs[0]!.fail(new TypeError('fetch failed'));
    await h.sim.settle();
    expect(h.scheduler.status().state).toBe('backing-off');
    h.scheduler.trigger('poke');
    h.pokeWanted.value = false; // a poke's changes were applied meanwhile
    await h.sim.advance(10_000);
    // The retry still comes, with the failed run's trigger, and without the poke.
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['manual'], ['manual']]);
  });

  it('local-change: with localChangeDelayMs, debounced, runs with pending mutations even when fresh, not without', async () => {
    const h = schedulerHarness({ schedule: { localChangeDelayMs: 1_000 } });
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.pending.value = true;
    for (let i = 0; i < 5; i++) {
      h.scheduler.trigger('local-change');
      await h.sim.advance(500);
    }
    expect(h.runs).toEqual([]);
    expect(h.scheduler.status().nextRunAt).toBe(h.sim.now() + 500);
    await h.sim.advance(500);
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['local-change']]);
    h.runs[0]!.succeed();
    h.pending.value = false;
    await h.sim.settle();
    h.scheduler.trigger('local-change');
    await h.sim.advance(1_000);
    expect(h.runs).toHaveLength(1);
  });

  it('local-change: with localChangeDelayMs, a steady stream of writes still syncs within ten delays', async () => {
    const h = schedulerHarness({ schedule: { localChangeDelayMs: 1_000 } });
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.pending.value = true;
    const firstWriteAt = h.sim.now();
    while (h.runs.length === 0) {
      h.scheduler.trigger('local-change');
      await h.sim.advance(100);
    }
    expect(h.runs[0]!.startedAt - firstWriteAt).toBe(10_000);
  });

  it('never runs two at once: triggers during a run fold into one follow-up', async () => {
    const h = schedulerHarness();
    await h.scheduler.start();
    await h.sim.settle();
    h.pending.value = true;
    const manual = [h.scheduler.requestRun(), h.scheduler.requestRun()];
    h.scheduler.trigger('poke');
    h.scheduler.trigger('poke');
    h.scheduler.trigger('local-change');
    await h.sim.advance(5_000);
    expect(h.active()).toHaveLength(1);
    h.runs[0]!.succeed();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([
      ['start'],
      ['poke', 'local-change', 'manual'],
    ]);
    h.runs[1]!.succeed();
    const records = await Promise.all(manual);
    expect(records.map((r) => r.id)).toEqual([2, 2]);
    await h.sim.advance(60_000);
    expect(h.runs).toHaveLength(2);
  });

  it('a trigger arriving before the run has started its work joins that run', async () => {
    const h = schedulerHarness();
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.scheduler.trigger('poke');
    const manual = h.scheduler.requestRun();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['poke', 'manual']]);
    h.runs[0]!.succeed();
    expect((await manual).triggers).toEqual(['poke', 'manual']);
  });

  it('honours the triggers option: disabled triggers start nothing, manual always works', async () => {
    const h = schedulerHarness({ schedule: { triggers: [] } });
    await h.scheduler.start();
    h.pending.value = true;
    h.scheduler.trigger('poke');
    h.scheduler.trigger('local-change');
    h.sim.hide();
    h.sim.show();
    await h.sim.advance(60 * MINUTE);
    expect(h.runs).toEqual([]);
    expect(h.scheduler.status().nextRunAt).toBeNull();
    void h.scheduler.requestRun();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['manual']]);
  });

  it('reports capabilities of the runtime', () => {
    const h = schedulerHarness();
    expect(h.scheduler.capabilities()).toEqual({
      triggers: {
        start: true,
        online: true,
        interval: true,
        visible: true,
        poke: true,
        'local-change': true,
        background: true,
        push: true,
        manual: true,
      },
      constraints: { network: true, unmetered: true, battery: true },
    });
  });

  it('stop aborts the run under way, records it, and rejects waiting manual requests', async () => {
    const h = schedulerHarness();
    await h.scheduler.start();
    const manual = h.scheduler.requestRun();
    await h.sim.settle();
    await h.scheduler.stop();
    await expect(manual).rejects.toThrow('closed');
    expect(h.scheduler.status().state).toBe('stopped');
    expect(h.ended.map((r) => [r.outcome, r.abortReason])).toEqual([['aborted', 'closed']]);
    expect(h.storage.saved.runs.map((r) => r.outcome)).toEqual(['aborted']);
    expect(h.sim.pendingTimers()).toEqual([]);
    await expect(h.scheduler.requestRun()).rejects.toThrow('closed');
  });
});
