/**
 * The acceptance suite every `SyncEnvironment` (runtime) runs with only its own setup:
 *
 *   runEnvironmentAcceptanceTests('node', async () => ({ environment: createNodeEnvironment() }));
 *
 * `setup` is called once per test. An environment on real time needs nothing more: the
 * suite waits a few milliseconds of real time where it must. A simulated one passes
 * `advance`. One that can be told to go offline in a test passes `setOnline`, and the
 * suite then checks that watchers hear of it.
 */
import type { SyncEnvironment } from '@ferry/client';
import { afterEach, describe, expect, it } from 'vitest';

export interface EnvironmentSetup {
  environment: SyncEnvironment;
  /** Moves the environment's time forward; default: waits that long in real time. */
  advance?: (ms: number) => Promise<void>;
  /** Makes the runtime report the network as up or down (and settles until it has). */
  setOnline?: (online: boolean) => Promise<void>;
  /** Releases what the setup holds. */
  dispose?: () => Promise<void> | void;
}

const realWait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function runEnvironmentAcceptanceTests(
  name: string,
  setup: () => Promise<EnvironmentSetup>,
): void {
  describe(`Environment acceptance: ${name}`, () => {
    const disposals: Array<() => Promise<void> | void> = [];
    const open = async () => {
      const s = await setup();
      if (s.dispose) disposals.push(s.dispose);
      return { ...s, advance: s.advance ?? realWait };
    };
    afterEach(async () => {
      for (const dispose of disposals.splice(0)) await dispose();
    });

    it('tells the time in milliseconds since the epoch, never going back', async () => {
      const { environment, advance } = await open();
      const first = environment.now();
      expect(first).toBeGreaterThan(Date.UTC(2000, 0, 1));
      await advance(5);
      expect(environment.now()).toBeGreaterThanOrEqual(first);
    });

    it('fires a timer once after its delay, and not after clearTimeout', async () => {
      const { environment, advance } = await open();
      const fired: string[] = [];
      const start = environment.now();
      let firedAt = 0;
      environment.setTimeout(() => {
        fired.push('kept');
        firedAt = environment.now();
      }, 10);
      const cancelled = environment.setTimeout(() => fired.push('cancelled'), 10);
      environment.clearTimeout(cancelled);
      environment.setTimeout(() => fired.push('zero'), 0);
      await advance(60);
      expect(fired.sort()).toEqual(['kept', 'zero']);
      // Real timers run on a monotonic clock while now() reads the wall clock in whole
      // milliseconds, so a 10 ms timer can look 1 ms early; a simulated clock is exact.
      expect(firedAt - start).toBeGreaterThanOrEqual(9);
    });

    it('draws random numbers in [0, 1)', async () => {
      const { environment } = await open();
      for (let i = 0; i < 100; i++) {
        const x = environment.random();
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThan(1);
      }
    });

    it('reports conditions consistent with the signals it claims', async () => {
      const { environment } = await open();
      const c = environment.conditions();
      expect(typeof c.online).toBe('boolean');
      const { signals } = environment;
      for (const [signal, field] of [
        ['visibility', 'visible'],
        ['metered', 'metered'],
        ['battery', 'lowBattery'],
      ] as const) {
        const value = c[field];
        if (signals[signal]) expect(typeof value).toBe('boolean');
        else expect(value).toBeUndefined();
      }
    });

    it('lets watchers subscribe and unsubscribe', async () => {
      const { environment, setOnline } = await open();
      let calls = 0;
      const stop = environment.watch(() => {
        calls += 1;
      });
      expect(typeof stop).toBe('function');
      if (setOnline === undefined || !environment.signals.network) {
        stop();
        return;
      }
      await setOnline(false);
      expect(environment.conditions().online).toBe(false);
      expect(calls).toBeGreaterThan(0);
      stop();
      const heard = calls;
      await setOnline(true);
      expect(environment.conditions().online).toBe(true);
      expect(calls).toBe(heard);
    });
  });
}
