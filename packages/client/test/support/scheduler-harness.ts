/**
 * The scheduler alone, driven by the simulated environment, with a fake engine whose runs
 * the test finishes by hand (`succeed`, `fail`) or lets finish on their own after a
 * scripted duration of simulated time. Nothing here touches a network or a store.
 */
import { createSimulation, type Simulation } from '@ferry/testing';
import { silentLogger } from '../../src/logger.ts';
import type { RunContext } from '../../src/scheduler/active-run.ts';
import { EMPTY_SCHEDULE, type RunRecord, type SavedSchedule } from '../../src/scheduler/history.ts';
import { resolveScheduleOptions, type ScheduleOptions } from '../../src/scheduler/options.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import type { Scheduler, SchedulerStatus, ScheduleStorage } from '../../src/scheduler/types.ts';

/** Stands in for the store: survives a simulated crash, copies on the way in and out. */
export class MemoryScheduleStorage implements ScheduleStorage {
  lastSuccessAt: number | null = null;
  saved: SavedSchedule = { ...EMPTY_SCHEDULE, runs: [] };
  saves = 0;
  /** Called as each save starts, before it completes: what happens while the schedule is written. */
  onSave: (() => void) | null = null;
  async load() {
    return { lastSuccessAt: this.lastSuccessAt, saved: structuredClone(this.saved) };
  }
  async save(saved: SavedSchedule) {
    this.saves += 1;
    this.onSave?.();
    this.saved = structuredClone(saved);
  }
}

export interface FakeRun {
  readonly context: RunContext;
  readonly startedAt: number;
  /** Settled (resolved, rejected, or rejected by its abort signal). */
  settled: boolean;
  succeed(): void;
  fail(error: unknown): void;
  /** Counts a committed page, as the engine does after each one. */
  progress(): void;
}

export interface SchedulerHarness {
  sim: Simulation;
  storage: MemoryScheduleStorage;
  scheduler: Scheduler;
  runs: FakeRun[];
  ended: RunRecord[];
  statuses: SchedulerStatus[];
  pending: { value: boolean };
  /** What `pokeWanted` answers: false once the client holds what the pokes announced. */
  pokeWanted: { value: boolean };
  /** Runs under way right now (never more than one). */
  active(): FakeRun[];
  /** A new scheduler over the same storage, as after a crash and a restart. */
  restart(): SchedulerHarness;
}

export interface HarnessOptions {
  schedule?: ScheduleOptions;
  sim?: Simulation;
  storage?: MemoryScheduleStorage;
  /** Called at each run start; may finish the run (e.g. after a delay). */
  onRun?: (run: FakeRun, sim: Simulation) => void;
  /** The last local write recorded (0, none, unless a test says otherwise). */
  lastMutationId?: () => number;
}

export function schedulerHarness(options: HarnessOptions = {}): SchedulerHarness {
  const sim = options.sim ?? createSimulation();
  const storage = options.storage ?? new MemoryScheduleStorage();
  const runs: FakeRun[] = [];
  const ended: RunRecord[] = [];
  const statuses: SchedulerStatus[] = [];
  const pending = { value: false };
  const pokeWanted = { value: true };

  const scheduler = createScheduler({
    environment: sim.environment,
    options: resolveScheduleOptions(options.schedule),
    storage,
    run: (context) =>
      new Promise((resolve, reject) => {
        const run: FakeRun = {
          context,
          startedAt: sim.now(),
          settled: false,
          succeed() {
            if (run.settled) return;
            run.settled = true;
            // The engine commits lastSuccessAt with its last page.
            storage.lastSuccessAt = sim.now();
            resolve({ lastSuccessAt: sim.now() });
          },
          fail(error) {
            if (run.settled) return;
            run.settled = true;
            reject(error);
          },
          progress() {
            context.counters.pulled += 1;
          },
        };
        runs.push(run);
        options.onRun?.(run, sim);
        // Like a fetch, an aborted run stops at once.
        if (context.signal.aborted) run.fail(context.signal.reason);
        context.signal.addEventListener('abort', () => run.fail(context.signal.reason), {
          once: true,
        });
      }),
    hasPendingMutations: () => pending.value,
    lastMutationId: options.lastMutationId ?? (() => 0),
    pokeWanted: () => pokeWanted.value,
    pokes: true,
    onStatus: (status) => statuses.push(status),
    onRunEnd: (record) => ended.push(record),
    closedError: () => new Error('closed'),
    logger: silentLogger,
  });

  const harness: SchedulerHarness = {
    sim,
    storage,
    scheduler,
    runs,
    ended,
    statuses,
    pending,
    pokeWanted,
    active: () => runs.filter((run) => !run.settled),
    restart() {
      sim.crash();
      return schedulerHarness({ ...options, sim, storage });
    },
  };
  return harness;
}

/** Finishes each run `durationMs` of simulated time after it starts, with `outcome()`. */
export function finishAfter(
  durationMs: number,
  outcome: () => unknown = () => undefined,
): HarnessOptions['onRun'] {
  return (run, sim) => {
    sim.environment.setTimeout(() => {
      const error = outcome();
      if (error === undefined) run.succeed();
      else run.fail(error);
    }, durationMs);
  };
}
