/**
 * The client's persistence interface. A store holds three things for one client of one
 * user: the server's state of the records this client pulls (the "base"), the outbox of
 * local mutations not yet confirmed by a pull, and a little metadata (client id, cursor,
 * next mutation id, last success…).
 *
 * Writes go through `commit(batch)`, which applies the whole batch atomically: after a
 * crash either all of it is visible or none of it. Reads and commits take plain data and
 * never call back into the caller, so an implementation can map one `commit` onto one
 * IndexedDB or SQLite transaction. Reads return copies the caller may keep and change, and
 * a commit keeps its own copy of the batch: the engine relies on both to hand records to
 * the app without copying them again.
 *
 * Every implementation must pass `runStoreAcceptanceTests` from `@ferry/testing`.
 */
import type { JsonObject, JsonValue, Mutation } from '@ferry/protocol';
import type { EntryBounds, IndexDefinition } from './index-key.ts';

export type { EntryBounds, IndexDefinition } from './index-key.ts';

/** A record as the server last reported it. Deleted records are removed, not kept. */
export interface StoredRecord {
  space: string;
  collection: string;
  key: string;
  value: JsonObject;
  version: number;
}

export interface RecordAddress {
  space: string;
  collection: string;
  key: string;
}

/** A local mutation waiting in the outbox, exactly as it will be pushed. */
export type OutboxEntry = Mutation;

export interface StoreBatch {
  /** Removes every base record of these spaces first (a pull `reset`). */
  clearSpaces?: readonly string[];
  /** Removes every base record (a `reset` of a pull that named no spaces). */
  clearAll?: boolean;
  /** Base records to write, after clearing and deletions. */
  putRecords?: readonly StoredRecord[];
  deleteRecords?: readonly RecordAddress[];
  /** Outbox entries to add (their ids are unique and increasing). */
  addOutbox?: readonly OutboxEntry[];
  /** Removes the outbox entries with these ids. */
  removeOutbox?: readonly number[];
  /** Removes every outbox entry whose id is at most this. */
  removeOutboxThrough?: number;
  /** Metadata values to set; `undefined` removes the key. Values must be JSON. */
  setMeta?: Readonly<Record<string, JsonValue | undefined>>;
}

/**
 * A range of one declared index of one collection in one space. Bounds compare index
 * entries (`indexEntry` of `@ferry/client/internal`: the same strings on every store).
 */
export interface IndexScan extends EntryBounds {
  space: string;
  collection: string;
  index: string;
}

export interface Store {
  getRecord(address: RecordAddress): Promise<StoredRecord | undefined>;
  /** Base records of one collection in one space, in ascending key order. */
  listRecords(space: string, collection: string): Promise<StoredRecord[]>;
  /** The base records of these keys, in the order asked (undefined where there is none). */
  getRecords(
    space: string,
    collection: string,
    keys: readonly string[],
  ): Promise<(StoredRecord | undefined)[]>;
  /**
   * Declares the indexes the store keeps, replacing the earlier declarations (kept with the
   * data): new or changed indexes are built from the records already stored, dropped ones
   * removed. Records and outbox are untouched. Resolves once the indexes are usable.
   */
  defineIndexes(indexes: readonly IndexDefinition[]): Promise<void>;
  /**
   * Base records in one range of a declared index, in entry order ('desc': the reverse),
   * at most `limit` of them. Rejects for an index that is not declared.
   */
  scanIndex(scan: IndexScan, order: 'asc' | 'desc', limit?: number): Promise<StoredRecord[]>;
  /** How many base records one range of a declared index holds. */
  countIndex(scan: IndexScan): Promise<number>;
  /** The whole outbox in ascending id order. */
  listOutbox(): Promise<OutboxEntry[]>;
  getMeta(key: string): Promise<JsonValue | undefined>;
  /** Applies the batch atomically, in this order: clears, deletions, puts, outbox removals, outbox additions, metadata. */
  commit(batch: StoreBatch): Promise<void>;
  /** Releases resources. Further calls reject. */
  close(): Promise<void>;
}
