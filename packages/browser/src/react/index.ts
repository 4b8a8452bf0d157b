/**
 * React bindings for any `FerryClient` (the one `openFerry` returns, or `createClient`'s):
 * live queries, one record, the sync status and rejected writes, as hooks. No JSX here, so
 * the package needs no JSX settings; React is an optional peer dependency.
 *
 * Collection handles must be stable across renders for `useQuery`/`useRecord`: each
 * `client.collection(…)` call makes a new handle, so memoise it (`useMemo`) or use
 * `useCollection`, which does.
 *
 * @module
 */
import type {
  Collection,
  FerryClient,
  RejectionEvent,
  Row,
  SyncStatus,
  Unsubscribe,
} from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';
import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';

type AnyClient = FerryClient<Record<string, JsonObject>>;

const FerryContext = createContext<AnyClient | null>(null);

/** Makes `client` available to `useFerry` and `useCollection` below it. */
export function FerryProvider<Schema extends Record<string, JsonObject>>(props: {
  client: FerryClient<Schema>;
  children?: ReactNode;
}) {
  return createElement(
    FerryContext.Provider,
    { value: props.client as unknown as AnyClient },
    props.children,
  );
}

/** The client from the nearest `FerryProvider`; throws when there is none. */
export function useFerry<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
>(): FerryClient<Schema> {
  const client = useContext(FerryContext);
  if (client === null) throw new Error('useFerry needs a <FerryProvider client={…}> above it.');
  return client as unknown as FerryClient<Schema>;
}

/** A collection handle of the provider's client, the same object until the client, name or space changes. */
export function useCollection<T extends JsonObject = JsonObject>(
  name: string,
  options?: { space?: string },
): Collection<T> {
  const client = useFerry();
  const space = options?.space;
  return useMemo(
    () => client.collection(name, space === undefined ? undefined : { space }) as Collection<T>,
    [client, name, space],
  );
}

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

export interface QueryResult<T extends JsonObject> {
  /** The rows in ascending key order; undefined until the first read has answered. */
  rows: Row<T>[] | undefined;
  loading: boolean;
}

/**
 * The live rows of a collection: read at once and again after every change to it (local
 * writes, pulled changes, rollbacks). Unsubscribes on unmount and when the collection (or
 * a `deps` entry) changes. `null` renders nothing and subscribes to nothing.
 */
export function useQuery<T extends JsonObject>(
  collection: Collection<T> | null | undefined,
  options: UseQueryOptions<T> = {},
): QueryResult<T> {
  const whereRef = useRef(options.where);
  useLayoutEffect(() => {
    whereRef.current = options.where;
  });
  const deps = options.deps ?? [];
  // One token per subscription, so rows from a previous collection are never shown as this one's.
  const token = useMemo(() => ({ collection }), [collection, ...deps]);
  const [state, setState] = useState<{ token: object; rows: Row<T>[] } | null>(null);

  useEffect(() => {
    const current = token.collection;
    if (current == null) return;
    const unsubscribe: Unsubscribe = current.subscribe((rows) => setState({ token, rows }), {
      where: (value, key) => {
        const where = whereRef.current;
        return where === undefined || where(value, key);
      },
    });
    return unsubscribe;
  }, [token]);

  const rows = state !== null && state.token === token ? state.rows : undefined;
  return { rows, loading: collection != null && rows === undefined };
}

/** One record's value, live; undefined while loading and when there is no such record. */
export function useRecord<T extends JsonObject>(
  collection: Collection<T> | null | undefined,
  key: string,
): T | undefined {
  const { rows } = useQuery(collection, { where: (_value, rowKey) => rowKey === key, deps: [key] });
  return rows?.[0]?.value;
}

/** The client's current `SyncStatus`; rerenders when a new snapshot is published. */
export function useSyncStatus(
  client: Pick<FerryClient, 'getStatus' | 'subscribeStatus'>,
): SyncStatus {
  const subscribe = useCallback(
    (onChange: () => void) => {
      try {
        return client.subscribeStatus(onChange);
      } catch {
        // A closed client publishes nothing more; getStatus() keeps answering.
        return () => {};
      }
    },
    [client],
  );
  const snapshot = useCallback(() => client.getStatus(), [client]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export interface RejectionsResult {
  /** Writes the server refused (each already rolled back), oldest first. */
  rejections: readonly RejectionEvent[];
  /** Forgets the rejection at `index` of `rejections`. */
  dismiss(index: number): void;
  clear(): void;
}

/** The last `max` (default 20) rejected writes since mount, for notices the user can dismiss. */
export function useRejections(
  client: Pick<FerryClient, 'on'>,
  options: { max?: number } = {},
): RejectionsResult {
  const max = options.max ?? 20;
  const [state, setState] = useState<{ client: object; list: readonly RejectionEvent[] }>({
    client,
    list: [],
  });
  useEffect(() => {
    setState((previous) => (previous.client === client ? previous : { client, list: [] }));
    try {
      return client.on('rejected', (event) =>
        setState((previous) => ({
          client,
          list: [...(previous.client === client ? previous.list : []), event].slice(-max),
        })),
      );
    } catch {
      return undefined;
    }
  }, [client, max]);
  const dismiss = useCallback(
    (index: number) =>
      setState((previous) => ({
        client: previous.client,
        list: previous.list.filter((_event, at) => at !== index),
      })),
    [],
  );
  const clear = useCallback(
    () => setState((previous) => ({ client: previous.client, list: [] })),
    [],
  );
  const rejections = state.client === client ? state.list : [];
  return { rejections, dismiss, clear };
}
