/** Run conditions: network, unmetered only, not on low battery; losing one midway. */
import { createSimulation } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { schedulerHarness } from '../support/scheduler-harness.ts';

describe('scheduler constraints', () => {
  it('waits for the network, then syncs with the online trigger', async () => {
    const h = schedulerHarness({ sim: createSimulation({ online: false }) });
    await h.scheduler.start();
    const manual = h.scheduler.requestRun();
    await h.sim.advance(60 * 60_000);
    expect(h.runs).toEqual([]);
    expect(h.scheduler.status()).toMatchObject({
      state: 'waiting',
      waitingFor: 'network',
      nextRunAt: null,
    });
    h.sim.goOnline();
    await h.sim.settle();
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['start', 'online', 'manual']]);
    h.runs[0]!.succeed();
    expect((await manual).outcome).toBe('success');
  });

  it('a run that loses the network midway is aborted, loses nothing, and resumes', async () => {
    const h = schedulerHarness({ onRun: (run) => run.progress() });
    await h.scheduler.start();
    const manual = h.scheduler.requestRun();
    await h.sim.advance(1_000);
    const first = h.runs[0]!;
    h.sim.goOffline();
    // The abort is immediate, not left to a timeout.
    expect(first.context.signal.aborted).toBe(true);
    await h.sim.settle();
    expect(h.ended.map((r) => [r.outcome, r.abortReason, r.pulled])).toEqual([
      ['aborted', 'conditions', 1],
    ]);
    expect(h.scheduler.status()).toMatchObject({ state: 'waiting', attempt: 0 });
    h.sim.goOnline();
    await h.sim.settle();
    expect(h.runs[1]!.context.triggers).toEqual(['start', 'online', 'manual']);
    h.runs[1]!.succeed();
    // The manual request was served by the run that finished the job.
    expect((await manual).id).toBe(2);
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
