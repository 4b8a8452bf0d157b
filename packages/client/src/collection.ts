/**
 * A collection handle: the records of one collection in ONE space, as this client sees
 * them (server state with pending local mutations on top). Writes are optimistic: visible
 * at once, and rolled back if the server rejects them.
 */
import {
  type InputOf,
  isValidName,
  type JsonObject,
  type JsonValue,
  type OutputOf,
} from '@ferry/protocol';
import type { Unsubscribe } from './emitter.ts';
import type { EngineContext } from './engine-context.ts';
import { FerryConfigError, FerryValidationError } from './errors.ts';
import type { IndexDefinition } from './index-key.ts';
import { createLiveQuery } from './live-query.ts';
import {
  checkWrite,
  commitWrites,
  countLocal,
  findLocal,
  getManyLocal,
  type LocalWrite,
  readRow,
  readRows,
} from './local-ops.ts';
import type { Row } from './overlay.ts';
import {
  type DeclaredIndexes,
  type FieldRange,
  type FindQuery,
  queryIndex,
  shareKeyOf,
} from './query.ts';
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

type Depth = [never, 0, 1, 2];

/** The dot-separated paths to the fields of `T` (nested objects up to three levels). */
export type FieldPath<T, D extends number = 3> = [D] extends [never]
  ? never
  : T extends JsonObject
    ? {
        [K in keyof T & string]:
          | K
          | (NonNullable<T[K]> extends JsonObject
              ? NonNullable<T[K]> extends readonly unknown[]
                ? never
                : `${K}.${FieldPath<NonNullable<T[K]>, Depth[D]>}`
              : never);
      }[keyof T & string]
    : never;

/** The type of the field at `P` in `T` (undefined where it may be missing). */
export type FieldValue<T, P extends string> = P extends `${infer K}.${infer Rest}`
  ? K extends keyof T
    ? FieldValue<NonNullable<T[K]>, Rest> | (undefined extends T[K] ? undefined : never)
    : undefined
  : P extends keyof T
    ? T[P]
    : undefined;

/**
 * What `where` fixes: field paths of `T`, each to the value it must have (`undefined`: the
 * field is missing). They must be the index's leading fields, checked when the query runs.
 */
export type WhereFields<T extends JsonObject> = {
  readonly [P in FieldPath<T>]?: FieldValue<T, P>;
};

/**
 * A query on a collection (see docs/client.md, "Queries"): with `index`, rows in the
 * index's order then by key; `where` fixes the index's leading fields, `range` bounds the
 * next one; `order`, `limit` and `after` (the last row of the previous page) page through.
 * `filter` is a post-filter. Without `index`, rows in key order (the whole collection is read).
 */
export interface Query<T extends JsonObject> extends CountQuery<T> {
  order?: 'asc' | 'desc';
  limit?: number;
  after?: { key: string; value: T };
}

/** The part of a `Query` that selects rows, without ordering or paging: what `count` takes. */
export interface CountQuery<T extends JsonObject> {
  index?: string;
  where?: WhereFields<T>;
  range?: FieldRange<JsonValue>;
  filter?(value: T, key: string): boolean;
}

/** The indexes of one collection: index name → the field paths it orders by. */
export type IndexDeclarations<T extends JsonObject = JsonObject> = Readonly<
  Record<string, readonly FieldPath<T>[]>
>;

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
  /** The rows a query selects, ordered and limited, pending local writes included. */
  find(query?: Query<T>): Promise<Row<T>[]>;
  /** How many rows a query selects (its `limit`, `order` and `after` aside). */
  count(query?: CountQuery<T>): Promise<number>;
  /** The values of these keys, in the order asked (undefined where there is none). */
  getMany(keys: readonly string[]): Promise<(T | undefined)[]>;
  /** Replaces the whole value. Resolves once the write is stored locally (not pushed). */
  put(key: string, value: Input, options?: WriteOptions): Promise<void>;
  /** Changes some fields; patching a missing record creates it. */
  patch(key: string, changes: Patch<Input>, options?: WriteOptions): Promise<void>;
  delete(key: string, options?: WriteOptions): Promise<void>;
  /**
   * Puts many records in one local commit: all of them or none (a bad key or value anywhere
   * throws `FerryValidationError` naming it, and nothing is written). Each is its own
   * mutation, pushed in order, in as few requests as the push batch size allows, and rolled
   * back and reported alone if the server rejects it. Live queries and subscribers are told
   * once. Resolves once the writes are stored locally (not pushed).
   */
  bulkPut(
    entries: Iterable<readonly [key: string, value: Input]> | Record<string, Input>,
  ): Promise<void>;
  /** Deletes many records in one local commit, as `bulkPut` puts them. */
  bulkDelete(keys: Iterable<string>): Promise<void>;
  /**
   * Calls `listener` with the current rows (asynchronously) and again after every change
   * to this collection: local writes, pulled changes, rollbacks and resets. The rows are
   * frozen and shared between calls (a row that did not change is the same object as
   * before); copy a value before changing it. The array is the listener's own.
   */
  subscribe(listener: (rows: Row<T>[]) => void, options?: QueryOptions<T>): Unsubscribe;
  /**
   * A live query: calls `listener` with the query's rows (ordered and limited, asynchronously)
   * and again after every change to the collection, re-running the query through its index
   * rather than reading the whole collection. Rows are frozen, as above.
   */
  subscribe(query: Query<T>, listener: (rows: Row<T>[]) => void): Unsubscribe;
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
  /** The declared indexes of each collection, by collection and index name. */
  indexes: DeclaredIndexes;
  /** Throws `FerryClosedError` once the client is closed. */
  assertUsable(): void;
}

/** The options `collection()` checks its arguments against. */
export interface CollectionSpaceOptions {
  /** The space of collections opened without one. */
  defaultSpace?: string | undefined;
  /** The spaces the client pulls; undefined: every space the token grants. */
  spaces?: readonly string[] | undefined;
}

/**
 * The space `collection(name, { space })` opens, its arguments checked as every client checks
 * them, at once (a programming error throws, it does not reject later):
 * `FerryValidationError` for a bad name or space, `FerryConfigError` for no space at all or
 * one the client does not pull.
 */
export function collectionSpace(
  name: string,
  space: string | undefined,
  options: CollectionSpaceOptions,
): string {
  if (!isValidName(name)) {
    throw new FerryValidationError(
      `collection name ${JSON.stringify(name)} must match ^[A-Za-z0-9_.:-]{1,128}$.`,
    );
  }
  const chosen = space ?? options.defaultSpace;
  if (chosen === undefined) {
    throw new FerryConfigError(
      `collection('${name}') needs a space: pass { space } or set the defaultSpace option.`,
    );
  }
  if (!isValidName(chosen)) {
    throw new FerryValidationError(
      `space ${JSON.stringify(chosen)} must match ^[A-Za-z0-9_.:-]{1,128}$.`,
    );
  }
  if (options.spaces !== undefined && !options.spaces.includes(chosen)) {
    throw new FerryConfigError(
      `space "${chosen}" is not among the spaces option [${options.spaces.join(', ')}]; add it, or its records would never be pulled.`,
    );
  }
  return chosen;
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
  const definition = (query: { index?: string } | undefined): IndexDefinition | undefined =>
    queryIndex(deps.indexes, name, query);
  const find = async (query: Query<T> = {}) => {
    assertUsable();
    const def = definition(query);
    return (await findLocal(ctx, space, name, def, query as FindQuery)) as Row<T>[];
  };

  const write = async (write: Omit<LocalWrite, 'space' | 'collection'>): Promise<void> => {
    assertUsable();
    await commitWrites(ctx, [checkWrite({ ...write, space, collection: name })]);
  };

  // Each entry is checked as it is read, straight into its mutation: a bulk write of tens
  // of thousands makes no intermediate objects per entry.
  const bulk = async (
    entries: Iterable<readonly [string, unknown]> | Iterable<string>,
    op: 'put' | 'delete',
  ) => {
    assertUsable();
    const checked = [];
    for (const entry of entries) {
      const [key, value] = op === 'put' ? (entry as readonly [string, unknown]) : [entry as string];
      checked.push(checkWrite({ op, space, collection: name, key, value }));
    }
    await commitWrites(ctx, checked);
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
    find,
    async count(query = {}) {
      assertUsable();
      return countLocal(ctx, space, name, definition(query), query as FindQuery);
    },
    async getMany(keys) {
      assertUsable();
      return (await getManyLocal(ctx, space, name, keys)).map((row) => row?.value as T | undefined);
    },
    put: (key, value, options) => write({ op: 'put', key, value, ifVersion: options?.ifVersion }),
    patch: (key, changes, options) =>
      write({ op: 'patch', key, value: changes, ifVersion: options?.ifVersion }),
    delete: (key, options) => write({ op: 'delete', key, ifVersion: options?.ifVersion }),
    bulkPut: (entries) =>
      bulk(Symbol.iterator in entries ? entries : Object.entries(entries), 'put'),
    bulkDelete: (keys) => bulk(keys, 'delete'),
    subscribe(
      first: ((rows: Row<T>[]) => void) | Query<T>,
      second?: QueryOptions<T> | ((rows: Row<T>[]) => void),
    ): Unsubscribe {
      assertUsable();
      const [query, listener] =
        typeof first === 'function'
          ? [{ filter: (second as QueryOptions<T> | undefined)?.where } as Query<T>, first]
          : [first, second as (rows: Row<T>[]) => void];
      const def = definition(query);
      const live = createLiveQuery(name, def, query as FindQuery, {
        find: (q) => findLocal(ctx, space, name, def, q),
        getRows: (keys) => getManyLocal(ctx, space, name, keys),
      });
      const shareKey = shareKeyOf(space, name, query as FindQuery);
      return subscriptions.add({
        space,
        collection: name,
        read: live.read,
        update: live.update,
        adopt: live.adopt,
        ...(shareKey === undefined ? {} : { shareKey }),
        // A new array every time: the app may sort or change the array it is given.
        listener: (rows) => listener(rows.slice() as Row<T>[]),
      });
    },
  };
}
