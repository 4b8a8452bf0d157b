export type { ChangeCause, ChangeEvent, CollectionRef } from './changes.ts';
export { createClient } from './client.ts';
export type { ClientEvents, FerryClient, SyncResult } from './client-api.ts';
export type {
  Collection,
  CollectionFor,
  FieldPath,
  FieldValue,
  IndexDeclarations,
  Patch,
  Query,
  QueryOptions,
  WriteOptions,
} from './collection.ts';
export type { CollectionOptions, CollectionsOptions } from './collection-options.ts';
export type { Unsubscribe } from './emitter.ts';
export { type ClientErrorCode, type FerryErrorCode, userMessageFor } from './error-codes.ts';
export {
  FerryClosedError,
  FerryConditionsError,
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTimeoutError,
  FerryTokenError,
  FerryValidationError,
} from './errors.ts';
export type { TokenProvider } from './fetch.ts';
export {
  type CollectionSize,
  INSPECT_DEFAULTS,
  type InspectOptions,
  type InspectorSnapshot,
  type PendingSummary,
  type RejectionSummary,
} from './inspect.ts';
export { type InspectStoreOptions, inspectStore } from './inspect-store.ts';
export type { Logger } from './logger.ts';
export { createMemoryStore } from './memory-store.ts';
export type { ClientOptions } from './options.ts';
export type { Row } from './overlay.ts';
export type { RejectionEvent } from './push.ts';
export type { FieldRange } from './query.ts';
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
  type AutomaticTrigger,
  REQUESTED_TRIGGERS,
  type RequestedTrigger,
  TRIGGERS,
  type Trigger,
} from './scheduler/triggers.ts';
export type { LiveState, SyncPhase, SyncState, SyncStatus } from './status.ts';
export type {
  EntryBounds,
  IndexDefinition,
  IndexScan,
  OutboxEntry,
  RecordAddress,
  Store,
  StoreBatch,
  StoredRecord,
} from './store.ts';
export type { SyncOptions } from './sync-options.ts';
export type { SyncProgress } from './sync-run.ts';
