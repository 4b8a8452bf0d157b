/**
 * Declared indexes on IndexedDB (see `idb-database.ts`, version 2): each stored record
 * carries `ix`, its entries in the declared indexes of its collection, and the `entries`
 * multiEntry index answers ranges of them. Stored objects are `StoredRecord` plus `ix`;
 * reads hand back the record without it.
 */
import type { IndexDefinition, IndexScan, StoredRecord } from '@ferry/client';
import { FerryValidationError } from '@ferry/client';
import { HIGH, indexEntry } from '@ferry/client/internal';
import { ENTRIES, FENCE, INDEXES, RECORDS, requestResult, storeError } from './idb-database.ts';

type IndexKey = [string, string, string, string];
export type StoredObject = StoredRecord & { ix?: IndexKey[] };

/** The object to store for a record: the record and its index entries. */
export function storedObject(
  definitions: readonly IndexDefinition[],
  { space, collection, key, value, version }: StoredRecord,
): StoredObject {
  const ix: IndexKey[] = [];
  for (const d of definitions) {
    if (d.collection === collection) {
      ix.push([space, collection, d.name, indexEntry(d.fields, value, key)]);
    }
  }
  return ix.length === 0
    ? { space, collection, key, value, version }
    : { space, collection, key, value, version, ix };
}

/** The record of a stored object, without its index entries. */
export function recordOf(stored: StoredObject | undefined): StoredRecord | undefined {
  if (stored === undefined) return undefined;
  const { space, collection, key, value, version } = stored;
  return { space, collection, key, value, version };
}

export async function readDefinitions(db: IDBDatabase, name: string): Promise<IndexDefinition[]> {
  const stored = await requestResult(
    name,
    db.transaction(FENCE, 'readonly').objectStore(FENCE).get(INDEXES),
  );
  return Array.isArray(stored) ? (stored as IndexDefinition[]) : [];
}

/** Records read at a time while rewriting `ix`. */
const REWRITE_PAGE = 2_000;

/**
 * Stores the declarations and rewrites the `ix` of every record of the collections whose
 * indexes changed, in one readwrite transaction. Records are read a page at a time with
 * `getAll` and written back with `put`, not walked with a cursor and `update`: in Chromium
 * each `continue` after a write in the transaction costs a seek past every write made so
 * far, so a cursor took about 5 minutes for 100,000 records, pages take seconds.
 */
export function writeDefinitions(
  db: IDBDatabase,
  name: string,
  current: readonly IndexDefinition[],
  wanted: readonly IndexDefinition[],
): Promise<void> {
  const key = (defs: readonly IndexDefinition[], collection: string) =>
    JSON.stringify(defs.filter((d) => d.collection === collection).map((d) => [d.name, d.fields]));
  const collections = new Set([...current, ...wanted].map((d) => d.collection));
  const changed = new Set([...collections].filter((c) => key(current, c) !== key(wanted, c)));
  const tx = db.transaction([RECORDS, FENCE], 'readwrite', { durability: 'strict' });
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(storeError(name, tx.error));
    tx.objectStore(FENCE).put(wanted, INDEXES);
    if (changed.size === 0) return;
    const records = tx.objectStore(RECORDS);
    const readPage = (after: IDBValidKey | undefined) => {
      const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
      const request = records.getAll(range, REWRITE_PAGE);
      request.onsuccess = () => {
        const page = request.result as StoredObject[];
        for (const stored of page) {
          if (changed.has(stored.collection)) records.put(storedObject(wanted, stored));
        }
        const last = page.at(-1);
        if (page.length === REWRITE_PAGE && last !== undefined) {
          readPage([last.space, last.collection, last.key]);
        }
      };
    };
    readPage(undefined);
  });
}

export function checkDeclared(definitions: readonly IndexDefinition[], scan: IndexScan): void {
  if (!definitions.some((d) => d.collection === scan.collection && d.name === scan.index)) {
    throw new FerryValidationError(
      `No index "${scan.index}" is declared for the collection "${scan.collection}".`,
    );
  }
}

/** The key range of a scan, or undefined when it is empty. */
function rangeOf(scan: IndexScan): IDBKeyRange | undefined {
  const lower = scan.lower ?? '';
  const upper = scan.upper ?? HIGH;
  const lowerOpen = scan.lower !== undefined && !!scan.lowerOpen;
  const upperOpen = scan.upper === undefined || !!scan.upperOpen;
  if (lower > upper || (lower === upper && (lowerOpen || upperOpen))) return undefined;
  const prefix = [scan.space, scan.collection, scan.index];
  return IDBKeyRange.bound([...prefix, lower], [...prefix, upper], lowerOpen, upperOpen);
}

export async function scanIndex(
  db: IDBDatabase,
  name: string,
  scan: IndexScan,
  order: 'asc' | 'desc',
  limit: number | undefined,
): Promise<StoredRecord[]> {
  const range = rangeOf(scan);
  if (range === undefined || limit === 0) return [];
  const index = db.transaction(RECORDS, 'readonly').objectStore(RECORDS).index(ENTRIES);
  if (order === 'asc') {
    const found = (await requestResult(name, index.getAll(range, limit))) as StoredObject[];
    return found.map((stored) => recordOf(stored)!);
  }
  return new Promise((resolve, reject) => {
    const records: StoredRecord[] = [];
    const cursor = index.openCursor(range, 'prev');
    cursor.onsuccess = () => {
      const at = cursor.result;
      if (at === null) return resolve(records);
      records.push(recordOf(at.value as StoredObject)!);
      if (limit !== undefined && records.length >= limit) return resolve(records);
      at.continue();
    };
    cursor.onerror = (event) => {
      event.preventDefault();
      reject(storeError(name, cursor.error));
    };
  });
}

export async function countIndex(db: IDBDatabase, name: string, scan: IndexScan): Promise<number> {
  const range = rangeOf(scan);
  if (range === undefined) return 0;
  const index = db.transaction(RECORDS, 'readonly').objectStore(RECORDS).index(ENTRIES);
  return requestResult(name, index.count(range));
}
