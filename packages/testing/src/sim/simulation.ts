/**
 * A simulated runtime for testing code that syncs in the background: simulated time that
 * moves only when the test says so, a network that can go down, an app that can be hidden,
 * metered-network and battery signals, and processes that can crash and restart over the
 * same stored data.
 *
 *   const sim = createSimulation();
 *   const client = createClient({
 *     url, getToken,
 *     environment: sim.environment,          // clock, timers, randomness, conditions
 *     fetch: sim.fetch(server.fetch),        // offline and latency apply
 *     store: sim.store(store),               // a crash freezes this handle
 *   });
 *   await sim.advance(60_000);               // fires timers in order; promise chains run
 *   sim.goOffline();
 *   sim.crash();                             // the client above is dead; create a new one
 */
import type { Conditions, Store, SyncEnvironment } from '@ferry/client';
import { createSimulatedClock, type SimulatedTimer, seededRandom } from './clock.ts';
import { type ProcessView, simulatedFetch, simulatedStore } from './wrappers.ts';

export interface SimulationOptions {
  /** Simulated time at the start, in ms since the epoch; default 2024-01-01T00:00:00Z. */
  startAt?: number;
  /** Seed of `random()`; default 1. */
  seed?: number;
  /** Simulated time each request takes before reaching the server; default 0. */
  latencyMs?: number;
  /** Default true. */
  online?: boolean;
  /** Default true. */
  visible?: boolean;
  /** Default false. */
  metered?: boolean;
  /** Default false. */
  lowBattery?: boolean;
  /** Event-loop turns given to promise chains after each timer; default 20. */
  settleTurns?: number;
}

export interface Simulation {
  /** The environment of the current process; after `crash()`, a new one. */
  readonly environment: SyncEnvironment;
  now(): number;
  random(): number;
  /** Moves time forward by `ms`, firing due timers in order and letting what they start run. */
  advance(ms: number): Promise<void>;
  /** Moves time forward until `predicate()` holds (checked after each timer) or `maxMs` passed. */
  advanceUntil(predicate: () => boolean, maxMs: number): Promise<boolean>;
  /** Lets pending promise chains run without moving time. */
  settle(): Promise<void>;
  /** Timers of the current process waiting to fire, earliest first. */
  pendingTimers(): Array<Pick<SimulatedTimer, 'at' | 'delayMs'>>;
  readonly conditions: Readonly<Conditions>;
  goOffline(): void;
  goOnline(): void;
  setMetered(metered: boolean): void;
  setLowBattery(low: boolean): void;
  hide(): void;
  show(): void;
  /** Simulated time each request takes; may be changed at any moment. */
  latencyMs: number;
  /** A fetch for the current process: fails while offline, takes `latencyMs`, dies with a crash. */
  fetch(inner: typeof fetch): typeof fetch;
  /** A handle on `inner` for the current process: frozen by a crash; `close()` leaves `inner` open. */
  store(inner: Store): Store;
  /**
   * Ends the current process as `kill -9` would: its timers never fire, its condition
   * listeners hear nothing more, its requests and store calls never settle. What it
   * committed to a store stays. Then a new process starts: use `environment`, `fetch()` and
   * `store()` again to build what runs in it.
   */
  crash(): void;
}

const DEFAULT_START = Date.UTC(2024, 0, 1);

export function createSimulation(options: SimulationOptions = {}): Simulation {
  const clock = createSimulatedClock(options.startAt ?? DEFAULT_START);
  const random = seededRandom(options.seed ?? 1);
  const settleTurns = options.settleTurns ?? 20;
  const conditions: Conditions = {
    online: options.online ?? true,
    visible: options.visible ?? true,
    metered: options.metered ?? false,
    lowBattery: options.lowBattery ?? false,
  };
  let generation = 1;
  const listeners = new Map<() => void, number>();

  const settle = async () => {
    for (let turn = 0; turn < settleTurns; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };

  const change = (update: Partial<Conditions>) => {
    const before = JSON.stringify(conditions);
    Object.assign(conditions, update);
    if (JSON.stringify(conditions) === before) return;
    for (const [listener, owner] of [...listeners]) if (owner === generation) listener();
  };

  const processView = (owner: number): ProcessView => ({
    alive: () => owner === generation,
    online: () => conditions.online,
    latencyMs: () => sim.latencyMs,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (ms <= 0) return resolve();
        const onAbort = () => {
          clock.clearTimeout(handle);
          reject(signal?.reason);
        };
        const handle = clock.setTimeout(
          owner,
          () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
          ms,
        );
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
  });

  const environmentFor = (owner: number): SyncEnvironment => ({
    now: () => clock.now(),
    setTimeout: (callback, delayMs) =>
      // A dead process's code may still run a little (a promise settling); it schedules nothing.
      owner === generation ? clock.setTimeout(owner, callback, delayMs) : -1,
    clearTimeout: (handle) => clock.clearTimeout(handle),
    random,
    conditions: () => ({ ...conditions }),
    watch(listener) {
      if (owner !== generation) return () => {};
      listeners.set(listener, owner);
      return () => {
        listeners.delete(listener);
      };
    },
    signals: { network: true, visibility: true, metered: true, battery: true },
  });

  let environment = environmentFor(generation);

  const sim: Simulation = {
    get environment() {
      return environment;
    },
    now: () => clock.now(),
    random,
    advance: (ms) => clock.advance(ms, settle),
    async advanceUntil(predicate, maxMs) {
      await clock.advance(maxMs, settle, predicate);
      return predicate();
    },
    settle,
    pendingTimers: () =>
      clock
        .pending()
        .filter((timer) => timer.generation === generation)
        .map(({ at, delayMs }) => ({ at, delayMs })),
    get conditions() {
      return { ...conditions };
    },
    goOffline: () => change({ online: false }),
    goOnline: () => change({ online: true }),
    setMetered: (metered) => change({ metered }),
    setLowBattery: (lowBattery) => change({ lowBattery }),
    hide: () => change({ visible: false }),
    show: () => change({ visible: true }),
    latencyMs: options.latencyMs ?? 0,
    fetch: (inner) => simulatedFetch(inner, processView(generation)),
    store: (inner) => simulatedStore(inner, processView(generation)),
    crash() {
      generation += 1;
      clock.dropBefore(generation);
      for (const [listener, owner] of listeners) if (owner < generation) listeners.delete(listener);
      environment = environmentFor(generation);
    },
  };
  return sim;
}
