/**
 * What a run's end does to the schedule, as a pure function of the run and its outcome:
 * the new saved state, the record, the status event, and what happens to the run's
 * triggers and to the `sync()` calls it served.
 */
import { FerryTimeoutError } from '../errors.ts';
import { describeError } from '../status.ts';
import { type ActiveRun, madeProgress, runRecord } from './active-run.ts';
import { classifyFailure, retryDelayMs } from './failures.ts';
import type { RunError, RunRecord, SavedSchedule } from './history.ts';
import type { ResolvedScheduleOptions } from './options.ts';
import type { SchedulerEvent } from './status-machine.ts';

export type RunOutcomeInput = { ok: true; lastSuccessAt: number } | { ok: false; error: unknown };

export interface RunEnd {
  saved: SavedSchedule;
  record: RunRecord;
  event: SchedulerEvent | null;
  /** The run's triggers still want a run (it failed or was cut short). */
  carryTriggers: boolean;
  /**
   * resolve: it succeeded; reject: it failed (with `error`); closed: the client closed;
   * unmet: a run condition was lost (the network, most often); carry: they move to the next run.
   */
  waiters: 'resolve' | 'reject' | 'closed' | 'unmet' | 'carry';
  /** What the `sync()` calls are rejected with, when `waiters` is `reject`. */
  error: unknown;
  /** The error to show, or undefined to leave it as it is. */
  lastError: RunError | null | undefined;
  lastSuccessAt: number | undefined;
}

export function decideRunEnd(input: {
  saved: SavedSchedule;
  run: ActiveRun;
  outcome: RunOutcomeInput;
  now: number;
  options: ResolvedScheduleOptions;
  random: () => number;
}): RunEnd {
  const { saved, run, outcome, now } = input;
  const reason = run.abortReason;
  const base = {
    carryTriggers: false,
    lastError: undefined,
    lastSuccessAt: undefined,
    error: undefined,
  };
  if (outcome.ok) {
    return {
      ...base,
      saved: { ...saved, attempt: 0, backoffUntil: null, retryAfterUntil: null, incomplete: false },
      record: runRecord(run, { endedAt: now, outcome: 'success' }),
      event: 'succeed',
      waiters: 'resolve',
      lastError: null,
      lastSuccessAt: outcome.lastSuccessAt,
    };
  }
  if (reason === 'closed') {
    return {
      ...base,
      saved,
      record: runRecord(run, { endedAt: now, outcome: 'aborted', abortReason: reason }),
      event: null,
      waiters: 'closed',
    };
  }
  if (reason === 'conditions' || (reason === 'budget' && madeProgress(run))) {
    // Stopped with its work kept: its triggers carry over to the next run, and so do its
    // `sync()` calls, unless it lost its conditions: those are told at once.
    return {
      ...base,
      saved,
      record: runRecord(run, { endedAt: now, outcome: 'aborted', abortReason: reason }),
      event: 'abort',
      carryTriggers: true,
      waiters: reason === 'conditions' ? 'unmet' : 'carry',
    };
  }
  // A budget reached without progress fails like a timeout, so it backs off instead of looping.
  const error =
    reason === 'budget' ? new FerryTimeoutError(input.options.maxRunDurationMs) : outcome.error;
  const kind =
    reason === 'budget' ? { retryable: true as const, retryAfterMs: null } : classifyFailure(error);
  const lastError = describeError(error);
  const attempt = saved.attempt + 1;
  const record = runRecord(run, {
    endedAt: now,
    outcome: 'failed',
    abortReason: reason,
    error: lastError,
  });
  if (!kind.retryable) {
    return {
      ...base,
      saved: { ...saved, attempt, backoffUntil: null, retryAfterUntil: null },
      record,
      event: 'fail-fatal',
      waiters: 'reject',
      error,
      lastError,
    };
  }
  const delayMs = retryDelayMs(attempt, kind.retryAfterMs, input.options, input.random);
  return {
    ...base,
    saved: {
      ...saved,
      attempt,
      backoffUntil: now + delayMs,
      retryAfterUntil: kind.retryAfterMs === null ? null : now + kind.retryAfterMs,
    },
    record,
    event: 'fail-retryable',
    carryTriggers: true,
    waiters: 'reject',
    error,
    lastError,
  };
}
