/** Run conditions: network, unmetered only, not on low battery; losing one midway. */
import { createSimulation } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { FerryConditionsError } from '../../src/errors.ts';
import { schedulerHarness } from '../support/scheduler-harness.ts';

describe('scheduler constraints', () => {
  it('refuses a manual sync at once while offline, and syncs with the online trigger', async () => {
    const h = schedulerHarness({ sim: createSimulation({ online: false }) });
    await h.scheduler.start();
    const manual = h.scheduler.requestRun();
    // Settled now, not when the network returns: the app can say so.
    await expect(manual).rejects.toBeInstanceOf(FerryConditionsError);
    await expect(manual).rejects.toMatchObject({ code: 'offline', waitingFor: 'network' });
    await h.sim.advance(60 * 60_000);
    expect(h.runs).toEqual([]);
    expect(h.scheduler.status()).toMatchObject({
      state: 'waiting',
      waitingFor: 'network',
      nextRunAt: null,
    });
    h.sim.goOnline();
    await h.sim.settle();
    // The run it asked for still happens, once it can.
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['start', 'online', 'manual']]);
  });

  it('a run that loses the network midway is aborted, loses nothing, tells its manual requests, and resumes', async () => {
    const h = schedulerHarness({ onRun: (run) => run.progress() });
    await h.scheduler.start();
    const manual = h.scheduler.requestRun();
    manual.catch(() => {});
    await h.sim.advance(1_000);
    const first = h.runs[0]!;
    h.sim.goOffline();
    // The abort is immediate, not left to a timeout.
    expect(first.context.signal.aborted).toBe(true);
    await h.sim.settle();
    expect(h.ended.map((r) => [r.outcome, r.abortReason, r.pulled])).toEqual([
      ['aborted', 'conditions', 1],
    ]);
    await expect(manual).rejects.toMatchObject({ name: 'FerryConditionsError', code: 'offline' });
    expect(h.scheduler.status()).toMatchObject({ state: 'waiting', attempt: 0 });
    h.sim.goOnline();
    await h.sim.settle();
    expect(h.runs[1]!.context.triggers).toEqual(['start', 'online', 'manual']);
  });

  it('a manual request waiting for the run in flight is told when the network goes', async () => {
    const h = schedulerHarness();
    await h.scheduler.start();
    await h.sim.settle();
    // The start run is under way and has begun its work: a request now waits for the next.
    expect(h.runs).toHaveLength(1);
    const manual = h.scheduler.requestRun();
    manual.catch(() => {});
    h.sim.goOffline();
    await h.sim.settle();
    await expect(manual).rejects.toMatchObject({ code: 'offline' });
  });

  it('a failure while the network was going away is retried as soon as it is back', async () => {
    const h = schedulerHarness({
      schedule: { backoffInitialDelayMs: 60_000, backoffMaxDelayMs: 60_000 },
    });
    await h.scheduler.start();
    await h.sim.settle();
    h.runs[0]!.fail(new Error('socket hang up'));
    await h.sim.settle();
    expect(h.scheduler.status().state).toBe('backing-off');
    h.sim.goOffline();
    await h.sim.advance(1_000);
    h.sim.goOnline();
    await h.sim.settle();
    expect(h.runs).toHaveLength(2);
    expect(h.runs[1]!.context.triggers).toEqual(['start', 'online']);
  });

  it('unmetered only: waits while metered, when required', async () => {
    const h = schedulerHarness({
      sim: createSimulation({ metered: true }),
      schedule: { requireUnmetered: true },
    });
    await h.scheduler.start();
    await h.sim.advance(60_000);
    expect(h.runs).toEqual([]);
    expect(h.scheduler.status()).toMatchObject({
      state: 'waiting',
      waitingFor: 'unmetered-network',
    });
    h.sim.setMetered(false);
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['start', 'online']]);
    h.sim.setMetered(true);
    expect(h.runs[0]!.context.signal.aborted).toBe(true);
  });

  it('metered networks are fine unless unmetered is required', async () => {
    const h = schedulerHarness({ sim: createSimulation({ metered: true }) });
    await h.scheduler.start();
    await h.sim.settle();
    expect(h.runs).toHaveLength(1);
  });

  it('not on low battery: waits, when required', async () => {
    const h = schedulerHarness({
      sim: createSimulation({ lowBattery: true }),
      schedule: { requireBatteryNotLow: true },
    });
    await h.scheduler.start();
    await h.sim.advance(60_000);
    expect(h.scheduler.status()).toMatchObject({ state: 'waiting', waitingFor: 'battery' });
    h.sim.setLowBattery(false);
    await h.sim.settle();
    expect(h.runs).toHaveLength(1);
  });

  it('a runtime that cannot tell (metered undefined) never blocks on it', async () => {
    const sim = createSimulation();
    const h = schedulerHarness({ sim, schedule: { requireUnmetered: true } });
    const base = sim.environment;
    Object.assign(base, { conditions: () => ({ online: true }) });
    await h.scheduler.start();
    await h.sim.settle();
    expect(h.runs).toHaveLength(1);
  });

  it('keeps an error visible while offline', async () => {
    const h = schedulerHarness();
    await h.scheduler.start();
    await h.sim.settle();
    h.runs[0]!.fail(new (await import('../../src/errors.ts')).FerryProtocolError('u', 'p'));
    await h.sim.settle();
    h.sim.goOffline();
    await h.sim.settle();
    expect(h.scheduler.status().state).toBe('error');
  });
});
