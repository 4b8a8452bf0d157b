/**
 * PGlite runs PostgreSQL in single-user mode, where autovacuum never runs: without this,
 * nothing would ever mark a page all-visible, and every index-only scan (the count of a
 * pull's remaining changes) would read the table's pages too; nor would dead rows left by
 * updates and deletes be reclaimed for new ones. So after write transactions the database
 * runs `VACUUM` itself, once writes have paused for `idleMs` (2 s), or `maxDelayMs` (60 s)
 * after the first write it has not vacuumed when they never pause that long; and never
 * within `minIntervalMs` (30 s) of the last VACUUM, as autovacuum naps between rounds.
 *
 * VACUUM takes PGlite's one connection while it runs, as any statement does: after a bulk
 * load of 100,000 records of ~1 KB it took about 0.25 s here, and about 30 ms on the same
 * table with nothing new.
 */

export interface VacuumTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export interface VacuumOptions {
  idleMs?: number;
  maxDelayMs?: number;
  minIntervalMs?: number;
  timers?: VacuumTimers;
}

const REAL_TIMERS: VacuumTimers = {
  now: () => performance.now(),
  setTimeout(run, ms) {
    const timer = setTimeout(run, ms);
    // A pending VACUUM never keeps the process alive.
    timer.unref?.();
    return timer;
  },
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};

export interface VacuumSchedule {
  /** A write transaction has ended. */
  noteWrite(): void;
  /** No more VACUUMs; resolves once one in progress has ended. */
  close(): Promise<void>;
}

/** Calls `vacuum` after writes, as described above. Its errors are ignored: the next write retries. */
export function scheduleVacuum(
  vacuum: () => Promise<void>,
  options: VacuumOptions = {},
): VacuumSchedule {
  const idleMs = options.idleMs ?? 2000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const minIntervalMs = options.minIntervalMs ?? 30_000;
  const timers = options.timers ?? REAL_TIMERS;
  let firstWriteAt: number | undefined;
  let lastRunAt = Number.NEGATIVE_INFINITY;
  let timer: unknown;
  let running: Promise<void> | undefined;
  let closed = false;

  const fire = () => {
    timer = undefined;
    firstWriteAt = undefined;
    if (closed) return;
    lastRunAt = timers.now();
    running = vacuum()
      .catch(() => {})
      .finally(() => {
        running = undefined;
      });
  };

  return {
    noteWrite() {
      if (closed) return;
      const now = timers.now();
      firstWriteAt ??= now;
      if (timer !== undefined) timers.clearTimeout(timer);
      const rested = lastRunAt + minIntervalMs;
      const at = Math.min(
        Math.max(now + idleMs, rested),
        Math.max(firstWriteAt + maxDelayMs, rested),
      );
      timer = timers.setTimeout(fire, Math.max(0, at - now));
    },
    async close() {
      closed = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
