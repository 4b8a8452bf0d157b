/** What the engine's parts (reads, writes, push, pull) share; assembled in `client.ts`. */
import type { ChangeEvent } from './changes.ts';
import type { LocalState } from './local-state.ts';
import type { Logger } from './logger.ts';
import type { Mutex } from './mutex.ts';
import type { RejectionEvent } from './push.ts';
import type { RunCounters } from './scheduler/active-run.ts';
import type { Store } from './store.ts';

export interface EngineContext {
  readonly store: Store;
  /**
   * Held around every store commit (alone) and every read (beside other reads), never
   * across a network call.
   */
  readonly mutex: Mutex;
  /** Settles once the local state is loaded; rejects if the store could not be read. */
  readonly ready: Promise<LocalState>;
  readonly logger: Logger;
  readonly now: () => number;
  /** Throws `FerryClosedError` once `close()` has begun. */
  assertOpen(): void;
  /** Called after each commit that changed what some view shows. */
  changed(event: ChangeEvent): void;
  /** Called after each commit that changed the outbox. */
  outboxChanged(outboxSize: number): void;
}

/** What push and pull need on top: the server, the sync options and the run they are part of. */
export interface SyncContext extends EngineContext {
  /** POSTs a JSON body to a protocol route and returns the parsed JSON response. */
  post(route: string, body: unknown): Promise<unknown>;
  /** The full URL of a protocol route, for messages. */
  urlFor(route: string): string;
  /** The spaces to pull, or undefined for every space of the token. */
  readonly spaces: readonly string[] | undefined;
  readonly pullLimit: number;
  readonly pushBatchSize: number;
  rejected(event: RejectionEvent): void;
  /** The run's counters, updated as each batch and page is committed. */
  readonly counters: RunCounters;
  /**
   * Called after each push batch and pull page is committed; a pull page passes what the
   * server estimated is left after it (0 after the last page).
   */
  progress(phase: 'push' | 'pull', remaining?: number): void;
}
