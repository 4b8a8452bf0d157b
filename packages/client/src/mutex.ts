/**
 * The engine's lock: a readers-writer lock in phases. Local writes and the sync engine's
 * store commits run one at a time, in the order queued (`run`), so mutation ids are handed
 * out in commit order; reads (`read`) run together, never beside a commit, so a read never
 * sees the store and the in-memory outbox from two different moments.
 *
 * A read waits at most for one commit: the one running, or, when commits are queued while
 * reads run, the first of them. It never waits for the rest of the queue or for other reads,
 * so a screen's queries are not held up by sync work queued behind a commit (a page of a
 * long pull, a push's confirmation, the scheduler's bookkeeping). A commit waits for the
 * reads that started before it, and reads that arrive after it was queued wait for it, so a
 * steady stream of reads cannot hold commits back.
 */
export interface Mutex {
  /** Runs `task` alone, once every task queued with `run` before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Runs `task` beside other reads, once the commit it has to wait for (if any) settled. */
  read<T>(task: () => Promise<T>): Promise<T>;
  /** Settles once every task queued so far has settled. */
  idle(): Promise<void>;
}

const ignore = (): void => {};

export function createMutex(): Mutex {
  let writing = false;
  let reading = 0;
  const writers: (() => void)[] = [];
  /** Reads waiting for the commit running now (or for the next one, while reads run). */
  let waitingReads: (() => void)[] = [];
  const unsettled = new Set<Promise<unknown>>();

  const track = <T>(result: Promise<T>): Promise<T> => {
    const settled = result.then(ignore, ignore);
    unsettled.add(settled);
    void settled.then(() => unsettled.delete(settled));
    return result;
  };

  const startReads = () => {
    const started = waitingReads;
    waitingReads = [];
    reading += started.length;
    for (const start of started) start();
  };

  const next = () => {
    if (writing || reading > 0) return;
    const writer = writers.shift();
    if (writer === undefined) return;
    writing = true;
    writer();
  };

  const readEnded = () => {
    reading--;
    next();
  };

  const writeEnded = () => {
    writing = false;
    // The reads that waited for this commit run before the next one starts.
    startReads();
    next();
  };

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const turn = new Promise<void>((start) => writers.push(start));
      next();
      return track(turn.then(task).finally(writeEnded));
    },
    read<T>(task: () => Promise<T>): Promise<T> {
      if (!writing && writers.length === 0) {
        reading++;
        return track(Promise.resolve().then(task).finally(readEnded));
      }
      const turn = new Promise<void>((start) => waitingReads.push(start));
      return track(turn.then(task).finally(readEnded));
    },
    idle: async () => {
      await Promise.all([...unsettled]);
    },
  };
}
