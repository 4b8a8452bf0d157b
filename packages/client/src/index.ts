export type { ChangeCause, ChangeEvent, CollectionRef } from './changes.ts';
export { createClient } from './client.ts';
export type { ClientEvents, FerryClient, SyncResult } from './client-api.ts';
export type { Collection, Patch, QueryOptions, WriteOptions } from './collection.ts';
export { createEmitter, type Emitter, type Unsubscribe } from './emitter.ts';
export {
  FerryClosedError,
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTokenError,
  FerryValidationError,
} from './errors.ts';
export type { TokenProvider } from './fetch.ts';
export type { Logger } from './logger.ts';
export { createMemoryStore } from './memory-store.ts';
export type { ClientOptions } from './options.ts';
export type { Row } from './overlay.ts';
export type { RejectionEvent } from './push.ts';
export type { RunContext, RunCounters, RunFn, RunSuccess } from './scheduler/active-run.ts';
export {
  type Conditions,
  createBasicEnvironment,
  type EnvironmentSignals,
  type SchedulerCapabilities,
  type SyncEnvironment,
  type WaitingFor,
} from './scheduler/environment.ts';
export type { AbortReason, RunError, RunOutcome, RunRecord } from './scheduler/history.ts';
export { SCHEDULE_DEFAULTS, type ScheduleOptions } from './scheduler/options.ts';
export {
  type SchedulerEvent,
  type SchedulerState,
  TRANSITIONS,
  type TransitionTable,
} from './scheduler/status-machine.ts';
export {
  AUTOMATIC_TRIGGERS,
  type AutomaticTrigger,
  TRIGGERS,
  type Trigger,
} from './scheduler/triggers.ts';
export { INITIAL_STATUS, type LiveState, type SyncState, type SyncStatus } from './status.ts';
export type { OutboxEntry, RecordAddress, Store, StoreBatch, StoredRecord } from './store.ts';
export { checkStoreBatch } from './store-batch.ts';
// For clients that run the engine elsewhere (another tab, a worker) and mirror its live queries.
export {
  createSubscriptions,
  type Subscriptions,
  type SubscriptionTarget,
} from './subscriptions.ts';
export type { SyncProgress } from './sync-run.ts';
