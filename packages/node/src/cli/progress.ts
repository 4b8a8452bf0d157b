/**
 * The agent's progress count for the first sync. A first sync of a large data set spans
 * several runs (each cut at `maxRunDurationMs` and continued), and a run's own counters
 * start at zero, so the count adds the runs that ended before the one under way, until a
 * run succeeds and the first sync is done.
 */
import type { RunRecord, SyncProgress } from '@ferry/client';

export interface ProgressCount {
  pushed: number;
  pulled: number;
  bytesReceived: number;
  /** The changes still to pull, as estimated after the last page; undefined when unknown. */
  remaining: number | undefined;
}

export interface FirstSyncTally {
  /** The count so far, with this progress event of the run under way added. */
  add(progress: SyncProgress): ProgressCount;
  /** A run ended: its work is kept in the count, or the count ends with a success. */
  runEnded(run: RunRecord): void;
}

export function createFirstSyncTally(): FirstSyncTally {
  let ended = { pushed: 0, pulled: 0, bytesReceived: 0 };
  return {
    add(progress) {
      return {
        pushed: ended.pushed + progress.pushed,
        pulled: ended.pulled + progress.pulled,
        bytesReceived: ended.bytesReceived + progress.bytesReceived,
        remaining: progress.remaining,
      };
    },
    runEnded(run) {
      ended =
        run.outcome === 'success'
          ? { pushed: 0, pulled: 0, bytesReceived: 0 }
          : {
              pushed: ended.pushed + run.pushed,
              pulled: ended.pulled + run.pulled,
              bytesReceived: ended.bytesReceived + run.bytesReceived,
            };
    },
  };
}
