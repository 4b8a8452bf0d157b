/**
 * Single flight for sync runs: a `sync()` while one runs shares that run's promise, and
 * `request()` (used for server pokes) folds every request made during a run into one
 * follow-up run, so a burst of pokes costs at most two runs.
 */
import { errorFields, type Logger } from './logger.ts';

export interface SyncRunner<Result> {
  /** The running sync, or a new one. */
  sync(): Promise<Result>;
  /** Starts a sync now, or once after the running one if one is running. Never rejects. */
  request(): void;
  /** The running sync, if any. */
  current(): Promise<Result> | undefined;
  /** Drops a wanted follow-up and ignores later requests; `sync()` still works. */
  stopRequests(): void;
}

export function createSyncRunner<Result>(
  run: () => Promise<Result>,
  logger: Logger,
): SyncRunner<Result> {
  let inFlight: Promise<Result> | undefined;
  let followUpWanted = false;
  let requestsStopped = false;

  const settled = () => {
    inFlight = undefined;
    if (followUpWanted) {
      followUpWanted = false;
      request();
    }
  };

  const sync = (): Promise<Result> => {
    if (inFlight !== undefined) return inFlight;
    const started = run();
    inFlight = started;
    // Registered before any caller can await `started`, so a caller that awaits it and
    // then calls sync() again gets a fresh run.
    started.then(settled, settled);
    return started;
  };

  function request(): void {
    if (requestsStopped) return;
    if (inFlight !== undefined) {
      followUpWanted = true;
      return;
    }
    sync().catch((error: unknown) => {
      logger.warn('a requested sync failed', errorFields(error));
    });
  }

  return {
    sync,
    request,
    current: () => inFlight,
    stopRequests() {
      requestsStopped = true;
      followUpWanted = false;
    },
  };
}
