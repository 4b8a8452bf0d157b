/** The simulated environment on its own: time, timers, network, conditions, crashes. */
import { createMemoryStore } from '@ferry/client';
import { createSimulation } from '@ferry/testing';
import { describe, expect, it } from 'vitest';

describe('simulation', () => {
  it('fires timers in time order as time advances, and only then', async () => {
    const sim = createSimulation({ startAt: 1_000 });
    const fired: string[] = [];
    const env = sim.environment;
    env.setTimeout(() => fired.push('b@300'), 300);
    env.setTimeout(() => fired.push('a@100'), 100);
    const cancelled = env.setTimeout(() => fired.push('never'), 200);
    env.clearTimeout(cancelled);
    env.setTimeout(() => env.setTimeout(() => fired.push('c@150+50'), 50), 150);
    await sim.advance(250);
    expect(fired).toEqual(['a@100', 'c@150+50']);
    expect(sim.now()).toBe(1_250);
    await sim.advance(50);
    expect(fired).toEqual(['a@100', 'c@150+50', 'b@300']);
    expect(sim.pendingTimers()).toEqual([]);
  });

  it('lets promise chains started by a timer finish before the next timer fires', async () => {
    const sim = createSimulation();
    const order: string[] = [];
    sim.environment.setTimeout(async () => {
      await Promise.resolve();
      await new Promise((resolve) => setImmediate(resolve));
      order.push('first, finished');
    }, 10);
    sim.environment.setTimeout(() => order.push('second'), 10);
    await sim.advance(10);
    expect(order).toEqual(['first, finished', 'second']);
  });

  it('advanceUntil stops as soon as the condition holds', async () => {
    const sim = createSimulation({ startAt: 0 });
    let ticks = 0;
    const tick = () => {
      ticks += 1;
      sim.environment.setTimeout(tick, 1_000);
    };
    tick();
    expect(await sim.advanceUntil(() => ticks === 5, 60_000)).toBe(true);
    expect(sim.now()).toBe(4_000);
    expect(await sim.advanceUntil(() => ticks === 1_000, 10_000)).toBe(false);
  });

  it('reports condition changes to watchers, once per real change', () => {
    const sim = createSimulation();
    const seen: unknown[] = [];
    const stop = sim.environment.watch(() => seen.push(sim.environment.conditions()));
    sim.goOffline();
    sim.goOffline();
    sim.hide();
    sim.setMetered(true);
    sim.setLowBattery(true);
    stop();
    sim.goOnline();
    expect(seen).toEqual([
      { online: false, visible: true, metered: false, lowBattery: false },
      { online: false, visible: false, metered: false, lowBattery: false },
      { online: false, visible: false, metered: true, lowBattery: false },
      { online: false, visible: false, metered: true, lowBattery: true },
    ]);
  });

  it('gives the same random sequence for the same seed', () => {
    const a = createSimulation({ seed: 7 });
    const b = createSimulation({ seed: 7 });
    const draws = (sim: typeof a) => Array.from({ length: 5 }, () => sim.random());
    const first = draws(a);
    expect(draws(b)).toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('fails requests while offline and makes them take simulated time', async () => {
    const sim = createSimulation({ latencyMs: 500 });
    const fetch = sim.fetch(async () => new Response('ok'));
    let done = false;
    const request = fetch('https://x.test/').then(() => {
      done = true;
    });
    await sim.advance(499);
    expect(done).toBe(false);
    await sim.advance(1);
    await request;
    expect(done).toBe(true);
    sim.goOffline();
    await expect(fetch('https://x.test/')).rejects.toThrow(/offline/);
  });

  it('rejects a request whose signal aborts while it travels', async () => {
    const sim = createSimulation({ latencyMs: 1_000 });
    const fetch = sim.fetch(async () => new Response('ok'));
    const controller = new AbortController();
    const request = fetch('https://x.test/', { signal: controller.signal });
    await sim.advance(10);
    controller.abort(new Error('stop'));
    await expect(request).rejects.toThrow('stop');
  });

  it('a crash silences the dead process: timers, watchers, requests and store calls', async () => {
    const sim = createSimulation({ latencyMs: 100 });
    const store = createMemoryStore();
    const before = { env: sim.environment, fetch: sim.fetch(async () => new Response('ok')) };
    const handle = sim.store(store);
    await handle.commit({ setMeta: { kept: 1 } });
    const fired: string[] = [];
    before.env.setTimeout(() => fired.push('timer'), 10);
    before.env.watch(() => fired.push('watch'));
    let settled = false;
    before.fetch('https://x.test/').finally(() => {
      settled = true;
    });
    sim.crash();
    sim.goOffline();
    await sim.advance(1_000);
    expect(fired).toEqual([]);
    expect(settled).toBe(false);
    let read = false;
    handle.getMeta('kept').finally(() => {
      read = true;
    });
    before.env.setTimeout(() => fired.push('scheduled by the dead'), 1);
    await sim.advance(10);
    expect(read).toBe(false);
    expect(fired).toEqual([]);
    // The next process sees what the dead one committed.
    expect(await sim.store(store).getMeta('kept')).toBe(1);
    expect(sim.environment).not.toBe(before.env);
  });
});
