/**
 * The provider and the hooks that read its client, typed by that client's collections.
 *
 * An app declares its client's type once, by declaration merging:
 *
 * ```ts
 * declare module '@ferry/browser/react' {
 *   interface FerryRegister { client: FerryClient<AppSchema> }
 * }
 * ```
 *
 * Then `<FerryProvider client>` takes only such a client, `useFerry()` returns it, and
 * `useCollection('todos')` checks the name and gives that collection's read and write
 * types. Where one declaration cannot serve (several clients with different schemas, or
 * code that must not change a global type), `typedFerryHooks<AppSchema>()` returns the same
 * functions typed by `AppSchema`. Until either is used, any client and any name will do.
 */
import type { CollectionFor, FerryClient, Query } from '@ferry/client';
import type { JsonObject, OutputOf } from '@ferry/protocol';
import { createElement, type ReactElement, type ReactNode, useContext, useMemo } from 'react';
import { FerryContext } from './context.ts';
import {
  type LiveCollection,
  type QueryResult,
  type UseFindOptions,
  type UseQueryOptions,
  useQueryOf,
} from './use-query.ts';

export { useProvidedClient } from './context.ts';

/** Where an app declares the type of the client it gives `FerryProvider`; empty until then. */
// biome-ignore lint/suspicious/noEmptyInterface: declaration merging fills it in.
export interface FerryRegister {}

/** The schema of the client declared in `FerryRegister`; any collections until one is. */
export type RegisteredSchema = FerryRegister extends { client: FerryClient<infer Schema> }
  ? Schema
  : Record<string, JsonObject>;

/** The provider and the hooks that read its client, typed by one client schema. */
export interface FerryHooks<Schema extends Record<string, JsonObject>> {
  /** Makes `client` available to the hooks below it. */
  FerryProvider(props: { client: FerryClient<Schema>; children?: ReactNode }): ReactElement;
  /** The client from the nearest `FerryProvider`; throws when there is none. */
  useFerry(): FerryClient<Schema>;
  /**
   * A handle on one of the provider's client's collections, the same object until the
   * client, name or space changes; it reads and writes that collection's types.
   */
  useCollection<Name extends keyof Schema & string>(
    name: Name,
    options?: { space?: string },
  ): CollectionFor<Schema[Name]>;
  /**
   * The live rows of one of the provider's client's collections, by name: the window of a
   * query, as `collection.find` takes it (`{ index, where, range, order, limit, after,
   * filter }`; none: every row in key order), read at once and again after every change to
   * the collection, through its index. A query written inline is compared by value, so it
   * resubscribes only when its window changes; its `filter` may be a new function on every
   * render (list what it reads from the render in `options.deps`).
   */
  useQuery<Name extends keyof Schema & string>(
    name: Name,
    query?: Query<Extract<OutputOf<Schema[Name]>, JsonObject>>,
    options?: UseFindOptions,
  ): QueryResult<Extract<OutputOf<Schema[Name]>, JsonObject>>;
  /**
   * The live rows of a collection handle: every row in ascending key order, those `where`
   * keeps when given. `null` renders nothing and subscribes to nothing.
   */
  useQuery<T extends JsonObject>(
    collection: LiveCollection<T> | null | undefined,
    options?: UseQueryOptions<T>,
  ): QueryResult<T>;
  /** The live window of a query on a collection handle, as by name above. */
  useQuery<T extends JsonObject>(
    collection: LiveCollection<T> | null | undefined,
    query: Query<T>,
    options?: UseFindOptions,
  ): QueryResult<T>;
}

const hooks: FerryHooks<Record<string, JsonObject>> = {
  FerryProvider(props) {
    return createElement(FerryContext.Provider, { value: props.client }, props.children);
  },
  useFerry() {
    const client = useContext(FerryContext);
    if (client === null) throw new Error('useFerry needs a <FerryProvider client={…}> above it.');
    return client;
  },
  useCollection(name, options) {
    const client = hooks.useFerry();
    const space = options?.space;
    return useMemo(
      () => client.collection(name, space === undefined ? undefined : { space }),
      [client, name, space],
    );
  },
  useQuery: useQueryOf as FerryHooks<Record<string, JsonObject>>['useQuery'],
};

/**
 * The provider and its hooks typed by `Schema`: the same functions as the module's own
 * exports, for apps that do not declare their client in `FerryRegister`.
 */
export function typedFerryHooks<Schema extends Record<string, JsonObject>>(): FerryHooks<Schema> {
  // Types only: the functions read whatever client the provider holds.
  return hooks as unknown as FerryHooks<Schema>;
}

const registered = typedFerryHooks<RegisteredSchema>();
export const FerryProvider: FerryHooks<RegisteredSchema>['FerryProvider'] =
  registered.FerryProvider;
export const useFerry: FerryHooks<RegisteredSchema>['useFerry'] = registered.useFerry;
export const useCollection: FerryHooks<RegisteredSchema>['useCollection'] =
  registered.useCollection;
export const useQuery: FerryHooks<RegisteredSchema>['useQuery'] = registered.useQuery;
