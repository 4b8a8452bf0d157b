/**
 * Indexed queries over the local view. The store answers a range of a declared index from
 * the base records; the records with pending local writes (usually few) are overlaid here
 * and merged in at their place in the order, so a limited result is exact: a pending write
 * that moves a row into the range shows, one that moves it out or deletes it does not, and a
 * rolled-back write (gone from the outbox) leaves no trace.
 *
 * A base page is asked for with `limit + pending keys` rows, enough once the pending keys'
 * own base rows are skipped; with a `filter` rejecting rows, further pages (twice as large
 * each time) continue after the last entry read until the limit is met or the range ends.
 */
import type { JsonObject, JsonValue } from '@ferry/protocol';
import type { Query } from './collection.ts';
import { FerryValidationError } from './errors.ts';
import {
  type EntryBounds,
  encodeField,
  HIGH,
  type IndexDefinition,
  indexEntry,
  intersectBounds,
  withinBounds,
} from './index-key.ts';
import { compareKeys, overlayCollection, overlayRecord, type Row } from './overlay.ts';
import { pendingEntry } from './pending-entries.ts';
import type { PendingIndex } from './pending-index.ts';
import type { OutboxEntry, Store, StoredRecord } from './store.ts';

/** Bounds on the index field right after those `where` fixes. */
export interface FieldRange<V> {
  gt?: V;
  gte?: V;
  lt?: V;
  lte?: V;
}

/**
 * A query on a collection. With `index`, rows come in that index's order (then by key);
 * `where` fixes the index's leading fields (missing fields match with `undefined`), and
 * `range` bounds the field after them. Without `index`, rows come in key order, and
 * `where`/`range` are not allowed. `filter` is a post-filter run on each candidate row.
 */
export interface FindQuery<T extends JsonObject = JsonObject> {
  index?: string;
  where?: { readonly [field: string]: JsonValue | undefined };
  range?: FieldRange<JsonValue>;
  order?: 'asc' | 'desc';
  /** At most this many rows. */
  limit?: number;
  /** Continue after this row (the last row of the previous page). */
  after?: { key: string; value: T };
  filter?: (value: T, key: string) => boolean;
}

/** The indexes declared for each collection: collection name → index name → definition. */
export type DeclaredIndexes = ReadonlyMap<string, ReadonlyMap<string, IndexDefinition>>;

/** The indexes of the definitions, by collection and index name. */
export function indexesByCollection(definitions: readonly IndexDefinition[]): DeclaredIndexes {
  const indexes = new Map<string, Map<string, IndexDefinition>>();
  for (const def of definitions) {
    const byName = indexes.get(def.collection) ?? new Map<string, IndexDefinition>();
    byName.set(def.name, def);
    indexes.set(def.collection, byName);
  }
  return indexes;
}

/**
 * The declared index a query names (undefined when it names none); `FerryValidationError`
 * for an index not declared for the collection.
 */
export function queryIndex(
  indexes: DeclaredIndexes,
  collection: string,
  query: { index?: string } | undefined,
): IndexDefinition | undefined {
  const index = query?.index;
  if (index === undefined) return undefined;
  const def = indexes.get(collection)?.get(index);
  if (def === undefined) {
    throw new FerryValidationError(
      `find on "${collection}": no index "${index}" is declared for it; declare it in the client's collections option (collections.${collection}.indexes).`,
    );
  }
  return def;
}

/**
 * Checks a query as `find`, `count` and `subscribe` do before reading anything: its index is
 * declared and its shape fits it. Throws `FerryValidationError` if not.
 */
export function checkQuery(
  indexes: DeclaredIndexes,
  collection: string,
  query: Query<JsonObject>,
): void {
  boundsOf(collection, queryIndex(indexes, collection, query), query as FindQuery);
}

/** What a query needs to know about the pending writes of its collection. */
export type PendingByKey = ReadonlyMap<string, readonly OutboxEntry[]>;

/** A collection's pending writes, by key and in the order of an index. */
export interface PendingWrites {
  readonly byKey: PendingByKey;
  inIndex(def: IndexDefinition): PendingIndex;
}

function describe(collection: string, def: IndexDefinition | undefined): string {
  return def === undefined
    ? `find on "${collection}"`
    : `find on index "${def.name}" of "${collection}"`;
}

/** Checks the query's shape and returns the index bounds it stands for. */
export function boundsOf(
  collection: string,
  def: IndexDefinition | undefined,
  query: FindQuery,
): EntryBounds {
  const where = query.where ?? {};
  const named = Object.keys(where);
  const what = describe(collection, def);
  if (query.limit !== undefined && (!Number.isSafeInteger(query.limit) || query.limit < 0)) {
    throw new FerryValidationError(`${what}: limit must be a non-negative integer.`);
  }
  if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') {
    throw new FerryValidationError(`${what}: order must be 'asc' or 'desc'.`);
  }
  if (def === undefined) {
    if (named.length > 0 || query.range !== undefined) {
      throw new FerryValidationError(
        `${what}: where and range need an index; name one declared in the client's collections option.`,
      );
    }
    return {};
  }
  const fixed = def.fields.slice(0, named.length);
  if (!named.every((field) => fixed.includes(field))) {
    throw new FerryValidationError(
      `${what}: where must fix leading fields of the index (${def.fields.join(', ')}), got ${named.join(', ')}.`,
    );
  }
  const prefix = fixed.map((field) => encodeField(where[field])).join('');
  let bounds: EntryBounds =
    prefix === '' ? {} : { lower: prefix, upper: prefix + HIGH, upperOpen: true };
  const range = query.range;
  if (range !== undefined) {
    if (fixed.length >= def.fields.length) {
      throw new FerryValidationError(
        `${what}: range bounds the field after those in where, and where fixes them all.`,
      );
    }
    const at = (value: JsonValue) => prefix + encodeField(value);
    if (range.gte !== undefined) bounds = intersectBounds(bounds, { lower: at(range.gte) });
    if (range.gt !== undefined) bounds = intersectBounds(bounds, { lower: at(range.gt) + HIGH });
    if (range.lt !== undefined) {
      bounds = intersectBounds(bounds, { upper: at(range.lt), upperOpen: true });
    }
    if (range.lte !== undefined) {
      bounds = intersectBounds(bounds, { upper: at(range.lte) + HIGH, upperOpen: true });
    }
  }
  if (query.after !== undefined) {
    const entry = indexEntry(def.fields, query.after.value, query.after.key);
    bounds = intersectBounds(
      bounds,
      query.order === 'desc'
        ? { upper: entry, upperOpen: true }
        : { lower: entry, lowerOpen: true },
    );
  }
  return bounds;
}

const passes = (query: FindQuery, row: Row) =>
  query.filter === undefined || query.filter(row.value, row.key);

/** The rows of a query without an index: the whole collection, in key order. */
async function findByKey(
  store: Store,
  pending: PendingByKey,
  space: string,
  collection: string,
  query: FindQuery,
): Promise<Row[]> {
  let rows = overlayCollection(await store.listRecords(space, collection), pending);
  const after = query.after?.key;
  if (after !== undefined) {
    rows = rows.filter((row) =>
      query.order === 'desc' ? compareKeys(row.key, after) < 0 : compareKeys(row.key, after) > 0,
    );
  }
  rows = rows.filter((row) => passes(query, row));
  if (query.order === 'desc') rows.reverse();
  return query.limit === undefined ? rows : rows.slice(0, query.limit);
}

/**
 * The rows pending writes make within `bounds`, and how many stored records in `bounds`
 * they shadow (the index scan skips those). A key whose writes start with a put or a delete
 * has a value that does not depend on its stored record: the pending index gives those in
 * `bounds` by binary search. Only keys that start with a patch, and those that land in
 * `bounds` (for their version), are read from the store: after a bulk write of thousands of
 * new records, a query reads and looks at only its own.
 */
async function pendingCandidates(
  store: Store,
  pending: PendingWrites,
  space: string,
  collection: string,
  def: IndexDefinition,
  bounds: EntryBounds,
  /** Stored records of pending keys already read by the caller, not read again. */
  known: ReadonlyMap<string, StoredRecord | undefined> = new Map(),
): Promise<{ rows: Row[]; shadowed: number }> {
  const bases = new Map(known);
  const read = async (all: string[]) => {
    const keys = all.filter((key) => !bases.has(key));
    if (keys.length === 0) return;
    const records = await store.getRecords(space, collection, keys);
    for (const [i, key] of keys.entries()) bases.set(key, records[i]);
  };
  const index = pending.inIndex(def);
  const patchFirst = [...index.patchFirst()];
  await read(patchFirst);
  const inBounds = index.keysIn(bounds);
  for (const key of patchFirst) {
    const entry = pendingEntry(def, key, pending.byKey.get(key) ?? [], bases.get(key)?.value);
    if (entry !== undefined && withinBounds(entry, bounds)) inBounds.push(key);
  }
  await read(inBounds);
  // Counted among the records read: a pending put or delete left unread may still hide a
  // stored record in range, and then the scan skips it and reads one more page.
  let shadowed = 0;
  for (const [key, base] of bases) {
    if (base !== undefined && withinBounds(indexEntry(def.fields, base.value, key), bounds)) {
      shadowed++;
    }
  }
  const rows: Row[] = [];
  for (const key of inBounds) {
    const row = overlayRecord(key, bases.get(key), pending.byKey.get(key) ?? []);
    if (row !== undefined) rows.push(row);
  }
  return { rows, shadowed };
}

/** The query's rows: base records from the store's index, pending writes merged in. */
export async function findRows(
  store: Store,
  pending: PendingWrites,
  space: string,
  collection: string,
  def: IndexDefinition | undefined,
  query: FindQuery,
): Promise<Row[]> {
  const bounds = boundsOf(collection, def, query);
  if (def === undefined) return findByKey(store, pending.byKey, space, collection, query);
  const order = query.order ?? 'asc';
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const candidates: [string, Row][] = [];

  const { rows: dirtyRows, shadowed } = await pendingCandidates(
    store,
    pending,
    space,
    collection,
    def,
    bounds,
  );
  for (const row of dirtyRows) {
    if (passes(query, row)) candidates.push([indexEntry(def.fields, row.value, row.key), row]);
  }
  // With no pending row to merge in, the store's rows come in the query's order already:
  // no entry is worked out for them and nothing is sorted (most queries, most of the time).
  const merging = candidates.length > 0;
  const inOrder: Row[] = [];

  let scan = bounds;
  // Enough for the limit in one read unless the filter refuses rows (then pages double).
  let page = limit === Number.POSITIVE_INFINITY ? undefined : limit + shadowed;
  let accepted = 0;
  for (;;) {
    const records = await store.scanIndex(
      { space, collection, index: def.name, ...scan },
      order,
      page,
    );
    for (const record of records) {
      if (pending.byKey.has(record.key)) continue;
      const row: Row = {
        key: record.key,
        value: record.value,
        version: record.version,
        pending: false,
      };
      if (!passes(query, row)) continue;
      if (merging) candidates.push([indexEntry(def.fields, row.value, row.key), row]);
      else inOrder.push(row);
      accepted++;
    }
    const last = records.at(-1);
    if (page === undefined || records.length < page || accepted >= limit || last === undefined) {
      break;
    }
    const entry = indexEntry(def.fields, last.value, last.key);
    scan = intersectBounds(
      scan,
      order === 'asc' ? { lower: entry, lowerOpen: true } : { upper: entry, upperOpen: true },
    );
    page *= 2;
  }

  if (!merging) return inOrder.length > limit ? inOrder.slice(0, limit) : inOrder;
  candidates.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (order === 'desc') candidates.reverse();
  return candidates.slice(0, limit).map(([, row]) => row);
}

/** How many rows the query selects: its limit, order and `after` aside (a count of every page). */
export async function countRows(
  store: Store,
  pending: PendingWrites,
  space: string,
  collection: string,
  def: IndexDefinition | undefined,
  query: FindQuery,
): Promise<number> {
  const { limit: _limit, order: _order, after: _after, ...unlimited } = query;
  if (def === undefined || query.filter !== undefined) {
    return (await findRows(store, pending, space, collection, def, unlimited)).length;
  }
  const bounds = boundsOf(collection, def, unlimited);
  const scan = { space, collection, index: def.name, ...bounds };
  const stored = await store.countIndex(scan);
  if (pending.byKey.size === 0) return stored;
  // The stored records in range that pending writes hide, found from the smaller side: the
  // range's records, or the stored records of every pending key.
  let hidden = 0;
  const known = new Map<string, StoredRecord | undefined>();
  if (stored < pending.byKey.size) {
    for (const record of await store.scanIndex(scan, 'asc', undefined)) {
      if (pending.byKey.has(record.key)) hidden++;
    }
  } else {
    const keys = [...pending.byKey.keys()];
    const bases = await store.getRecords(space, collection, keys);
    keys.forEach((key, i) => {
      const base = bases[i];
      known.set(key, base);
      if (base !== undefined && withinBounds(indexEntry(def.fields, base.value, key), bounds))
        hidden++;
    });
  }
  const { rows } = await pendingCandidates(store, pending, space, collection, def, bounds, known);
  return stored - hidden + rows.length;
}

/** The rows of these keys, in the order asked (undefined where there is none). */
export async function getRows(
  store: Store,
  pending: (key: string) => readonly OutboxEntry[],
  space: string,
  collection: string,
  keys: readonly string[],
): Promise<(Row | undefined)[]> {
  const bases = keys.length === 0 ? [] : await store.getRecords(space, collection, keys);
  return keys.map((key, i) => overlayRecord(key, bases[i], pending(key)));
}

/**
 * A name for the rows a query selects, equal for queries that select the same rows in the
 * same order (live queries share such rows: subscriptions.ts); undefined for a query with a
 * `filter`, a function that cannot be compared. What JSON would lose is spelled out, since
 * `where: { list: undefined }` (the field is missing) is not the same query as `where: {}`.
 */
export function shareKeyOf(
  space: string,
  collection: string,
  query: FindQuery,
): string | undefined {
  if (query.filter !== undefined) return undefined;
  return JSON.stringify([space, collection, query], (_key, value: unknown) => {
    if (value === undefined) return { '\u0000': 'undefined' };
    if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
      return { '\u0000': Object.is(value, -0) ? '-0' : String(value) };
    }
    return value;
  });
}
