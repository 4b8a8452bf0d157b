/**
 * An in-memory `Store`: for tests, for short-lived programs, and as the reference the other
 * stores are compared with. A commit validates the whole batch before changing anything,
 * so an invalid batch leaves the store as it was; values are copied on the way in and out,
 * so no caller can reach the stored state through a reference.
 */
import { copyJson, type JsonValue } from '@ferry/protocol';
import { FerryClosedError, FerryValidationError } from './errors.ts';
import { type IndexDefinition, sameDefinitions } from './index-key.ts';
import { type IndexEntries, indexChanges, SortedEntries, sortedEntries } from './memory-index.ts';
import type {
  IndexScan,
  OutboxEntry,
  RecordAddress,
  Store,
  StoreBatch,
  StoredRecord,
} from './store.ts';
import { checkStoreBatch } from './store-batch.ts';

/** The data behind one or more store handles; outlives `close()` of any one handle. */
export interface MemoryStoreData {
  /** space → collection → key → record */
  readonly records: Map<string, Map<string, Map<string, StoredRecord>>>;
  readonly outbox: Map<number, OutboxEntry>;
  readonly meta: Map<string, JsonValue>;
  /** The declared indexes and their entries, kept up to date by every commit. */
  indexes: IndexDefinition[];
  readonly entries: IndexEntries;
}

export function createMemoryStoreData(): MemoryStoreData {
  return {
    records: new Map(),
    outbox: new Map(),
    meta: new Map(),
    indexes: [],
    entries: new Map(),
  };
}

/** A fresh, empty in-memory store. Its data lives as long as the returned object. */
export function createMemoryStore(): Store {
  return openMemoryStore(createMemoryStoreData());
}

/**
 * A handle on existing data, as if a durable store were opened again after a restart.
 * Not part of the public API: tests use it to check behaviour across a reopen.
 */
export function openMemoryStore(data: MemoryStoreData): Store {
  let closed = false;
  const assertOpen = () => {
    if (closed) throw new FerryClosedError('store');
  };

  return {
    async getRecord(address: RecordAddress) {
      assertOpen();
      const record = data.records.get(address.space)?.get(address.collection)?.get(address.key);
      return record === undefined ? undefined : copyRecord(record);
    },

    async listRecords(space: string, collection: string) {
      assertOpen();
      const records = [...(data.records.get(space)?.get(collection)?.values() ?? [])];
      records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return records.map(copyRecord);
    },

    async getRecords(space: string, collection: string, keys: readonly string[]) {
      assertOpen();
      const records = data.records.get(space)?.get(collection);
      return keys.map((key) => {
        const record = records?.get(key);
        return record === undefined ? undefined : copyRecord(record);
      });
    },

    async defineIndexes(indexes: readonly IndexDefinition[]) {
      assertOpen();
      if (sameDefinitions(indexes, data.indexes)) return;
      data.indexes = indexes.map((d) => ({ ...d, fields: [...d.fields] }));
      data.entries.clear();
      const changes = indexChanges(data.entries, data.indexes);
      for (const collections of data.records.values()) {
        for (const keys of collections.values()) {
          for (const record of keys.values()) changes.record(undefined, record);
        }
      }
      changes.apply();
    },

    async scanIndex(scan: IndexScan, order: 'asc' | 'desc', limit?: number) {
      assertOpen();
      const sorted = indexOf(data, scan);
      const [from, to] = sorted.span(scan);
      const count = Math.min(to - from, limit ?? Number.POSITIVE_INFINITY);
      const records = data.records.get(scan.space)?.get(scan.collection);
      const result: StoredRecord[] = [];
      for (let i = 0; i < count; i++) {
        const key = sorted.keys[order === 'asc' ? from + i : to - 1 - i]!;
        result.push(copyRecord(records!.get(key)!));
      }
      return result;
    },

    async countIndex(scan: IndexScan) {
      assertOpen();
      const [from, to] = indexOf(data, scan).span(scan);
      return to - from;
    },

    async listOutbox() {
      assertOpen();
      const entries = [...data.outbox.values()].sort((a, b) => a.id - b.id);
      return entries.map(copyEntry);
    },

    async getMeta(key: string) {
      assertOpen();
      const value = data.meta.get(key);
      return value === undefined ? undefined : copyJson(value);
    },

    async commit(batch: StoreBatch) {
      assertOpen();
      checkStoreBatch(batch, (id) => data.outbox.has(id));
      applyBatch(copyBatch(batch), data);
    },

    async close() {
      closed = true;
    },
  };
}

const EMPTY = new SortedEntries();

function indexOf(data: MemoryStoreData, scan: IndexScan): SortedEntries {
  if (!data.indexes.some((d) => d.collection === scan.collection && d.name === scan.index)) {
    throw new FerryValidationError(
      `No index "${scan.index}" is declared for the collection "${scan.collection}".`,
    );
  }
  return sortedEntries(data.entries, scan.space, scan.collection, scan.index) ?? EMPTY;
}

/** A stored record's own copy; its value has passed `checkStoreBatch`, so it is JSON. */
function copyRecord({ space, collection, key, version, value }: StoredRecord): StoredRecord {
  return { space, collection, key, version, value: copyJson(value) };
}

/**
 * The store's own copy of a validated batch. Record values, the bulk of a pulled page, and
 * metadata values are JSON and get the fast JSON copy; the rest gets `structuredClone`.
 */
function copyBatch(batch: StoreBatch): StoreBatch {
  const { putRecords, addOutbox, setMeta, ...rest } = batch;
  const copy: StoreBatch = structuredClone(rest);
  if (putRecords !== undefined) copy.putRecords = putRecords.map(copyRecord);
  // A bulk write brings tens of thousands of entries: `structuredClone` would be most of it.
  if (addOutbox !== undefined) copy.addOutbox = addOutbox.map(copyEntry);
  if (setMeta !== undefined) copy.setMeta = copyMeta(setMeta);
  return copy;
}

/**
 * An outbox entry's own copy, field by field: a validated entry holds only these, and only
 * its value is not a primitive.
 */
function copyEntry(entry: OutboxEntry): OutboxEntry {
  const { space, collection, key, id, ifVersion } = entry;
  if (entry.op === 'delete') {
    return ifVersion === undefined
      ? { space, collection, key, id, op: 'delete' }
      : { space, collection, key, ifVersion, id, op: 'delete' };
  }
  const { op } = entry;
  const value = copyJson(entry.value);
  return ifVersion === undefined
    ? { space, collection, key, id, op, value }
    : { space, collection, key, ifVersion, id, op, value };
}

function copyMeta(setMeta: NonNullable<StoreBatch['setMeta']>): StoreBatch['setMeta'] {
  // `fromEntries` defines each key, so a key named `__proto__` stays a key.
  return Object.fromEntries(
    Object.entries(setMeta).map(([key, value]) => [
      key,
      value === undefined ? undefined : copyJson(value),
    ]),
  );
}

/** Applies an already validated, already copied batch in the order the interface documents. */
function applyBatch(batch: StoreBatch, data: MemoryStoreData): void {
  if (batch.clearAll) {
    data.records.clear();
    data.entries.clear();
  }
  for (const space of batch.clearSpaces ?? []) {
    data.records.delete(space);
    data.entries.delete(space);
  }
  const changes = indexChanges(data.entries, data.indexes);
  for (const { space, collection, key } of batch.deleteRecords ?? []) {
    const keys = data.records.get(space)?.get(collection);
    changes.record(keys?.get(key), undefined);
    keys?.delete(key);
  }
  for (const record of batch.putRecords ?? []) {
    const { space, collection, key, value, version } = record;
    let collections = data.records.get(space);
    if (collections === undefined) {
      collections = new Map();
      data.records.set(space, collections);
    }
    let keys = collections.get(collection);
    if (keys === undefined) {
      keys = new Map();
      collections.set(collection, keys);
    }
    const stored = { space, collection, key, value, version };
    changes.record(keys.get(key), stored);
    keys.set(key, stored);
  }
  changes.apply();
  for (const id of batch.removeOutbox ?? []) data.outbox.delete(id);
  const through = batch.removeOutboxThrough;
  if (through !== undefined) {
    for (const id of data.outbox.keys()) if (id <= through) data.outbox.delete(id);
  }
  for (const entry of batch.addOutbox ?? []) data.outbox.set(entry.id, entry);
  for (const [key, value] of Object.entries(batch.setMeta ?? {})) {
    if (value === undefined) data.meta.delete(key);
    else data.meta.set(key, value);
  }
}
