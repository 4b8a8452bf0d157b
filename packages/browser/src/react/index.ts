/**
 * React bindings for any `FerryClient` (the one `openFerry` returns, or `createClient`'s):
 * live queries, one record, the sync status and rejected writes, as hooks. No JSX here, so
 * the package needs no JSX settings; React is an optional peer dependency.
 *
 * Collection handles must be stable across renders for `useQuery`/`useRecord`: each
 * `client.collection(…)` call makes a new handle, so memoise it (`useMemo`) or use
 * `useCollection`, which does. `useQuery` also takes a collection name, read from the
 * provider's client, and a `find` query, whose window it keeps live.
 *
 * The provider's hooks are typed by the app's client once it is declared in `FerryRegister`
 * (see `provider.ts`); `useSyncStatus` and `useRejections` read the provider's client too
 * unless given one.
 *
 * @module
 */
import type { FerryClient, RejectionEvent, SyncStatus } from '@ferry/client';
import type { JsonObject } from '@ferry/protocol';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { useProvidedClient } from './context.ts';
import { type LiveCollection, useQueryOf } from './use-query.ts';

export {
  type FerryHooks,
  FerryProvider,
  type FerryRegister,
  type RegisteredSchema,
  typedFerryHooks,
  useCollection,
  useFerry,
  useQuery,
} from './provider.ts';
export type {
  LiveCollection,
  QueryResult,
  UseFindOptions,
  UseQueryOptions,
} from './use-query.ts';

/** One record's value, live; undefined while loading and when there is no such record. */
export function useRecord<T extends JsonObject>(
  collection: LiveCollection<T> | null | undefined,
  key: string,
): T | undefined {
  const { rows } = useQueryOf(collection, {
    where: (_value, rowKey) => rowKey === key,
    deps: [key],
  });
  return rows?.[0]?.value;
}

/**
 * The current `SyncStatus` of the provider's client (or of `client`, when given);
 * rerenders when a new snapshot is published.
 */
export function useSyncStatus(
  client?: Pick<FerryClient, 'getStatus' | 'subscribeStatus'>,
): SyncStatus {
  const provided = useProvidedClient();
  const source = client ?? provided;
  if (source === null) {
    throw new Error(
      'useSyncStatus needs a client: pass one, or render it below a <FerryProvider>.',
    );
  }
  const subscribe = useCallback(
    (onChange: () => void) => {
      try {
        return source.subscribeStatus(onChange);
      } catch {
        // A closed client publishes nothing more; getStatus() keeps answering.
        return () => {};
      }
    },
    [source],
  );
  const snapshot = useCallback(() => source.getStatus(), [source]);
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export interface RejectionsResult {
  /** Writes the server refused (each already rolled back), oldest first. */
  rejections: readonly RejectionEvent[];
  /** Forgets the rejection at `index` of `rejections`. */
  dismiss(index: number): void;
  clear(): void;
}

/**
 * The last `max` (default 20) rejected writes since mount, for notices the user can
 * dismiss, of the provider's client (or of `client`, when given).
 */
export function useRejections(
  client?: Pick<FerryClient, 'on'>,
  options: { max?: number } = {},
): RejectionsResult {
  const provided = useProvidedClient();
  const source = client ?? provided;
  if (source === null) {
    throw new Error(
      'useRejections needs a client: pass one, or render it below a <FerryProvider>.',
    );
  }
  const max = options.max ?? 20;
  const [state, setState] = useState<{ source: object; list: readonly RejectionEvent[] }>({
    source,
    list: [],
  });
  useEffect(() => {
    setState((previous) => (previous.source === source ? previous : { source, list: [] }));
    try {
      return source.on('rejected', (event) =>
        setState((previous) => ({
          source,
          list: [...(previous.source === source ? previous.list : []), event].slice(-max),
        })),
      );
    } catch {
      return undefined;
    }
  }, [source, max]);
  const dismiss = useCallback(
    (index: number) =>
      setState((previous) => ({
        source: previous.source,
        list: previous.list.filter((_event, at) => at !== index),
      })),
    [],
  );
  const clear = useCallback(
    () => setState((previous) => ({ source: previous.source, list: [] })),
    [],
  );
  const rejections = state.source === source ? state.list : [];
  return { rejections, dismiss, clear };
}
