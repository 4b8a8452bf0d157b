/**
 * What the status bar says, from the client's status alone: a short label for its phase
 * (the client decides what is true; this only words it), the pending count shown beside
 * any phase, and the one problem worth a banner with its phrase for people.
 */
import type { SyncPhase, SyncStatus } from '@ferry/client';

/** The indicator's colour: a few kinds of phase. */
export type IndicatorState = 'synced' | 'syncing' | 'offline' | 'pending' | 'error';

const LABELS: Record<SyncPhase, { state: IndicatorState; label: string }> = {
  loading: { state: 'syncing', label: 'Loading your lists…' },
  syncing: { state: 'syncing', label: 'Syncing…' },
  'up-to-date': { state: 'synced', label: 'Synced' },
  pending: { state: 'pending', label: 'Sending soon' },
  connecting: { state: 'syncing', label: 'Connecting…' },
  reconnecting: { state: 'pending', label: 'Reconnecting…' },
  offline: { state: 'offline', label: 'Offline' },
  waiting: { state: 'offline', label: 'Paused' },
  retrying: { state: 'error', label: 'Not syncing' },
  error: { state: 'error', label: 'Sync stopped' },
  stale: { state: 'pending', label: 'Not synced lately' },
  stopped: { state: 'offline', label: 'Stopped' },
};

export function describeStatus(status: SyncStatus): {
  phase: SyncPhase;
  state: IndicatorState;
  label: string;
} {
  return { phase: status.phase, ...LABELS[status.phase] };
}

/** "3 pending", or null when nothing waits to be sent. */
export function pendingLabel(status: SyncStatus): string | null {
  return status.pendingCount === 0 ? null : `${status.pendingCount} pending`;
}

/** A problem worth telling the person about: a code to recognise it by, and its phrase. */
export interface Problem {
  /** Same key, same problem: a dismissed one stays dismissed until another comes. */
  key: string;
  code: string;
  message: string;
}

/** A "Sync now" that failed: the error's phrase, and when, to tell when it is over. */
export interface SyncFailure {
  code: string;
  message: string;
  at: number;
}

/** The phrase of an error from `sync()` (Ferry's errors carry one), or a plain one. */
export function failureOf(error: unknown, at: number): SyncFailure {
  const { code, userMessage } = (error ?? {}) as { code?: unknown; userMessage?: unknown };
  return {
    code: typeof code === 'string' ? code : 'unknown',
    message: typeof userMessage === 'string' ? userMessage : 'Sync failed — trying again',
    at,
  };
}

/**
 * The problem to show, if any: the last run's error while there is one, else a failed
 * "Sync now" until the client has synced since (or the phase is up to date again).
 */
export function currentProblem(status: SyncStatus, failure: SyncFailure | null): Problem | null {
  const error = status.lastError;
  if (error !== null) {
    return {
      key: `status:${error.code}:${error.message}`,
      code: error.code,
      message: error.userMessage,
    };
  }
  if (failure === null) return null;
  const syncedSince = status.lastSuccessAt !== null && status.lastSuccessAt > failure.at;
  if (syncedSince || status.phase === 'up-to-date') return null;
  return { key: `sync:${failure.at}`, code: failure.code, message: failure.message };
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", or the date. */
export function relativeTime(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 10) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(then).toLocaleDateString();
}
