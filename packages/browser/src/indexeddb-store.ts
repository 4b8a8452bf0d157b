/**
 * A durable `Store` on IndexedDB, for pages, workers and the service worker. One database
 * per user per app holds the client's records, outbox and metadata (schema in
 * `idb-database.ts`); each `commit` is one readwrite transaction (`idb-commit.ts`), so
 * after a crash or a closed tab either the whole batch is there or none of it.
 *
 * Values are stored as structured-clone objects, not JSON strings: IndexedDB copies them
 * on the way in and out, so nobody reaches stored state through a reference. Measured in
 * headless Chromium (this repo's container, 2 cores shared, three rounds): 10,000 records
 * of ~200 bytes put in one transaction took 0.77-1.0 s as objects and 0.69-1.1 s as
 * `JSON.stringify` strings, and reading them all back (`getAll`, plus `JSON.parse` for
 * the strings) 110-150 ms against 105-150 ms: no consistent difference, so the simpler
 * form stays, and stored records remain readable in the browser's devtools.
 *
 * Several tabs and workers may open the same database. Only one of them should write
 * what sync brings (I6): it calls `claim()`, and every commit of the view it gets back is
 * fenced by a writer epoch, so a former leader that has not noticed it lost its lock
 * cannot overwrite the new leader's work.
 *
 * Uses the global `IDBKeyRange` of the runtime (in Node tests: `import 'fake-indexeddb/auto'`).
 */
import {
  FerryClosedError,
  type IndexDefinition,
  type IndexScan,
  type OutboxEntry,
  type RecordAddress,
  type Store,
  type StoreBatch,
  type StoredRecord,
} from '@ferry/client';
import { sameDefinitions } from '@ferry/client/internal';
import type { JsonValue } from '@ferry/protocol';
import { type DatabaseClosedReason, FerryDatabaseClosedError } from './errors.ts';
import { collectionRange, commitBatch } from './idb-commit.ts';
import {
  deleteDatabase,
  FENCE,
  META,
  OUTBOX,
  openDatabase,
  RECORDS,
  requestResult,
  storeError,
  WRITER_EPOCH,
} from './idb-database.ts';
import * as ix from './idb-indexes.ts';

export interface IndexedDbStoreOptions {
  /** The database name: one per user per app, e.g. `todo-alice`. */
  name: string;
  /** Default: globalThis.indexedDB. Tests pass fake-indexeddb's. */
  indexedDB?: IDBFactory;
}

export interface IndexedDbStore extends Store {
  readonly name: string;
  /**
   * Claims the store for one writer (the sync leader): increments a writer epoch kept in the
   * database, in its own readwrite transaction, and returns a view of the same store whose
   * `commit` first checks, inside the same IndexedDB transaction, that the epoch is still the
   * one it claimed, and otherwise aborts the transaction and rejects with
   * `FerryLeadershipLostError` (nothing of the batch is written). Reads go straight through.
   * Closing the view does not close the underlying store.
   */
  claim(): Promise<Store & { readonly epoch: number }>;
}

function factoryOf(given: IDBFactory | undefined): IDBFactory {
  const factory = given ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (factory === undefined) {
    throw new Error(
      'IndexedDB is not available in this runtime: open the IndexedDB store in a page or worker, or pass the indexedDB option (fake-indexeddb in Node tests).',
    );
  }
  return factory;
}

export async function openIndexedDbStore(options: IndexedDbStoreOptions): Promise<IndexedDbStore> {
  const { name } = options;
  const db = await openDatabase(factoryOf(options.indexedDB), name);
  // The declared indexes as stored; commits compute index entries with them.
  let indexes: IndexDefinition[];
  try {
    indexes = await ix.readDefinitions(db, name);
  } catch (error) {
    db.close();
    throw error;
  }
  let closed = false;
  let lost: DatabaseClosedReason | undefined;
  // Another connection wants to delete or upgrade the database: step aside instead of
  // blocking it forever; later calls reject with FerryDatabaseClosedError.
  db.onversionchange = () => {
    lost ??= 'versionchange';
    db.close();
  };
  db.onclose = () => {
    lost ??= 'browser';
  };

  const connection = (): IDBDatabase => {
    if (closed) throw new FerryClosedError('store');
    if (lost !== undefined) throw new FerryDatabaseClosedError(name, lost);
    return db;
  };
  const read = <T>(store: string, request: (store: IDBObjectStore) => IDBRequest<T>) =>
    requestResult(name, request(connection().transaction(store, 'readonly').objectStore(store)));

  const reads = {
    async getRecord(address: RecordAddress): Promise<StoredRecord | undefined> {
      const key = [address.space, address.collection, address.key];
      return ix.recordOf((await read(RECORDS, (s) => s.get(key))) as ix.StoredObject | undefined);
    },
    async listRecords(space: string, collection: string): Promise<StoredRecord[]> {
      const range = collectionRange(space, collection);
      const stored = (await read(RECORDS, (s) => s.getAll(range))) as ix.StoredObject[];
      return stored.map((record) => ix.recordOf(record)!);
    },
    async getRecords(
      space: string,
      collection: string,
      keys: readonly string[],
    ): Promise<(StoredRecord | undefined)[]> {
      if (keys.length === 0) return [];
      const store = connection().transaction(RECORDS, 'readonly').objectStore(RECORDS);
      const found = await Promise.all(
        keys.map((key) => requestResult(name, store.get([space, collection, key]))),
      );
      return found.map((stored) => ix.recordOf(stored as ix.StoredObject | undefined));
    },
    async defineIndexes(wanted: readonly IndexDefinition[]): Promise<void> {
      if (sameDefinitions(indexes, wanted)) return;
      const copy = wanted.map((d) => ({ ...d, fields: [...d.fields] }));
      await ix.writeDefinitions(connection(), name, indexes, copy);
      indexes = copy;
    },
    async scanIndex(scan: IndexScan, order: 'asc' | 'desc', limit?: number) {
      ix.checkDeclared(indexes, scan);
      return ix.scanIndex(connection(), name, scan, order, limit);
    },
    async countIndex(scan: IndexScan) {
      ix.checkDeclared(indexes, scan);
      return ix.countIndex(connection(), name, scan);
    },
    async listOutbox(): Promise<OutboxEntry[]> {
      return (await read(OUTBOX, (s) => s.getAll())) as OutboxEntry[];
    },
    async getMeta(key: string): Promise<JsonValue | undefined> {
      return (await read(META, (s) => s.get(key))) as JsonValue | undefined;
    },
  };

  return {
    name,
    ...reads,
    async commit(batch: StoreBatch) {
      await commitBatch(connection(), name, batch, indexes);
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
    async claim() {
      const epoch = await claimEpoch(connection(), name);
      let viewClosed = false;
      const guard = () => {
        if (viewClosed) throw new FerryClosedError('store');
      };
      return {
        epoch,
        async getRecord(address) {
          guard();
          return reads.getRecord(address);
        },
        async listRecords(space, collection) {
          guard();
          return reads.listRecords(space, collection);
        },
        async listOutbox() {
          guard();
          return reads.listOutbox();
        },
        async getRecords(space, collection, keys) {
          guard();
          return reads.getRecords(space, collection, keys);
        },
        async defineIndexes(wanted) {
          guard();
          return reads.defineIndexes(wanted);
        },
        async scanIndex(scan, order, limit) {
          guard();
          return reads.scanIndex(scan, order, limit);
        },
        async countIndex(scan) {
          guard();
          return reads.countIndex(scan);
        },
        async getMeta(key) {
          guard();
          return reads.getMeta(key);
        },
        async commit(batch) {
          guard();
          await commitBatch(connection(), name, batch, indexes, epoch);
        },
        async close() {
          viewClosed = true;
        },
      };
    },
  };
}

/** Increments the writer epoch in its own transaction; resolves with the new epoch once durable. */
function claimEpoch(db: IDBDatabase, name: string): Promise<number> {
  const tx = db.transaction(FENCE, 'readwrite', { durability: 'strict' });
  const fence = tx.objectStore(FENCE);
  return new Promise((resolve, reject) => {
    let epoch = 0;
    const current = fence.get(WRITER_EPOCH);
    current.onsuccess = () => {
      epoch = (typeof current.result === 'number' ? current.result : 0) + 1;
      fence.put(epoch, WRITER_EPOCH);
    };
    tx.oncomplete = () => resolve(epoch);
    tx.onabort = () => reject(storeError(name, tx.error));
  });
}

/**
 * Deletes the database (e.g. at sign-out). Open stores on it, in this tab or others, close
 * their connections when asked; rejects with `FerryStoreBlockedError` if some connection
 * still blocks the deletion after 5 s (the deletion then still happens once it closes).
 */
export function deleteIndexedDbStore(name: string, indexedDB?: IDBFactory): Promise<void> {
  try {
    return deleteDatabase(factoryOf(indexedDB), name);
  } catch (error) {
    return Promise.reject(error);
  }
}
