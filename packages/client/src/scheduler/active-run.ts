/**
 * One run in flight: its abort controller (budget, lost conditions, close), the counters
 * the engine fills in as it goes, and the record that ends up in the history.
 */
import type { AbortReason, RunError, RunOutcome, RunRecord } from './history.ts';
import { type RequestedTrigger, sortTriggers, type Trigger } from './triggers.ts';

/** Filled in by the engine as the run goes, so an aborted or failed run still reports its work. */
export interface RunCounters {
  pushed: number;
  pulled: number;
  rejected: number;
  bytesSent: number;
  bytesReceived: number;
  reset: boolean;
}

/** The local mutations a run's push sends: the ids above `after`, up to `through`. */
export interface PushRange {
  /** What the server had acknowledged when the run took its batch. */
  readonly after: number;
  /** The last mutation recorded then: later writes wait for the next run. */
  readonly through: number;
}

export interface RunContext {
  readonly id: number;
  readonly triggers: readonly Trigger[];
  /** Aborted when the run must stop: budget reached, a constraint lost, or the client closed. */
  readonly signal: AbortSignal;
  readonly counters: RunCounters;
  /**
   * Set by the engine as it takes the outbox, before its first request: a requested run
   * (`sync()`) whose writes all fall in it joins the run, which pushes them and then pulls.
   */
  pushRange: PushRange | null;
}

export interface RunSuccess {
  /** When the run's last commit recorded the success (the time kept with the data). */
  lastSuccessAt: number;
}

/** Performs one sync run; resolves when it pushed and pulled to the end. */
export type RunFn = (run: RunContext) => Promise<RunSuccess>;

export interface Waiter {
  /** What the `sync()` call said it syncs for: the run that serves it records this. */
  readonly trigger: RequestedTrigger;
  resolve(record: RunRecord): void;
  reject(error: unknown): void;
}

export interface ActiveRun {
  readonly context: RunContext;
  /**
   * True until the engine starts its work: a trigger or a `sync()` call arriving before
   * then joins this run instead of waiting for a follow-up, since the run has not read the
   * outbox or the cursor yet.
   */
  joinable: boolean;
  readonly startedAt: number;
  readonly controller: AbortController;
  abortReason: AbortReason | null;
  /** The `sync()` calls this run serves. */
  readonly waiters: Waiter[];
  /**
   * `sync()` calls that joined after the run started its work, because its push carries
   * their writes: its success answers them, but should it fail they go on to the next run,
   * as they would have without joining.
   */
  readonly lateWaiters: Waiter[];
  budgetTimer: unknown;
  /** Settles once the run has ended and its record is saved. */
  done: Promise<void>;
}

const ABORT_MESSAGES: Record<AbortReason, (budgetMs: number) => string> = {
  budget: (budgetMs) => `the run reached its time budget (maxRunDurationMs: ${budgetMs} ms)`,
  conditions: () => 'the network or another run condition was lost',
  closed: () => 'the client was closed',
};

export function createActiveRun(id: number, triggers: readonly Trigger[], now: number): ActiveRun {
  const controller = new AbortController();
  return {
    context: {
      id,
      triggers,
      signal: controller.signal,
      counters: { pushed: 0, pulled: 0, rejected: 0, bytesSent: 0, bytesReceived: 0, reset: false },
      pushRange: null,
    },
    startedAt: now,
    joinable: true,
    controller,
    abortReason: null,
    waiters: [],
    lateWaiters: [],
    budgetTimer: undefined,
    done: Promise.resolve(),
  };
}

/** Adds a trigger to a run that has not started its work yet. */
export function joinRun(run: ActiveRun, trigger: Trigger): void {
  const triggers = run.context.triggers as Trigger[];
  if (triggers.includes(trigger)) return;
  const sorted = sortTriggers([...triggers, trigger]);
  triggers.splice(0, triggers.length, ...sorted);
}

/**
 * True when a run that has started its work serves a `sync()` made now, with
 * `lastMutationId` the last local write recorded: that write is in the run's push, which
 * sends every write the server had not acknowledged up to it, and the run pulls after.
 */
export function pushCarries(run: ActiveRun, lastMutationId: number): boolean {
  const range = run.context.pushRange;
  return range !== null && range.after < lastMutationId && lastMutationId <= range.through;
}

/** Aborts once; the first reason wins. */
export function abortRun(run: ActiveRun, reason: AbortReason, budgetMs: number): void {
  if (run.abortReason !== null) return;
  run.abortReason = reason;
  const error = new Error(ABORT_MESSAGES[reason](budgetMs));
  error.name = 'AbortError';
  run.controller.abort(error);
}

/** True when the run committed something, so cutting it short still moved the sync forward. */
export function madeProgress(run: ActiveRun): boolean {
  const c = run.context.counters;
  return c.pushed + c.pulled + c.rejected > 0;
}

export function runRecord(
  run: ActiveRun,
  end: {
    endedAt: number | null;
    outcome: RunOutcome;
    abortReason?: AbortReason | null;
    error?: RunError | null;
  },
): RunRecord {
  const c = run.context.counters;
  return Object.freeze({
    id: run.context.id,
    triggers: run.context.triggers,
    startedAt: run.startedAt,
    endedAt: end.endedAt,
    outcome: end.outcome,
    abortReason: end.abortReason ?? null,
    pushed: c.pushed,
    pulled: c.pulled,
    rejected: c.rejected,
    bytesSent: c.bytesSent,
    bytesReceived: c.bytesReceived,
    reset: c.reset,
    error: end.error ?? null,
  });
}

/** Answers the `sync()` calls a run served: with its record, or with its error. */
export function settleWaiters(
  run: ActiveRun,
  answer: { record: RunRecord } | { error: unknown },
): void {
  for (const waiter of run.waiters) {
    if ('record' in answer) waiter.resolve(answer.record);
    else waiter.reject(answer.error);
  }
}
