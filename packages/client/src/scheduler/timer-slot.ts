/** One re-armable timer on the injected environment: setting it again replaces it. */
import type { SyncEnvironment } from './environment.ts';

/**
 * Timers in browsers and Node fire at once when given more than 2^31 − 1 ms. Longer waits
 * are cut to this; the callbacks re-check the time when they fire and re-arm as needed.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface TimerSlot {
  /** When it fires, or null when not set. */
  readonly at: number | null;
  set(at: number, callback: () => void): void;
  clear(): void;
}

export function createTimerSlot(
  env: Pick<SyncEnvironment, 'now' | 'setTimeout' | 'clearTimeout'>,
): TimerSlot {
  let at: number | null = null;
  let handle: unknown;
  const clear = () => {
    if (at !== null) env.clearTimeout(handle);
    at = null;
  };
  return {
    get at() {
      return at;
    },
    set(time, callback) {
      clear();
      at = time;
      handle = env.setTimeout(
        () => {
          at = null;
          callback();
        },
        Math.min(MAX_TIMER_DELAY_MS, Math.max(0, time - env.now())),
      );
    },
    clear,
  };
}
