/**
 * `createClient`: wires the store, the local view, push/pull, status, events and the live
 * stream into one client. The parts live in their own files; this one only connects them.
 */
import { type ClientId, isValidName, type JsonObject, ROUTES, SPACES_PARAM } from '@ferry/protocol';
import type { ChangeEvent } from './changes.ts';
import { type Collection, createCollection } from './collection.ts';
import { createEmitter, type Unsubscribe } from './emitter.ts';
import type { EngineContext, SyncContext } from './engine-context.ts';
import { FerryClosedError, FerryConfigError, FerryValidationError } from './errors.ts';
import { createLiveStream } from './events.ts';
import { joinUrl, postJson, withAuth, withResponseCheck } from './fetch.ts';
import { openLocalState } from './local-state.ts';
import { errorFields } from './logger.ts';
import { createMutex } from './mutex.ts';
import { type ClientOptions, resolveOptions } from './options.ts';
import { pullChanges } from './pull.ts';
import { pushOutbox, type RejectionEvent } from './push.ts';
import { createStatusHolder, describeError, type SyncStatus } from './status.ts';
import { createSubscriptions } from './subscriptions.ts';
import { createSyncRunner } from './sync-runner.ts';

export interface SyncResult {
  /** Mutations the server confirmed as applied (or as already applied by an earlier send). */
  pushed: number;
  /** Changes pulled and applied. */
  pulled: number;
  /** Mutations the server rejected; each was rolled back and reported via 'rejected'. */
  rejected: number;
  /** True when the server could not serve the cursor and sent a fresh snapshot. */
  reset: boolean;
}

export interface ClientEvents {
  rejected: RejectionEvent;
  change: ChangeEvent;
  status: SyncStatus;
}

export interface FerryClient<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
> {
  /** A handle on one collection in one space (default: the `defaultSpace` option). */
  collection<Name extends keyof Schema & string>(
    name: Name,
    options?: { space?: string },
  ): Collection<Schema[Name]>;
  /** Pushes pending mutations, then pulls to the end. Joins the run already under way, if any. */
  sync(): Promise<SyncResult>;
  getStatus(): SyncStatus;
  /** Calls `listener` on every status change. */
  subscribeStatus(listener: (status: SyncStatus) => void): Unsubscribe;
  on<Name extends keyof ClientEvents>(
    name: Name,
    listener: (event: ClientEvents[Name]) => void,
  ): Unsubscribe;
  /** Opens the live event stream: server pokes trigger syncs. */
  startLive(): void;
  stopLive(): Promise<void>;
  /** This client's id, generated and stored on first use. */
  getClientId(): Promise<ClientId>;
  /**
   * Stops the live stream, cancels a sync under way, waits for accepted writes to be
   * stored, and makes every further call throw `FerryClosedError`. The store is the
   * caller's and stays open. `getStatus()` keeps answering.
   */
  close(): Promise<void>;
}

export function createClient<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
>(clientOptions: ClientOptions): FerryClient<Schema> {
  const options = resolveOptions(clientOptions);
  const { store, logger, now } = options;
  const mutex = createMutex();
  const lifetime = new AbortController();
  let closing: Promise<void> | undefined;

  const emitter = createEmitter<ClientEvents>((error, name) =>
    logger.error(`a '${String(name)}' listener threw`, errorFields(error)),
  );
  const status = createStatusHolder((snapshot) => emitter.emit('status', snapshot));
  const subscriptions = createSubscriptions((error, stage) =>
    logger.error(`a collection subscription failed (${stage})`, errorFields(error)),
  );

  const assertUsable = () => {
    if (closing !== undefined) throw new FerryClosedError('client');
  };

  // Queued first, so every read, write and commit runs after the state is loaded.
  const ready = mutex.run(() =>
    openLocalState(store, {
      generateClientId: options.generateClientId,
      spaces: options.spaces,
      logger,
    }),
  );
  ready.then(
    (local) =>
      status.update({ pendingCount: local.outbox.size, lastSuccessAt: local.lastSuccessAt }),
    (error: unknown) => {
      logger.error('could not open the client state from the store', errorFields(error));
      status.update({ state: 'error', lastError: describeError(error) });
    },
  );

  const ctx: EngineContext = {
    store,
    mutex,
    ready,
    logger,
    now,
    assertOpen: assertUsable,
    changed(event) {
      subscriptions.notify(event);
      emitter.emit('change', event);
    },
    outboxChanged: (size) => status.update({ pendingCount: size }),
  };

  const checkedFetch = withResponseCheck(options.fetch, { now });
  // Without getToken the request carries whatever credentials the platform adds (cookies).
  const authedFetch = options.getToken ? withAuth(checkedFetch, options.getToken) : checkedFetch;
  const urlFor = (route: string) => joinUrl(options.url, route);
  const syncCtx: SyncContext = {
    ...ctx,
    post: (route, body) =>
      postJson(authedFetch, urlFor(route), body, { signal: lifetime.signal, now }),
    urlFor,
    spaces: options.spaces,
    pullLimit: options.pullLimit,
    pushBatchSize: options.pushBatchSize,
    rejected: (event) => emitter.emit('rejected', event),
  };

  const runSync = async (): Promise<SyncResult> => {
    status.update({ state: 'syncing' });
    try {
      const local = await ready;
      const pushed = await pushOutbox(syncCtx, local);
      const pulled = await pullChanges(syncCtx, local);
      status.update({ state: 'idle', lastError: null, lastSuccessAt: local.lastSuccessAt });
      const result = { ...pushed, ...pulled };
      logger.debug('sync finished', { ...result });
      return result;
    } catch (error) {
      if (closing !== undefined) {
        // Cancelled by close(): not a failure worth showing.
        status.update({ state: 'idle' });
        throw error;
      }
      status.update({ state: 'error', lastError: describeError(error) });
      logger.warn('sync failed', errorFields(error));
      throw error;
    }
  };
  const runner = createSyncRunner(runSync, logger);

  const eventsUrl =
    urlFor(ROUTES.events) +
    (options.spaces === undefined
      ? ''
      : `?${new URLSearchParams({ [SPACES_PARAM]: options.spaces.join(',') })}`);
  const live = createLiveStream({
    url: eventsUrl,
    fetch: authedFetch,
    onPoke: () => runner.request(),
    onStateChange: (state) => status.update({ live: state }),
    timers: options.timers,
    random: options.random,
    logger,
  });

  const collectionSpace = (name: string, space: string | undefined): string => {
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
  };

  const client: FerryClient<Schema> = {
    collection(name, collectionOptions) {
      assertUsable();
      const space = collectionSpace(name, collectionOptions?.space);
      return createCollection({ ctx, subscriptions, assertUsable }, space, name);
    },
    sync() {
      if (closing !== undefined) return Promise.reject(new FerryClosedError('client'));
      return runner.sync();
    },
    getStatus: () => status.get(),
    subscribeStatus(listener) {
      assertUsable();
      return emitter.on('status', listener);
    },
    on(name, listener) {
      assertUsable();
      return emitter.on(name, listener);
    },
    startLive() {
      assertUsable();
      live.start();
    },
    stopLive: () => live.stop(),
    async getClientId() {
      assertUsable();
      return (await ready).clientId;
    },
    close() {
      closing ??= (async () => {
        subscriptions.clear();
        await live.stop();
        runner.stopRequests();
        lifetime.abort();
        await runner.current()?.catch(() => {});
        await mutex.idle();
        logger.debug('client closed');
      })();
      return closing;
    },
  };

  if (options.live) live.start();
  return client;
}
