/**
 * A collection handle: the records of one collection in ONE space, as this client sees
 * them (server state with pending local mutations on top). Writes are optimistic: visible
 * at once, and rolled back if the server rejects them.
 */
import type { InputOf, JsonObject, OutputOf } from '@ferry/protocol';
import type { Unsubscribe } from './emitter.ts';
import type { EngineContext } from './engine-context.ts';
import { commitWrite, type LocalWrite, prepareWrite, readRow, readRows } from './local-ops.ts';
import type { Row } from './overlay.ts';
import type { Subscriptions } from './subscriptions.ts';

/** Fields to change: a field set to null is removed; absent fields are left as they are. */
export type Patch<T extends JsonObject> = { [K in keyof T]?: T[K] | null };

export interface WriteOptions {
  /**
   * Apply on the server only if the record's version is still this (a row's `version`);
   * 0 means "only if it does not exist". Otherwise the write is rejected as a conflict and
   * rolled back locally.
   */
  ifVersion?: number;
}

export interface QueryOptions<T extends JsonObject> {
  where?: (value: T, key: string) => boolean;
}

/**
 * The records of a collection are read as `T` and written as `Input`, which differ when the
 * collection's schema fills fields in (a default) or changes them (a transform): a write may
 * leave out a field with a default. The server's schema turns the one into the other.
 */
export interface Collection<T extends JsonObject, Input extends JsonObject = T> {
  readonly name: string;
  readonly space: string;
  get(key: string): Promise<T | undefined>;
  /** Rows in ascending key order. */
  query(options?: QueryOptions<T>): Promise<Row<T>[]>;
  /** Replaces the whole value. Resolves once the write is stored locally (not pushed). */
  put(key: string, value: Input, options?: WriteOptions): Promise<void>;
  /** Changes some fields; patching a missing record creates it. */
  patch(key: string, changes: Patch<Input>, options?: WriteOptions): Promise<void>;
  delete(key: string, options?: WriteOptions): Promise<void>;
  /**
   * Calls `listener` with the current rows (asynchronously) and again after every change
   * to this collection: local writes, pulled changes, rollbacks and resets. The rows are
   * frozen and shared between calls (a row that did not change is the same object as
   * before); copy a value before changing it. The array is the listener's own.
   */
  subscribe(listener: (rows: Row<T>[]) => void, options?: QueryOptions<T>): Unsubscribe;
}

/**
 * The handle for a client schema entry: a value type, or a schema's `CollectionTypes`.
 * `Extract` keeps the compiler sure both are JSON objects, as a generic entry cannot show it.
 */
export type CollectionFor<Entry> = Collection<
  Extract<OutputOf<Entry>, JsonObject>,
  Extract<InputOf<Entry>, JsonObject>
>;

export interface CollectionDeps {
  ctx: EngineContext;
  subscriptions: Subscriptions;
  /** Throws `FerryClosedError` once the client is closed. */
  assertUsable(): void;
}

/** The rows `where` keeps, in a new array. */
function filterRows<T extends JsonObject>(
  rows: readonly Row[],
  options?: QueryOptions<T>,
): Row<T>[] {
  const typed = rows as readonly Row<T>[];
  const where = options?.where;
  return where === undefined ? typed.slice() : typed.filter((row) => where(row.value, row.key));
}

export function createCollection<T extends JsonObject, Input extends JsonObject = T>(
  deps: CollectionDeps,
  space: string,
  name: string,
): Collection<T, Input> {
  const { ctx, subscriptions, assertUsable } = deps;

  const write = async (write: Omit<LocalWrite, 'space' | 'collection'>): Promise<void> => {
    assertUsable();
    const build = prepareWrite({ ...write, space, collection: name });
    await commitWrite(ctx, build);
  };

  return {
    name,
    space,
    async get(key) {
      assertUsable();
      return (await readRow(ctx, space, name, key))?.value as T | undefined;
    },
    async query(options) {
      assertUsable();
      return filterRows(await readRows(ctx, space, name), options);
    },
    put: (key, value, options) => write({ op: 'put', key, value, ifVersion: options?.ifVersion }),
    patch: (key, changes, options) =>
      write({ op: 'patch', key, value: changes, ifVersion: options?.ifVersion }),
    delete: (key, options) => write({ op: 'delete', key, ifVersion: options?.ifVersion }),
    subscribe(listener, options) {
      assertUsable();
      return subscriptions.add({
        space,
        collection: name,
        read: () => readRows(ctx, space, name),
        readRow: (key) => readRow(ctx, space, name, key),
        // A new array every time: the app may sort or change the array it is given.
        listener: (rows) => listener(filterRows(rows, options)),
      });
    },
  };
}
