/** The public shape of a client: what `createClient` returns, its events and results. */
import type { ClientId, JsonObject } from '@ferry/protocol';
import type { ChangeEvent } from './changes.ts';
import type { CollectionFor } from './collection.ts';
import type { Unsubscribe } from './emitter.ts';
import type { InspectOptions, InspectorSnapshot } from './inspect.ts';
import type { RejectionEvent } from './push.ts';
import type { SchedulerCapabilities } from './scheduler/environment.ts';
import type { RunRecord } from './scheduler/history.ts';
import type { SyncStatus } from './status.ts';
import type { SyncOptions } from './sync-options.ts';
import type { SyncProgress } from './sync-run.ts';

export interface SyncResult {
  /** Mutations the server confirmed as applied (or as already applied by an earlier send). */
  pushed: number;
  /** Changes pulled and applied. */
  pulled: number;
  /** Mutations the server rejected; each was rolled back and reported via 'rejected'. */
  rejected: number;
  /** True when the server could not serve the cursor and sent a fresh snapshot. */
  reset: boolean;
}

export interface ClientEvents {
  rejected: RejectionEvent;
  change: ChangeEvent;
  status: SyncStatus;
  /** A run ended (whatever its outcome); the same record is in `history()`. */
  run: RunRecord;
  /** A run committed a push batch or a pull page. */
  progress: SyncProgress;
}

/** The key of `FerryClient`'s type-only schema property; no such value exists at run time. */
declare const schemaOfClient: unique symbol;

export interface FerryClient<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
> {
  /**
   * Types only, never set: the client's schema, so that a client of one schema is not taken
   * for a client of another (`FerryProvider`, functions that take a typed client).
   */
  readonly [schemaOfClient]?: Schema;
  /**
   * A handle on one collection in one space (default: the `defaultSpace` option). Its reads
   * give the schema entry's output type and its writes take the input type (the same type,
   * unless the entry is a schema's `CollectionTypes`, as `InferCollections` makes). A bad
   * name or space throws at once: `FerryValidationError`, or `FerryConfigError` for no
   * space at all or one outside the `spaces` option.
   */
  collection<Name extends keyof Schema & string>(
    name: Name,
    options?: { space?: string },
  ): CollectionFor<Schema[Name]>;
  /**
   * A requested run, recorded with `options.trigger` (default `manual`; `push` and
   * `background` are for the wake-ups of a push message or of the OS, which the runtime
   * adapters make): a run that starts after this call pushes every pending mutation and
   * pulls to the end. Calls made while a run is under way share one follow-up run. It
   * waits for a server's Retry-After, but not for the rest of a backoff. Rejects with the
   * run's error when that run fails, and at once with `FerryConditionsError` when a run
   * condition is not met (offline, most often) or is lost during the run: the run it asked
   * for still happens once the condition is met again. Any other trigger, or an option
   * it does not know, rejects with `FerryConfigError` and asks for no run.
   */
  sync(options?: SyncOptions): Promise<SyncResult>;
  getStatus(): SyncStatus;
  /** Calls `listener` on every status change. */
  subscribeStatus(listener: (status: SyncStatus) => void): Unsubscribe;
  on<Name extends keyof ClientEvents>(
    name: Name,
    listener: (event: ClientEvents[Name]) => void,
  ): Unsubscribe;
  /** The last runs, oldest first, as kept in the store (`schedule.historySize` of them). */
  history(): Promise<RunRecord[]>;
  /**
   * What the engine is doing, for a developer's view (`FerryInspector`, `ferry-agent
   * status`): status, pending writes, recent runs and rejections, cursor age, store sizes.
   * A plain JSON-able object, bounded by the options; cheap unless it counts records.
   */
  inspect(options?: InspectOptions): Promise<InspectorSnapshot>;
  /** The triggers and run conditions this runtime supports. */
  capabilities(): SchedulerCapabilities;
  /** Opens the live event stream: server pokes trigger syncs. */
  startLive(): void;
  stopLive(): Promise<void>;
  /** This client's id, generated and stored on first use. */
  getClientId(): Promise<ClientId>;
  /**
   * Stops the live stream and the scheduler, aborts a run under way (its committed work is
   * kept and the abort is recorded), waits for accepted writes to be stored, and makes
   * every further call fail with `FerryClosedError` (a call returning a promise rejects
   * with it, any other throws it), but `getStatus()`, which keeps answering (phase
   * `stopped`), `capabilities()`, and `stopLive()` and `close()`, which resolve. The store
   * is the caller's and stays open.
   */
  close(): Promise<void>;
}
