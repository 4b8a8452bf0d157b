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

export interface Store {
  getRecord(address: RecordAddress): Promise<StoredRecord | undefined>;
  /** Base records of one collection in one space, in ascending key order. */
  listRecords(space: string, collection: string): Promise<StoredRecord[]>;
  /** The whole outbox in ascending id order. */
  listOutbox(): Promise<OutboxEntry[]>;
  getMeta(key: string): Promise<JsonValue | undefined>;
  /** Applies the batch atomically, in this order: clears, deletions, puts, outbox removals, outbox additions, metadata. */
  commit(batch: StoreBatch): Promise<void>;
  /** Releases resources. Further calls reject. */
  close(): Promise<void>;
}
