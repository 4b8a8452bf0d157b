/** The connectivity watch and the Node environment built on it. */
import { createConnectivityWatch, createNodeEnvironment, hasNetworkInterface } from '@ferry/node';
import { createSimulation, runEnvironmentAcceptanceTests } from '@ferry/testing';
import { describe, expect, it } from 'vitest';

describe('connectivity watch', () => {
  it('checks while watched, reports changes once, and stops when nobody listens', async () => {
    const sim = createSimulation();
    let up = true;
    let checks = 0;
    const watch = createConnectivityWatch({
      intervalMs: 1_000,
      check: () => {
        checks += 1;
        return up;
      },
      timers: sim.environment,
    });
    const seen: boolean[] = [];
    const stop = watch.subscribe((online) => seen.push(online));
    await sim.advance(2_500);
    up = false;
    await sim.advance(1_000);
    await sim.advance(1_000);
    up = true;
    await sim.advance(1_000);
    expect(seen).toEqual([false, true]);
    expect(watch.online()).toBe(true);
    stop();
    const checksWhenStopped = checks;
    await sim.advance(10_000);
    expect(checks).toBe(checksWhenStopped);
    expect(sim.pendingTimers()).toEqual([]);
  });

  it('keeps the last answer when a check fails', async () => {
    const sim = createSimulation();
    const watch = createConnectivityWatch({
      check: () => {
        throw new Error('cannot tell');
      },
      timers: sim.environment,
    });
    expect(await watch.checkNow()).toBe(true);
  });

  it('counts an interface with a non-internal address as a network, loopback alone not', () => {
    const loopback = { address: '127.0.0.1', internal: true } as never;
    const wifi = { address: '192.168.1.20', internal: false } as never;
    expect(hasNetworkInterface({ lo: [loopback] })).toBe(false);
    expect(hasNetworkInterface({ lo: [loopback], wlan0: [wifi] })).toBe(true);
    expect(hasNetworkInterface({})).toBe(false);
  });

  it('the Node environment reports what Node can observe', () => {
    const env = createNodeEnvironment();
    expect(env.signals).toEqual({
      network: true,
      visibility: false,
      metered: false,
      battery: false,
    });
    expect(env.conditions()).toEqual({ online: true });
    expect(Math.abs(env.now() - Date.now())).toBeLessThan(1_000);
  });
});

// Node's real clock and timers, with connectivity driven through the check.
runEnvironmentAcceptanceTests('node', async () => {
  let up = true;
  const environment = createNodeEnvironment({
    connectivity: { intervalMs: 5, check: () => up },
  });
  return {
    environment,
    async setOnline(online) {
      up = online;
      const deadline = Date.now() + 5_000;
      while (environment.conditions().online !== online && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
});
