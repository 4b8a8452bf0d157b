/** The agent's output lines, as pure functions of what the client reports. */
import type { RunRecord, SyncStatus } from '@ferry/client';
import type { ProgressCount } from './progress.ts';

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** UTC, to the second. */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const count = (n: number) => n.toLocaleString('en-US');

/** What happens next, from the status after the run. */
function next(status: SyncStatus): string {
  switch (status.state) {
    case 'syncing':
      return 'continuing now';
    case 'waiting':
      return `waiting for ${status.waitingFor === 'network' ? 'the network' : status.waitingFor}`;
    case 'backing-off':
      return status.nextRunAt === null
        ? 'retrying later'
        : `retry at ${formatTime(status.nextRunAt)}`;
    case 'error':
      return 'not retrying until a restart or a local change';
    case 'stopped':
      return 'stopped';
    case 'idle':
      return status.nextRunAt === null ? 'idle' : `next at ${formatTime(status.nextRunAt)}`;
  }
}

/**
 * One line per run: when, why, what came of it, what it moved, what happens next, and why
 * it failed. `exiting`: the agent stops after this run (`--once`), so nothing comes next.
 */
export function formatRun(run: RunRecord, status: SyncStatus, exiting = false): string {
  const head = `${formatTime(run.startedAt)} run ${run.id} [${run.triggers.join(', ')}]`;
  const outcome =
    run.outcome === 'success'
      ? 'ok'
      : run.outcome === 'aborted'
        ? `stopped (${run.abortReason ?? 'aborted'})`
        : run.outcome === 'failed'
          ? `failed (${run.error?.code ?? (run.abortReason === 'budget' ? 'budget' : 'error')})`
          : run.outcome;
  const took = run.endedAt === null ? '' : ` in ${formatDuration(run.endedAt - run.startedAt)}`;
  const rejected = run.rejected > 0 ? `, rejected ${count(run.rejected)}` : '';
  const moved = `pushed ${count(run.pushed)}, pulled ${count(run.pulled)}${rejected}, ${formatBytes(run.bytesSent + run.bytesReceived)}`;
  const reset = run.reset ? ' (a fresh snapshot: the server could not serve the cursor)' : '';
  const why = run.error === null ? '' : ` — ${run.error.message}`;
  return `${head} ${outcome}${took}: ${moved}${reset}; ${exiting ? 'exiting' : next(status)}${why}`;
}

/**
 * A progress line: what is counted (`first sync`, `run 7`), what moved so far, and, when the
 * server estimated what is left, the total and how far along that is. The percentage is
 * rounded down, so it says 100% only once nothing is left.
 */
export function formatProgress(what: string, progress: ProgressCount): string {
  const pushed = progress.pushed > 0 ? `pushed ${count(progress.pushed)}, ` : '';
  const bytes = formatBytes(progress.bytesReceived);
  const { pulled, remaining } = progress;
  if (remaining === undefined || pulled + remaining === 0) {
    return `  ${what}: ${pushed}${count(pulled)} changes pulled (${bytes}) so far`;
  }
  const total = pulled + remaining;
  const percent = Math.floor((pulled / total) * 100);
  return `  ${what}: ${pushed}${count(pulled)} of about ${count(total)} changes pulled (${percent}%, ${bytes}) so far`;
}
