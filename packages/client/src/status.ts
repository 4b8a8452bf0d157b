/**
 * The client's visible status: one immutable snapshot, replaced (never mutated) on every
 * change, so a UI can compare snapshots by identity. The `state` comes from the
 * scheduler's state machine (`scheduler/status-machine.ts`), `live` from the event
 * stream's (`scheduler/live-machine.ts`); `phase`, what to tell a person, is derived here
 * from both, so that every app says the same true thing.
 */
import { isFerryErrorCode, userMessageFor } from './error-codes.ts';
import type { WaitingFor } from './scheduler/environment.ts';
import type { RunError } from './scheduler/history.ts';
import type { LiveState } from './scheduler/live-machine.ts';
import type { SchedulerState } from './scheduler/status-machine.ts';

export type SyncState = SchedulerState;
export type { LiveState };

/**
 * What to tell a person about sync, in one word, from the most to the least pressing:
 *
 * - `stopped`: the client is closed.
 * - `error`: the last run failed in a way retrying cannot fix; `lastError` says why.
 * - `offline`: no network; local changes wait (`pendingCount`) and go when it returns.
 * - `waiting`: another run condition is not met (`waitingFor`: a metered network, a low battery).
 * - `retrying`: the last run failed and is retried at `nextRunAt`; `lastError` says why.
 * - `loading`: this device has never synced: its data is not there yet (not "empty").
 * - `syncing`: a run is under way.
 * - `reconnecting`: the live event stream was lost and is being reconnected (next attempt
 *   at `liveRetryAt`); changes made elsewhere may not be here.
 * - `connecting`: the live event stream is connecting, or connected and catching up.
 * - `pending`: local changes wait to be sent (`pendingCount`), nothing is wrong.
 * - `up-to-date`: the local data is known current: the live stream is connected and caught
 *   up, or (without a live stream) a run has just succeeded, and nothing waits to be sent.
 * - `stale`: none of the above: without a live stream, the last success is older than
 *   `minIntervalMs`.
 */
export type SyncPhase =
  | 'stopped'
  | 'error'
  | 'offline'
  | 'waiting'
  | 'retrying'
  | 'loading'
  | 'syncing'
  | 'reconnecting'
  | 'connecting'
  | 'pending'
  | 'up-to-date'
  | 'stale';

export interface SyncStatus {
  /** What to tell a person: see `SyncPhase`. Show `pendingCount` beside it, whatever it is. */
  readonly phase: SyncPhase;
  /** idle, syncing, waiting (a run condition is not met), backing-off, error or stopped. */
  readonly state: SyncState;
  /** When the next automatic run is planned (ms since the epoch), or null when none is. */
  readonly nextRunAt: number | null;
  /** Failed runs in a row since the last success. */
  readonly attempt: number;
  /** What the scheduler waits for in the `waiting` state, else null. */
  readonly waitingFor: WaitingFor | null;
  /**
   * `now()` when the local data was last known current: a run pushed and pulled to the end,
   * or the live stream's poke brought changes that were applied (or announced changes the
   * client already held). Null until this device's first sync has finished.
   */
  readonly lastSuccessAt: number | null;
  /** Local mutations not yet confirmed by the server: shown in every phase, offline too. */
  readonly pendingCount: number;
  /** Why the last run failed (a code, a message for developers, a phrase for people); null after a success. */
  readonly lastError: RunError | null;
  /** The live event stream: off (not wanted), connecting, open, or reconnecting after it was lost. */
  readonly live: LiveState;
  /** While `reconnecting`, when the next connection attempt is planned; null otherwise, or while offline. */
  readonly liveRetryAt: number | null;
}

/** What `phase` is derived from: the snapshot's own fields and whether the data is known current. */
export type PhaseInput = Pick<
  SyncStatus,
  'state' | 'waitingFor' | 'lastSuccessAt' | 'pendingCount' | 'live'
> & {
  /**
   * The data is known current: with the live stream open, a run that started after it
   * opened succeeded or a poke was served since; without one, a run succeeded less than
   * `minIntervalMs` ago. Nothing failed since.
   */
  current: boolean;
};

/** The phase of a status: the rules of `SyncPhase`, in its order. */
export function phaseOf(input: PhaseInput): SyncPhase {
  switch (input.state) {
    case 'stopped':
    case 'error':
      return input.state;
    case 'waiting':
      return input.waitingFor === 'network' ? 'offline' : 'waiting';
    case 'backing-off':
      return 'retrying';
    case 'syncing':
    case 'idle':
      break;
  }
  if (input.lastSuccessAt === null) return 'loading';
  if (input.state === 'syncing') return 'syncing';
  if (input.live === 'reconnecting') return 'reconnecting';
  if (input.live === 'connecting' || (input.live === 'open' && !input.current)) {
    return 'connecting';
  }
  if (input.pendingCount > 0) return 'pending';
  return input.current ? 'up-to-date' : 'stale';
}

/** Everything the holder keeps: the snapshot's fields (but the derived phase) and `current`. */
export type StatusInputs = Omit<SyncStatus, 'phase'> & { current: boolean };

export interface StatusHolder {
  get(): SyncStatus;
  /** Whether the data is known current, as last set. */
  readonly current: boolean;
  /** Replaces the snapshot and publishes it, unless nothing it shows actually changed. */
  update(changes: Partial<StatusInputs>): void;
}

const INITIAL_INPUTS: StatusInputs = {
  state: 'idle',
  nextRunAt: null,
  attempt: 0,
  waitingFor: null,
  lastSuccessAt: null,
  pendingCount: 0,
  lastError: null,
  live: 'off',
  liveRetryAt: null,
  current: false,
};

function snapshotOf(inputs: StatusInputs): SyncStatus {
  const { current: _current, ...fields } = inputs;
  return Object.freeze({ phase: phaseOf(inputs), ...fields });
}

/** The status before anything is known: nothing loaded, nothing synced (`phase: 'loading'`). */
export const INITIAL_STATUS: SyncStatus = snapshotOf(INITIAL_INPUTS);

/**
 * The part of a thrown value worth showing: its code, message and phrase for people. Ferry's
 * errors (and adapters' errors that carry a `userMessage`) give their own; anything else is
 * `unknown`, whatever `code` it may carry (a Node or DOM code means nothing to a person).
 */
export function describeError(error: unknown): RunError {
  const message = error instanceof Error ? error.message : String(error);
  const fields =
    typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const own = typeof fields.userMessage === 'string' ? fields.userMessage : undefined;
  const code =
    typeof fields.code === 'string' && (own !== undefined || isFerryErrorCode(fields.code))
      ? fields.code
      : 'unknown';
  return { code, message, userMessage: own ?? userMessageFor(code) };
}

export function createStatusHolder(
  publish: (status: SyncStatus) => void,
  initial: Partial<StatusInputs> = {},
): StatusHolder {
  let inputs: StatusInputs = { ...INITIAL_INPUTS, ...initial };
  let current = snapshotOf(inputs);
  return {
    get: () => current,
    get current() {
      return inputs.current;
    },
    update(changes) {
      const keys = Object.keys(changes) as (keyof StatusInputs)[];
      if (keys.every((key) => Object.is(changes[key], inputs[key]))) return;
      inputs = { ...inputs, ...changes };
      const next = snapshotOf(inputs);
      const fields = Object.keys(next) as (keyof SyncStatus)[];
      if (fields.every((key) => Object.is(next[key], current[key]))) return;
      current = next;
      publish(current);
    },
  };
}
