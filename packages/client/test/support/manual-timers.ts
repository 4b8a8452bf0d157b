/** Timers that only fire when a test advances them, for the client's injected timer options. */
import { settle } from './harness.ts';

export interface ManualTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Delays of the timers waiting to fire, in scheduling order. */
  pendingDelays(): number[];
  /** Moves time forward, firing due timers in order and letting the code they start run. */
  advance(ms: number): Promise<void>;
  now(): number;
}

export function createManualTimers(): ManualTimers {
  let now = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; delayMs: number; callback: () => void }>();
  return {
    setTimeout(callback, delayMs) {
      const id = nextId++;
      pending.set(id, { at: now + delayMs, delayMs, callback });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
    pendingDelays: () => [...pending.values()].map((t) => t.delayMs),
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...pending.entries()]
          .filter(([, t]) => t.at <= target)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        const [id, timer] = due;
        pending.delete(id);
        now = timer.at;
        timer.callback();
        await settle();
      }
      now = target;
      await settle();
    },
    now: () => now,
  };
}
