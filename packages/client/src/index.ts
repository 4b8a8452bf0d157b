export {
  FerryClosedError,
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryValidationError,
} from './errors.ts';
export type { Logger } from './logger.ts';
export { createMemoryStore } from './memory-store.ts';
export type { OutboxEntry, RecordAddress, Store, StoreBatch, StoredRecord } from './store.ts';
