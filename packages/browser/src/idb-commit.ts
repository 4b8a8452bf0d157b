/**
 * One `Store.commit` as one IndexedDB readwrite transaction over the object stores the
 * batch touches. Requests are queued back to back without waiting for each (a 10,000
 * record pull page is 10,000 `put`s in one transaction and one disk flush), and the promise
 * settles only on the transaction's `complete` (or `abort`), never on a request's success.
 *
 * Durability: every commit asks for `{durability: 'strict'}`. Since Chrome 121 Chromium's
 * default is 'relaxed' (like Firefox and Safari): `complete` then fires once the data is in
 * the OS's buffers, and an OS crash or power cut in the next seconds can lose transactions
 * the app was told had committed. A commit here can be the only copy of a local write (the
 * outbox: invariant I4, "survives a restart before it is pushed"), so it waits for the
 * flush. The cost is one flush per transaction, not per record, and the engine commits in
 * batches (a local write, a pull page), so it stays small: measured in headless Chromium
 * (container, 2 cores shared), 100 one-record commits took 0.4-1.1 ms each strict and
 * 0.4-0.8 ms relaxed, and a 10,000-record commit showed no consistent difference (on a
 * laptop's disk a flush costs more, still once per commit). Browsers that do not know
 * the option ignore it.
 */
import type { IndexDefinition, StoreBatch } from '@ferry/client';
import { checkStoreBatch } from '@ferry/client/internal';
import { FerryLeadershipLostError } from './errors.ts';
import { FENCE, META, OUTBOX, RECORDS, storeError, WRITER_EPOCH } from './idb-database.ts';
import { storedObject } from './idb-indexes.ts';

const DURABILITY: IDBTransactionOptions = { durability: 'strict' };

/** All keys [space, …] of one space: arrays sort after strings, so [space, []] ends it. */
export const spaceRange = (space: string) => IDBKeyRange.bound([space], [space, []]);

/** All keys [space, collection, …] of one collection of one space. */
export const collectionRange = (space: string, collection: string) =>
  IDBKeyRange.bound([space, collection], [space, collection, []]);

function scopeOf(batch: StoreBatch, fenced: boolean): string[] {
  const scope: string[] = [];
  if (
    batch.clearAll ||
    (batch.clearSpaces?.length ?? 0) > 0 ||
    (batch.putRecords?.length ?? 0) > 0 ||
    (batch.deleteRecords?.length ?? 0) > 0
  ) {
    scope.push(RECORDS);
  }
  if (
    (batch.addOutbox?.length ?? 0) > 0 ||
    (batch.removeOutbox?.length ?? 0) > 0 ||
    batch.removeOutboxThrough !== undefined
  ) {
    scope.push(OUTBOX);
  }
  if (Object.keys(batch.setMeta ?? {}).length > 0) scope.push(META);
  if (fenced) scope.push(FENCE);
  return scope;
}

/**
 * Applies `batch` to `db` atomically. With `epoch`, first checks inside the same
 * transaction that the writer epoch is still that one, and otherwise aborts it and
 * rejects with `FerryLeadershipLostError`.
 */
export function commitBatch(
  db: IDBDatabase,
  name: string,
  batch: StoreBatch,
  indexes: readonly IndexDefinition[],
  epoch?: number,
): Promise<void> {
  // The shape checks need no data: refuse a malformed batch before opening a transaction.
  checkStoreBatch(batch, () => false);
  const scope = scopeOf(batch, epoch !== undefined);
  if (scope.length === 0) return Promise.resolve();
  const tx = db.transaction(scope, 'readwrite', DURABILITY);

  return new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    const fail = (error: unknown) => {
      failure ??= error instanceof Error ? error : new Error(String(error));
      try {
        tx.abort();
      } catch {
        // Already finished or aborting: onabort reports `failure`.
      }
    };
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(failure ?? storeError(name, tx.error));

    const proceed = (fenceEpoch: unknown, taken: readonly IDBValidKey[]) => {
      try {
        if (epoch !== undefined && fenceEpoch !== epoch) throw new FerryLeadershipLostError(name);
        // Rerun the checks with the ids really taken, for the same message as other stores.
        if (taken.length > 0) {
          const takenIds = new Set(taken);
          checkStoreBatch(batch, (id) => takenIds.has(id));
        }
        queueWrites(tx, batch, indexes);
      } catch (error) {
        fail(error);
      }
    };

    // Preflight reads: the fence, then the outbox ids already taken. Requests of one
    // transaction succeed in the order they were made, so the writes start in the last
    // read's success callback, inside the same transaction, with both answers known.
    const added = (batch.addOutbox ?? []).map((entry) => entry.id as number);
    const lowest = added.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const highest = added.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    const fenceRead = epoch === undefined ? undefined : tx.objectStore(FENCE).get(WRITER_EPOCH);
    const takenRead =
      added.length === 0
        ? undefined
        : tx.objectStore(OUTBOX).getAllKeys(IDBKeyRange.bound(lowest, highest));
    const last = takenRead ?? fenceRead;
    if (last === undefined) proceed(undefined, []);
    else last.onsuccess = () => proceed(fenceRead?.result, takenRead?.result ?? []);
  });
}

/** Queues every write of the batch, in the order the `Store` interface documents. */
function queueWrites(
  tx: IDBTransaction,
  batch: StoreBatch,
  indexes: readonly IndexDefinition[],
): void {
  const touches = (store: string) => tx.objectStoreNames.contains(store);
  if (touches(RECORDS)) {
    const records = tx.objectStore(RECORDS);
    if (batch.clearAll) records.clear();
    for (const space of batch.clearSpaces ?? []) records.delete(spaceRange(space));
    for (const { space, collection, key } of batch.deleteRecords ?? []) {
      records.delete([space, collection, key]);
    }
    for (const record of batch.putRecords ?? []) records.put(storedObject(indexes, record));
  }
  if (touches(OUTBOX)) {
    const outbox = tx.objectStore(OUTBOX);
    // NaN is no valid key and no entry has it: removing it removes nothing.
    for (const id of batch.removeOutbox ?? []) if (!Number.isNaN(id)) outbox.delete(id);
    const through = batch.removeOutboxThrough;
    if (through !== undefined && !Number.isNaN(through)) {
      outbox.delete(IDBKeyRange.upperBound(through));
    }
    for (const entry of batch.addOutbox ?? []) outbox.add(entry);
  }
  if (touches(META)) {
    const meta = tx.objectStore(META);
    for (const [key, value] of Object.entries(batch.setMeta ?? {})) {
      if (value === undefined) meta.delete(key);
      else meta.put(value, key);
    }
  }
}
