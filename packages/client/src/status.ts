/**
 * The client's visible status: one immutable snapshot, replaced (never mutated) on every
 * change, so a UI can compare snapshots by identity. The `state` comes from the
 * scheduler's state machine (`scheduler/status-machine.ts`); this file only holds and
 * publishes values.
 */
import type { WaitingFor } from './scheduler/environment.ts';
import type { SchedulerState } from './scheduler/status-machine.ts';

export type SyncState = SchedulerState;
/** The live event stream: not wanted, (re)connecting, or connected. */
export type LiveState = 'off' | 'connecting' | 'open';

export interface SyncStatus {
  /** idle, syncing, waiting (a run condition is not met), backing-off, error or stopped. */
  readonly state: SyncState;
  /** When the next automatic run is planned (ms since the epoch), or null when none is. */
  readonly nextRunAt: number | null;
  /** Failed runs in a row since the last success. */
  readonly attempt: number;
  /** What the scheduler waits for in the `waiting` state, else null. */
  readonly waitingFor: WaitingFor | null;
  /** `now()` when a run last pushed and pulled to the end, or null if none has. */
  readonly lastSuccessAt: number | null;
  /** Local mutations not yet confirmed by a pull. */
  readonly pendingCount: number;
  /** Why the last run failed; null after a success. */
  readonly lastError: { readonly code?: string; readonly message: string } | null;
  readonly live: LiveState;
}

export interface StatusHolder {
  get(): SyncStatus;
  /** Replaces the snapshot and publishes it, unless nothing actually changed. */
  update(changes: Partial<SyncStatus>): void;
}

export const INITIAL_STATUS: SyncStatus = Object.freeze({
  state: 'idle',
  nextRunAt: null,
  attempt: 0,
  waitingFor: null,
  lastSuccessAt: null,
  pendingCount: 0,
  lastError: null,
  live: 'off',
});

/** The part of a thrown value worth showing: its message and, for typed errors, its code. */
export function describeError(error: unknown): NonNullable<SyncStatus['lastError']> {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? { code, message } : { message };
}

export function createStatusHolder(
  publish: (status: SyncStatus) => void,
  initial: SyncStatus = INITIAL_STATUS,
): StatusHolder {
  let current = initial;
  return {
    get: () => current,
    update(changes) {
      const keys = Object.keys(changes) as (keyof SyncStatus)[];
      if (keys.every((key) => Object.is(changes[key], current[key]))) return;
      current = Object.freeze({ ...current, ...changes });
      publish(current);
    },
  };
}
