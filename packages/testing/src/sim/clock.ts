/**
 * Simulated time: a clock that moves only when told, and timers that fire in time order as
 * it moves, with the promise chains they start run to completion between two timers. Each
 * timer belongs to a simulated process (a generation); a crashed process's timers never
 * fire.
 */

export interface SimulatedTimer {
  readonly id: number;
  readonly at: number;
  readonly delayMs: number;
  readonly generation: number;
  readonly callback: () => void;
}

export interface SimulatedClock {
  now(): number;
  setTimeout(generation: number, callback: () => void, delayMs: number): number;
  clearTimeout(handle: unknown): void;
  /** Drops every timer of generations below `generation`. */
  dropBefore(generation: number): void;
  /** Timers waiting to fire, earliest first. */
  pending(): SimulatedTimer[];
  /** Fires the timers due up to `now() + ms` in order, then sets the clock there. */
  advance(ms: number, settle: () => Promise<void>, stop?: () => boolean): Promise<void>;
}

export function createSimulatedClock(startAt: number): SimulatedClock {
  let now = startAt;
  let nextId = 1;
  const timers = new Map<number, SimulatedTimer>();
  const ordered = () => [...timers.values()].sort((a, b) => a.at - b.at || a.id - b.id);

  return {
    now: () => now,
    setTimeout(generation, callback, delayMs) {
      const id = nextId++;
      // Like the platform, a negative or non-finite delay means "as soon as possible".
      const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
      timers.set(id, { id, at: now + delay, delayMs: delay, generation, callback });
      return id;
    },
    clearTimeout(handle) {
      if (typeof handle === 'number') timers.delete(handle);
    },
    dropBefore(generation) {
      for (const [id, timer] of timers) if (timer.generation < generation) timers.delete(id);
    },
    pending: ordered,
    async advance(ms, settle, stop) {
      if (!(ms >= 0)) throw new RangeError(`advance(ms) needs a non-negative number, got ${ms}`);
      const target = now + ms;
      await settle();
      for (;;) {
        if (stop?.()) return;
        const due = ordered().find((timer) => timer.at <= target);
        if (due === undefined) break;
        timers.delete(due.id);
        now = Math.max(now, due.at);
        due.callback();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}

/** A small seeded generator (mulberry32): the same seed gives the same jitter, run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
