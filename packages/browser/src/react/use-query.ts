/**
 * `useQuery`: a collection's live rows, either all of them (optionally filtered) or the
 * window of a `find` query (index, where, range, order, limit, after, filter). The
 * collection is a handle or, below a `FerryProvider`, a collection name.
 */
import type { Collection, Query, Row, Unsubscribe } from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useProvidedClient } from './context.ts';

/**
 * What `useQuery` and `useRecord` use of a collection: its live rows, whatever type its
 * writes take.
 */
export type LiveCollection<T extends JsonObject> = Pick<Collection<T>, 'subscribe'>;

export interface UseQueryOptions<T extends JsonObject> {
  /**
   * Keeps the rows this returns true for. It may be a new function on every render: the
   * latest one is used, and changing it alone does not resubscribe. When it reads values
   * from the render (a search text…), list them in `deps` so the rows are read again when
   * they change, as with `useMemo`.
   */
  where?: (value: T, key: string) => boolean;
  deps?: readonly unknown[];
}

/** How `useQuery` runs a `find` query. */
export interface UseFindOptions {
  /** The space of a collection given by name (default: the client's `defaultSpace`). */
  space?: string;
  /**
   * Values the query's `filter` reads from the render: the rows are read again when one
   * changes. The query's other fields are compared by value, so a new object with the same
   * fields on every render does not resubscribe.
   */
  deps?: readonly unknown[];
}

export interface QueryResult<T extends JsonObject> {
  /**
   * The rows in ascending key order, or in the query's order and window; undefined until
   * the first read has answered.
   */
  rows: Row<T>[] | undefined;
  loading: boolean;
}

/** Stands for `undefined` in the text a query is compared by. */
const UNDEFINED = '\u0000undefined';

/** True for a `find` query, false for `UseQueryOptions` (and for nothing at all). */
function isFindQuery(options: object | undefined): boolean {
  if (options === undefined) return false;
  const { where } = options as { where?: unknown };
  if (typeof where === 'function' || 'deps' in options) return false;
  return Object.keys(options).length > 0;
}

/** The implementation behind every form of `useQuery` (see `FerryHooks.useQuery`). */
export function useQueryOf<T extends JsonObject>(
  collection: LiveCollection<T> | string | null | undefined,
  options?: UseQueryOptions<T> | Query<T>,
  findOptions?: UseFindOptions,
): QueryResult<T> {
  const provided = useProvidedClient();
  const named = typeof collection === 'string';
  if (named && provided === null) {
    throw new Error(
      `useQuery('${collection}') needs a <FerryProvider client={…}> above it, or a collection handle instead of a name.`,
    );
  }
  const space = findOptions?.space;
  const byName = useMemo(
    () =>
      named && provided !== null
        ? (provided.collection(
            collection,
            space === undefined ? undefined : { space },
          ) as unknown as LiveCollection<T>)
        : undefined,
    [named, provided, collection, space],
  );
  const source = named ? byName : collection;
  const find = named || isFindQuery(options);
  const query = find ? ((options ?? {}) as Query<T>) : undefined;
  const rowsOptions = find ? undefined : (options as UseQueryOptions<T> | undefined);

  // The latest filter (find) or where (all rows); changing it alone does not resubscribe.
  const test = query === undefined ? rowsOptions?.where : query.filter;
  const testRef = useRef(test);
  useLayoutEffect(() => {
    testRef.current = test;
  });
  const hasFilter = query?.filter !== undefined;
  // The window, compared by value: a query written inline is a new object every render.
  // (`undefined` in `where` fixes a field as missing, so it is kept apart from no entry.)
  const window =
    query === undefined
      ? ''
      : JSON.stringify({ ...query, filter: hasFilter }, (_key, value: unknown) =>
          value === undefined ? UNDEFINED : value,
        );
  const deps = (find ? findOptions?.deps : rowsOptions?.deps) ?? [];
  // One token per subscription, so rows from a previous collection or window are never shown.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the query is compared by value, as `window`.
  const token = useMemo(
    () => ({ source, query, hasFilter }),
    [source, window, find, hasFilter, ...deps],
  );
  const [state, setState] = useState<{ token: object; rows: Row<T>[] } | null>(null);

  useEffect(() => {
    const current = token.source;
    if (current == null) return;
    const passes = (value: T, key: string) => {
      const latest = testRef.current;
      return latest === undefined || latest(value, key);
    };
    const deliver = (rows: Row<T>[]) => setState({ token, rows });
    if (token.query === undefined) {
      const unsubscribe: Unsubscribe = current.subscribe(deliver, { where: passes });
      return unsubscribe;
    }
    const { filter: _filter, ...rest } = token.query;
    return current.subscribe(token.hasFilter ? { ...rest, filter: passes } : rest, deliver);
  }, [token]);

  const rows = state !== null && state.token === token ? state.rows : undefined;
  return { rows, loading: source != null && rows === undefined };
}
