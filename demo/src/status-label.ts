/** What the status indicator says: one of five labels from the client's status and the browser's connectivity. */
import type { SyncStatus } from '@ferry/client';

export type IndicatorState = 'synced' | 'syncing' | 'offline' | 'pending' | 'error';

export function describeStatus(
  status: SyncStatus,
  online: boolean,
): { state: IndicatorState; label: string } {
  if (!online || status.waitingFor === 'network') return { state: 'offline', label: 'Offline' };
  if (status.state === 'syncing') return { state: 'syncing', label: 'Syncing…' };
  if (status.lastError !== null && (status.state === 'error' || status.state === 'backing-off'))
    return { state: 'error', label: `Error: ${status.lastError.message}` };
  if (status.pendingCount > 0) return { state: 'pending', label: `${status.pendingCount} pending` };
  return { state: 'synced', label: 'Synced' };
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
