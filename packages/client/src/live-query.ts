/**
 * The rows of one live query, kept up to date from the keys a commit changed instead of
 * running the query again. The kept window is the query's result in its order, each row
 * with its index entry (the key, without an index). For each changed key the row is read
 * again (with pending writes on top) and leaves, moves within or enters the window by its
 * entry. A limited window that is not the whole result ("open") takes in only rows before
 * its last, as a row after it may be preceded by rows it never read; a window that lost rows
 * is filled again by one indexed read starting after its last row, not by a re-run.
 *
 * Rows are frozen (deeply) and shared: a row that did not change is the same object in the
 * next delivery.
 */
import type { JsonObject } from '@ferry/protocol';
import { type IndexDefinition, indexEntry, withinBounds } from './index-key.ts';
import { compareKeys, type Row } from './overlay.ts';
import { boundsOf, type FindQuery } from './query.ts';

/** Where a live query reads from: the local view (store with pending writes on top). */
export interface LiveQuerySource {
  find(query: FindQuery): Promise<Row[]>;
  /** The rows of these keys, in the order asked (undefined where there is none). */
  getRows(keys: readonly string[]): Promise<(Row | undefined)[]>;
}

export interface LiveQuery {
  /** Runs the query from scratch. */
  read(): Promise<readonly Row[]>;
  /** Brings the window up to date after these keys changed. */
  update(keys: readonly string[]): Promise<readonly Row[]>;
  /** Takes the (frozen) rows of the same query, read since the last change, as the window. */
  adopt(rows: readonly Row[]): void;
}

interface Kept {
  entry: string;
  row: Row;
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export function createLiveQuery(
  collection: string,
  def: IndexDefinition | undefined,
  query: FindQuery,
  source: LiveQuerySource,
): LiveQuery {
  // Validates the query at once, so a bad one throws from subscribe.
  const bounds = boundsOf(collection, def, query);
  const desc = query.order === 'desc';
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  const after = query.after?.key;
  const entryOf = (row: Row) =>
    def === undefined ? row.key : indexEntry(def.fields, row.value, row.key);
  const selects = (row: Row, entry: string): boolean => {
    const inRange =
      def !== undefined
        ? withinBounds(entry, bounds)
        : after === undefined ||
          (desc ? compareKeys(entry, after) < 0 : compareKeys(entry, after) > 0);
    return (
      inRange && (query.filter === undefined || query.filter(row.value as JsonObject, row.key))
    );
  };
  /** True when entry `a` comes before `b` in the query's order. */
  const precedes = (a: string, b: string) => (desc ? a > b : a < b);

  let window: Kept[] = [];
  const entries = new Map<string, string>();
  /**
   * False until a change needs the window's entries: a query read from scratch comes in its
   * order already, so its first delivery works none out.
   */
  let entriesKnown = true;
  const knowEntries = () => {
    if (entriesKnown) return;
    for (const kept of window) {
      kept.entry = entryOf(kept.row);
      entries.set(kept.row.key, kept.entry);
    }
    entriesKnown = true;
  };
  /** False when rows of the result may lie after the window's last. */
  let whole = true;

  /** The index in the window of `entry`, or where it would go. */
  const position = (entry: string): number => {
    let low = 0;
    let high = window.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (precedes(window[middle]!.entry, entry)) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const keep = (rows: readonly Row[]) => {
    for (const row of rows) {
      // A row changed since the window was read can come again; its newer state wins.
      const old = entries.get(row.key);
      if (old !== undefined) window.splice(position(old), 1);
      const entry = entryOf(row);
      window.push({ entry, row: deepFreeze(row) });
      entries.set(row.key, entry);
    }
  };
  const rows = () => window.map((kept) => kept.row);

  const adopt = (found: readonly Row[]) => {
    window = found.map((row) => ({ entry: '', row: deepFreeze(row) }));
    entries.clear();
    entriesKnown = false;
    whole = found.length < limit;
  };
  const read = async () => {
    adopt(await source.find(query));
    return rows();
  };

  return {
    read,
    adopt,
    async update(keys) {
      const fresh = await source.getRows(keys);
      knowEntries();
      keys.forEach((key, i) => {
        const old = entries.get(key);
        if (old !== undefined) {
          window.splice(position(old), 1);
          entries.delete(key);
        }
        const row = fresh[i];
        if (row === undefined) return;
        const entry = entryOf(row);
        if (!selects(row, entry)) return;
        const last = window.at(-1);
        // Past the last row of an open window: rows it never read may come first.
        if (!whole && (last === undefined || !precedes(entry, last.entry))) return;
        window.splice(position(entry), 0, { entry, row: deepFreeze(row) });
        entries.set(key, entry);
      });
      while (window.length > limit) {
        entries.delete(window.pop()!.row.key);
        whole = false;
      }
      if (!whole && window.length < limit) {
        const last = window.at(-1);
        if (last === undefined) return read();
        const wanted = limit - window.length;
        const next = await source.find({
          ...query,
          limit: wanted,
          after: { key: last.row.key, value: last.row.value },
        });
        keep(next);
        whole = next.length < wanted;
      }
      return rows();
    },
  };
}
