/**
 * An in-memory `Store`: for tests, for short-lived programs, and as the reference the other
 * stores are compared with. A commit validates the whole batch before changing anything,
 * so an invalid batch leaves the store as it was; values are copied on the way in and out,
 * so no caller can reach the stored state through a reference.
 */
import { describeNonJsonObject, type JsonValue } from '@ferry/protocol';
import { FerryClosedError, FerryValidationError } from './errors.ts';
import type { OutboxEntry, RecordAddress, Store, StoreBatch, StoredRecord } from './store.ts';

/** The data behind one or more store handles; outlives `close()` of any one handle. */
export interface MemoryStoreData {
  /** space → collection → key → record */
  readonly records: Map<string, Map<string, Map<string, StoredRecord>>>;
  readonly outbox: Map<number, OutboxEntry>;
  readonly meta: Map<string, JsonValue>;
}

export function createMemoryStoreData(): MemoryStoreData {
  return { records: new Map(), outbox: new Map(), meta: new Map() };
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
      return record === undefined ? undefined : structuredClone(record);
    },

    async listRecords(space: string, collection: string) {
      assertOpen();
      const records = [...(data.records.get(space)?.get(collection)?.values() ?? [])];
      records.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return records.map((record) => structuredClone(record));
    },

    async listOutbox() {
      assertOpen();
      const entries = [...data.outbox.values()].sort((a, b) => a.id - b.id);
      return entries.map((entry) => structuredClone(entry));
    },

    async getMeta(key: string) {
      assertOpen();
      const value = data.meta.get(key);
      return value === undefined ? undefined : structuredClone(value);
    },

    async commit(batch: StoreBatch) {
      assertOpen();
      validateBatch(batch, data);
      applyBatch(structuredClone(batch), data);
    },

    async close() {
      closed = true;
    },
  };
}

function invalidBatch(path: string, problem: string): never {
  throw new FerryValidationError(`Store commit refused, nothing changed: ${path} ${problem}.`);
}

function requireString(value: unknown, path: string): void {
  if (typeof value !== 'string') invalidBatch(path, 'must be a string');
}

function requireObjectValue(value: unknown, path: string): void {
  const problem = describeNonJsonObject(value);
  if (problem !== undefined) invalidBatch(path, `is not a JSON object (${problem})`);
}

function requireInteger(value: unknown, path: string, min: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    invalidBatch(path, `must be an integer of at least ${min}`);
  }
}

function requireAddress(value: RecordAddress, path: string): void {
  if (typeof value !== 'object' || value === null) invalidBatch(path, 'must be an object');
  requireString(value.space, `${path}.space`);
  requireString(value.collection, `${path}.collection`);
  requireString(value.key, `${path}.key`);
}

/** Throws on anything the batch could not apply cleanly, before a single change is made. */
function validateBatch(batch: StoreBatch, data: MemoryStoreData): void {
  if (typeof batch !== 'object' || batch === null) invalidBatch('batch', 'must be an object');
  for (const [i, space] of (batch.clearSpaces ?? []).entries()) {
    requireString(space, `clearSpaces[${i}]`);
  }
  for (const [i, address] of (batch.deleteRecords ?? []).entries()) {
    requireAddress(address, `deleteRecords[${i}]`);
  }
  for (const [i, record] of (batch.putRecords ?? []).entries()) {
    requireAddress(record, `putRecords[${i}]`);
    requireObjectValue(record.value, `putRecords[${i}].value`);
    requireInteger(record.version, `putRecords[${i}].version`, 0);
  }
  for (const [i, id] of (batch.removeOutbox ?? []).entries()) {
    if (typeof id !== 'number') invalidBatch(`removeOutbox[${i}]`, 'must be a number');
  }
  const through = batch.removeOutboxThrough;
  if (through !== undefined && typeof through !== 'number') {
    invalidBatch('removeOutboxThrough', 'must be a number');
  }
  const removed = new Set(batch.removeOutbox ?? []);
  const added = new Set<number>();
  for (const [i, entry] of (batch.addOutbox ?? []).entries()) {
    const path = `addOutbox[${i}]`;
    requireAddress(entry, path);
    requireInteger(entry.id, `${path}.id`, 1);
    const stays =
      data.outbox.has(entry.id) &&
      !removed.has(entry.id) &&
      (through === undefined || entry.id > through);
    if (stays || added.has(entry.id)) invalidBatch(`${path}.id`, `${entry.id} is already taken`);
    added.add(entry.id);
    if (entry.op === 'put' || entry.op === 'patch') {
      requireObjectValue(entry.value, `${path}.value`);
    } else if (entry.op !== 'delete') {
      invalidBatch(`${path}.op`, 'must be "put", "patch" or "delete"');
    }
  }
  for (const [key, value] of Object.entries(batch.setMeta ?? {})) {
    if (value === undefined) continue;
    const problem = describeNonJsonObject({ [key]: value });
    if (problem !== undefined) invalidBatch(`setMeta.${key}`, `is not JSON (${problem})`);
  }
}

/** Applies an already validated, already copied batch in the order the interface documents. */
function applyBatch(batch: StoreBatch, data: MemoryStoreData): void {
  if (batch.clearAll) data.records.clear();
  for (const space of batch.clearSpaces ?? []) data.records.delete(space);
  for (const { space, collection, key } of batch.deleteRecords ?? []) {
    data.records.get(space)?.get(collection)?.delete(key);
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
    keys.set(key, { space, collection, key, value, version });
  }
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
