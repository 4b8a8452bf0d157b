export type { ChangeCause, ChangeEvent, CollectionRef } from './changes.ts';
export { type ClientEvents, createClient, type FerryClient, type SyncResult } from './client.ts';
export type { Collection, Patch, QueryOptions, WriteOptions } from './collection.ts';
export type { Unsubscribe } from './emitter.ts';
export {
  FerryClosedError,
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryValidationError,
} from './errors.ts';
export type { TokenProvider } from './fetch.ts';
export type { Logger } from './logger.ts';
export { createMemoryStore } from './memory-store.ts';
export type { ClientOptions } from './options.ts';
export type { Row } from './overlay.ts';
export type { RejectionEvent } from './push.ts';
export type { LiveState, SyncState, SyncStatus } from './status.ts';
export type { OutboxEntry, RecordAddress, Store, StoreBatch, StoredRecord } from './store.ts';
