/**
 * The scheduler's visible state, as an explicit state machine.
 *
 *                       ┌─────────────────── start-run ──────────────────┐
 *                       │                                                ▼
 *  ┌─────────┐ ◀─lose-conditions── ┌──────┐ ◀──── succeed, abort ──── ┌─────────┐
 *  │ waiting │                     │ idle │                           │ syncing │
 *  └─────────┘ ─regain-conditions─▶└──────┘                           └─────────┘
 *       ▲                           │    ▲                             │  ▲  ▲  │
 *       │                  back-off │    │ backoff-elapsed             │  │  │  │
 *       │                           ▼    │                             │  │  │  │
 *       │  lose-conditions   ┌─────────────┐ ◀──── fail-retryable ─────┘  │  │  │
 *       └─────────────────── │ backing-off │ ── start-run (sync()) ───────┘  │  │
 *                            └─────────────┘                                 │  │
 *                            ┌───────┐ ───────────── start-run ──────────────┘  │
 *                            │ error │ ◀──────────── fail-fatal ────────────────┘
 *                            └───────┘
 *
 *  close: from every state except stopped ──▶ stopped
 *
 * - idle: nothing to do until the next trigger or the next planned run (`nextRunAt`).
 * - syncing: one run is under way (never two).
 * - waiting: a constraint is not met (no network, a metered network when "unmetered only"
 *   is set, low battery when "not on low battery" is set); runs resume when it is.
 * - backing-off: the last run failed in a way worth retrying; the next try is planned.
 * - error: the last run failed in a way retrying cannot fix (a refused token after a
 *   refresh, another 4xx, a server that does not speak the protocol). Only a requested
 *   run (`sync()`: manual, push or background), a local write or a restart tries again.
 * - stopped: the client is closed.
 *
 * A run that loses its conditions midway is aborted and ends with `abort`; the scheduler
 * then sends `lose-conditions` from idle. The table below is the whole truth; the diagram
 * is a picture of it.
 */

export type SchedulerState = 'idle' | 'syncing' | 'waiting' | 'backing-off' | 'error' | 'stopped';

export type SchedulerEvent =
  | 'start-run'
  | 'succeed'
  /** The run was stopped (budget, lost conditions) with its work kept; it will continue. */
  | 'abort'
  | 'fail-retryable'
  | 'fail-fatal'
  /** A backoff deadline (from a failure, or restored after a restart) is still ahead. */
  | 'back-off'
  | 'backoff-elapsed'
  | 'lose-conditions'
  | 'regain-conditions'
  | 'close';

/** `null`: the event does not apply in that state, and the state stays as it is. */
export type TransitionTable = Record<SchedulerState, Record<SchedulerEvent, SchedulerState | null>>;

export const TRANSITIONS: TransitionTable = {
  idle: {
    'start-run': 'syncing',
    succeed: null,
    abort: null,
    'fail-retryable': null,
    'fail-fatal': null,
    'back-off': 'backing-off',
    'backoff-elapsed': null,
    'lose-conditions': 'waiting',
    'regain-conditions': null,
    close: 'stopped',
  },
  syncing: {
    'start-run': null,
    succeed: 'idle',
    abort: 'idle',
    'fail-retryable': 'backing-off',
    'fail-fatal': 'error',
    'back-off': null,
    'backoff-elapsed': null,
    // The run is aborted and ends with `abort`; it is still in flight until then.
    'lose-conditions': null,
    'regain-conditions': null,
    close: 'stopped',
  },
  waiting: {
    'start-run': null,
    succeed: null,
    abort: null,
    'fail-retryable': null,
    'fail-fatal': null,
    'back-off': null,
    'backoff-elapsed': null,
    'lose-conditions': null,
    'regain-conditions': 'idle',
    close: 'stopped',
  },
  'backing-off': {
    // Only a requested run (`sync()`) skips the rest of a backoff (never a Retry-After).
    'start-run': 'syncing',
    succeed: null,
    abort: null,
    'fail-retryable': null,
    'fail-fatal': null,
    'back-off': null,
    'backoff-elapsed': 'idle',
    'lose-conditions': 'waiting',
    'regain-conditions': null,
    close: 'stopped',
  },
  error: {
    'start-run': 'syncing',
    succeed: null,
    abort: null,
    'fail-retryable': null,
    'fail-fatal': null,
    'back-off': null,
    'backoff-elapsed': null,
    // An error needs attention more than an outage does, so it stays visible.
    'lose-conditions': null,
    'regain-conditions': null,
    close: 'stopped',
  },
  stopped: {
    'start-run': null,
    succeed: null,
    abort: null,
    'fail-retryable': null,
    'fail-fatal': null,
    'back-off': null,
    'backoff-elapsed': null,
    'lose-conditions': null,
    'regain-conditions': null,
    close: null,
  },
};

export interface StatusMachine {
  readonly state: SchedulerState;
  /** Whether `event` applies in the current state. */
  can(event: SchedulerEvent): boolean;
  /** Applies `event`; returns false (and changes nothing) when it does not apply. */
  send(event: SchedulerEvent): boolean;
}

export function createStatusMachine(initial: SchedulerState = 'idle'): StatusMachine {
  let state = initial;
  return {
    get state() {
      return state;
    },
    can: (event) => TRANSITIONS[state][event] !== null,
    send(event) {
      const next = TRANSITIONS[state][event];
      if (next === null) return false;
      state = next;
      return true;
    },
  };
}
