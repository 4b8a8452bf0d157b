/**
 * A first-in, first-out async lock. Local writes, reads and the sync engine's store commits
 * all run through one, so mutation ids are handed out in commit order and a read never
 * sees the store and the in-memory outbox from two different moments.
 */
export interface Mutex {
  /** Runs `task` once every task queued before it has settled. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Settles once every task queued so far has settled. */
  idle(): Promise<void>;
}

const ignore = (): void => {};

export function createMutex(): Mutex {
  let tail: Promise<void> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task);
      tail = result.then(ignore, ignore);
      return result;
    },
    idle: () => tail,
  };
}
