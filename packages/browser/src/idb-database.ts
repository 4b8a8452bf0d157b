/**
 * The IndexedDB database behind the store: its schema, opening and deleting it, and the
 * few promise helpers the store needs around raw requests and transactions.
 *
 * Schema (version 1):
 * - `records`: key path [space, collection, key]; the value is the `StoredRecord` itself,
 *   so one collection of one space is one key range, listed in key order (IndexedDB
 *   compares strings by UTF-16 code units, the order of the other stores).
 * - `outbox`: key path `id`; the value is the mutation exactly as it will be pushed.
 * - `meta`: out-of-line string keys; the engine's metadata and nothing else.
 * - `fence`: the store's own bookkeeping (the writer epoch under `writerEpoch`, the declared
 *   indexes under `indexes`), kept out of `meta` so that no `getMeta`/`setMeta` key can ever
 *   read or overwrite it.
 *
 * Version 2 adds the `entries` index of `records`: a multiEntry index over the stored
 * object's `ix` property, which lists the record's entries `[space, collection, index name,
 * entry]` in every declared index (entries are `indexEntry` strings of `@ferry/client`, so
 * IndexedDB orders them as every other store does, nulls, booleans and missing fields
 * included, which IndexedDB cannot index natively). One IndexedDB index serves every
 * declared index, so declaring or changing one rewrites the `ix` of that collection's
 * records in a readwrite transaction and needs no new database version (no `versionchange`
 * for the other tabs).
 *
 * Version 3 writes entries shorter (plain text stands for itself in them): the upgrade
 * forgets the declarations, so the client rewrites every declared index's entries when it
 * opens, and a Ferry that knows only the former entries does not open the database.
 */
import { FerryStorageFullError, FerryStoreBlockedError, FerryStoreVersionError } from './errors.ts';

export const SCHEMA_VERSION = 3;
export const RECORDS = 'records';
export const OUTBOX = 'outbox';
export const META = 'meta';
export const FENCE = 'fence';
export const WRITER_EPOCH = 'writerEpoch';
export const INDEXES = 'indexes';
export const ENTRIES = 'entries';

/** How long opening or deleting may stay blocked by other connections before giving up. */
export const BLOCKED_TIMEOUT_MS = 5_000;

function upgrade(db: IDBDatabase, tx: IDBTransaction, oldVersion: number): void {
  if (oldVersion < 1) {
    db.createObjectStore(RECORDS, { keyPath: ['space', 'collection', 'key'] });
    db.createObjectStore(OUTBOX, { keyPath: 'id' });
    db.createObjectStore(META);
    db.createObjectStore(FENCE);
  }
  if (oldVersion < 2) {
    tx.objectStore(RECORDS).createIndex(ENTRIES, 'ix', { multiEntry: true });
  }
  if (oldVersion === 2) tx.objectStore(FENCE).delete(INDEXES);
}

/**
 * Opens (creating or upgrading) the database. When the open stays blocked because a tab
 * of an older version keeps a connection and ignores `versionchange`, rejects after
 * `BLOCKED_TIMEOUT_MS`; a connection that arrives after that is closed at once.
 */
export function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let blockedTimer: ReturnType<typeof setTimeout> | undefined;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(blockedTimer);
      fn();
    };
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name, SCHEMA_VERSION);
    } catch (error) {
      reject(error);
      return;
    }
    request.onupgradeneeded = (event) =>
      upgrade(request.result, request.transaction!, event.oldVersion);
    request.onsuccess = () => {
      const db = request.result;
      if (settled) db.close();
      else settle(() => resolve(db));
    };
    request.onerror = (event) => {
      event.preventDefault();
      const error = request.error;
      settle(() =>
        reject(
          error?.name === 'VersionError'
            ? new FerryStoreVersionError(name, { cause: error })
            : storeError(name, error),
        ),
      );
    };
    request.onblocked = () => {
      blockedTimer ??= setTimeout(
        () => settle(() => reject(new FerryStoreBlockedError(name, 'open', BLOCKED_TIMEOUT_MS))),
        BLOCKED_TIMEOUT_MS,
      );
    };
  });
}

/** Deletes the database; see `deleteIndexedDbStore`. */
export function deleteDatabase(factory: IDBFactory, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let blockedTimer: ReturnType<typeof setTimeout> | undefined;
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => {
      clearTimeout(blockedTimer);
      resolve();
    };
    request.onerror = (event) => {
      event.preventDefault();
      clearTimeout(blockedTimer);
      reject(storeError(name, request.error));
    };
    request.onblocked = () => {
      blockedTimer ??= setTimeout(
        () => reject(new FerryStoreBlockedError(name, 'delete', BLOCKED_TIMEOUT_MS)),
        BLOCKED_TIMEOUT_MS,
      );
    };
  });
}

/** The error to reject with for a failed request or transaction of the database `name`. */
export function storeError(name: string, error: DOMException | null | undefined): Error {
  if (error == null) return new Error(`The IndexedDB transaction on "${name}" was aborted.`);
  if (error.name === 'QuotaExceededError') return new FerryStorageFullError(name, { cause: error });
  // Some engines' DOMException does not inherit from Error; wrap those for a stack.
  const plain: unknown = error;
  if (plain instanceof Error) return plain;
  return new Error(`IndexedDB failed on "${name}": ${error.name}: ${error.message}`, {
    cause: error,
  });
}

/** The result of one request (for reads; a read needs no transaction `complete`). */
export function requestResult<T>(name: string, request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = (event) => {
      event.preventDefault();
      reject(storeError(name, request.error));
    };
  });
}
