/**
 * `createClient`: wires the store, the local view, push/pull, the scheduler, status,
 * events and the live stream into one client. The parts live in their own files; this one
 * only connects them.
 */
import { type JsonObject, ROUTES, SPACES_PARAM } from '@ferry/protocol';
import type { ClientEvents, FerryClient, SyncResult } from './client-api.ts';
import { collectionSpace, createCollection } from './collection.ts';
import { type CollectionsOptions, indexDefinitionsOf } from './collection-options.ts';
import { createEmitter } from './emitter.ts';
import type { EngineContext } from './engine-context.ts';
import { FerryClosedError } from './errors.ts';
import { createLiveStream } from './events.ts';
import { expirableToken, joinUrl, withAuth, withResponseCheck } from './fetch.ts';
import { createFreshness } from './freshness.ts';
import { createEngineInspector } from './inspect-engine.ts';
import { type LocalState, openLocalState } from './local-state.ts';
import { errorFields } from './logger.ts';
import { createMutex } from './mutex.ts';
import { type ClientOptions, resolveOptions } from './options.ts';
import { createPokeCoverage } from './poke-coverage.ts';
import { applyPokedChanges } from './poked-changes.ts';
import { reportRejections } from './push.ts';
import { indexesByCollection } from './query.ts';
import { parsePokeChanges } from './responses.ts';
import type { RunRecord } from './scheduler/history.ts';
import { createScheduler } from './scheduler/scheduler.ts';
import { createStoreScheduleStorage } from './scheduler/store-storage.ts';
import { createStatusHolder, describeError } from './status.ts';
import { createSubscriptions } from './subscriptions.ts';
import { syncTrigger } from './sync-options.ts';
import { createSyncRun } from './sync-run.ts';

const resultOf = (record: RunRecord): SyncResult => ({
  pushed: record.pushed,
  pulled: record.pulled,
  rejected: record.rejected,
  reset: record.reset,
});

export function createClient<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
>(
  clientOptions: ClientOptions & { collections?: CollectionsOptions<Schema> },
): FerryClient<Schema> {
  const options = resolveOptions(clientOptions);
  const indexDefinitions = indexDefinitionsOf(clientOptions.collections);
  const indexes = indexesByCollection(indexDefinitions);
  const { store, logger, now } = options;
  const mutex = createMutex();
  let closing: Promise<void> | undefined;

  const emitter = createEmitter<ClientEvents>((error, name) =>
    logger.error(errorFields(error), `a '${String(name)}' listener threw`),
  );
  const status = createStatusHolder((snapshot) => emitter.emit('status', snapshot));
  const freshness = createFreshness({
    environment: options.environment,
    minIntervalMs: options.schedule.minIntervalMs,
    status,
  });
  const subscriptions = createSubscriptions((error, stage) =>
    logger.error(errorFields(error), `a collection subscription failed (${stage})`),
  );

  const assertUsable = () => {
    if (closing !== undefined) throw new FerryClosedError('client');
  };

  // Queued first, so every read, write and commit runs after the state is loaded.
  const ready = mutex.run(async () => {
    // The declared indexes first: a change rebuilds them before any query runs.
    await store.defineIndexes(indexDefinitions);
    return openLocalState(store, {
      generateClientId: options.generateClientId,
      spaces: options.spaces,
      logger,
    });
  });
  let loadedState: LocalState | undefined;
  // The scheduler starts once the state is loaded, so its first decision sees the outbox.
  const started = ready.then(async (local) => {
    loadedState = local;
    status.update({ pendingCount: local.outbox.size, lastSuccessAt: local.lastSuccessAt });
    // Rejections a crash kept from being reported last time are reported now.
    await reportRejections(
      { store, mutex, logger, rejected: (event) => emitter.emit('rejected', event) },
      local,
    );
    if (closing === undefined) await scheduler.start();
  });
  started.catch((error: unknown) => {
    logger.error(errorFields(error), 'could not open the client state from the store');
    status.update({ state: 'error', lastError: describeError(error) });
  });
  const inspector = createEngineInspector({
    store,
    mutex,
    now,
    ready,
    started,
    status: () => status.get(),
    history: () => scheduler.history(),
    onRejected: (listener) => emitter.on('rejected', listener),
  });

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
      if (event.cause === 'write') scheduler.trigger('local-change');
    },
    outboxChanged: (size) => {
      status.update({ pendingCount: size });
      inspector.outboxChanged();
    },
  };

  const checkedFetch = withResponseCheck(options.fetch, { now });
  // After the event stream's `reauthenticate`, the next request asks for a fresh token.
  const tokens = options.getToken && expirableToken(options.getToken);
  // Without getToken the request carries whatever credentials the platform adds (cookies).
  const authedFetch = tokens ? withAuth(checkedFetch, tokens.getToken) : checkedFetch;
  // A run's request that reaches the server says it is back: the stream need not wait longer.
  const runFetch: typeof fetch = async (input, init) => {
    const response = await authedFetch(input, init);
    live.resetBackoff();
    return response;
  };
  const syncRun = createSyncRun(ctx, {
    fetch: runFetch,
    url: options.url,
    spaces: options.spaces,
    pullLimit: options.pullLimit,
    pushBatchSize: options.pushBatchSize,
    rejected: (event) => emitter.emit('rejected', event),
    progress: (event) => emitter.emit('progress', event),
  });
  // Which pokes announced changes the client does not hold yet; the others start no run.
  const pokes = createPokeCoverage({ sameSpaces: options.spaces !== undefined });
  const scheduler = createScheduler({
    environment: options.environment,
    options: options.schedule,
    storage: createStoreScheduleStorage(ctx),
    run: async (run) => {
      const startedIn = freshness.runStarted();
      try {
        const success = await pokes.run(() => syncRun(run));
        freshness.runSucceeded(startedIn);
        // A run that crossed the stream's opening still vouches once it holds what the
        // stream announced.
        if (pokes.connectionServed(loadedState?.cursorVersion ?? null)) freshness.pokeServed();
        return success;
      } catch (error) {
        freshness.runFailed();
        throw error;
      }
    },
    hasPendingMutations: () => {
      const local = loadedState;
      return local !== undefined && local.outbox.after(local.pushedThrough).length > 0;
    },
    lastMutationId: () => loadedState?.outbox.lastId ?? 0,
    pokeWanted: () => pokes.wanted(loadedState?.cursorVersion ?? null),
    pokes: true,
    onStatus: (snapshot) => status.update(snapshot),
    onRunEnd: (record) => emitter.emit('run', record),
    closedError: () => new FerryClosedError('client'),
    logger,
  });

  const eventsUrl =
    joinUrl(options.url, ROUTES.events) +
    (options.spaces === undefined
      ? ''
      : `?${new URLSearchParams({ [SPACES_PARAM]: options.spaces.join(',') })}`);
  const live = createLiveStream({
    url: eventsUrl,
    fetch: authedFetch,
    onPoke: (data) => {
      pokes.received(data);
      handlePoke(data).then(
        (handled) => {
          const local = loadedState;
          // Applied, or announcing nothing the client lacks: the data is current as of now.
          if (handled || (local !== undefined && !pokes.wanted(local.cursorVersion))) {
            if (local !== undefined && scheduler.status().state !== 'syncing') {
              local.lastSuccessAt = Math.max(local.lastSuccessAt ?? 0, now());
              scheduler.dataCurrent(local.lastSuccessAt);
              freshness.pokeServed();
            }
          }
          if (!handled) scheduler.trigger('poke');
        },
        (error: unknown) => {
          if (closing !== undefined) return;
          logger.warn(errorFields(error), 'could not apply the changes a poke carried; pulling');
          scheduler.trigger('poke');
        },
      );
    },
    onReauthenticate: () => tokens?.expire(),
    onStateChange: (state, retryAt) => {
      const changed = state !== status.get().live;
      status.update({ live: state, liveRetryAt: retryAt });
      if (!changed) return;
      freshness.liveChanged(state);
      if (state !== 'open') return;
      pokes.connected();
      // The server is reachable: what failed while it was not is retried now.
      scheduler.resetBackoff();
    },
    timers: options.timers,
    now,
    random: options.random,
    conditions: () => options.environment.conditions(),
    logger,
  });
  // The network back, or the app back in sight: the stream tries again at once.
  let lastConditions = options.environment.conditions();
  const unwatchConditions = options.environment.watch(() => {
    const conditions = options.environment.conditions();
    const regained = conditions.online && !lastConditions.online;
    const shown = conditions.visible !== false && lastConditions.visible === false;
    lastConditions = conditions;
    if (regained || shown) live.resetBackoff();
  });

  /** True when the poke's changes were applied (or were already in); false: pull. */
  const handlePoke = async (data: string): Promise<boolean> => {
    const local = loadedState;
    if (local === undefined || scheduler.status().state === 'syncing') return false;
    const poke = parsePokeChanges(data, eventsUrl);
    return poke !== undefined && applyPokedChanges(ctx, local, poke);
  };

  const client: FerryClient<Schema> = {
    collection(name, collectionOptions) {
      assertUsable();
      const space = collectionSpace(name, collectionOptions?.space, options);
      inspector.collectionOpened(space, name);
      return createCollection({ ctx, subscriptions, indexes, assertUsable }, space, name);
    },
    async sync(syncOptions) {
      assertUsable();
      const trigger = syncTrigger(syncOptions);
      await ready;
      return resultOf(await scheduler.requestRun(trigger));
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
    async history() {
      assertUsable();
      await started;
      return scheduler.history();
    },
    async inspect(inspectOptions) {
      assertUsable();
      return inspector.inspect(inspectOptions);
    },
    capabilities: () => scheduler.capabilities(),
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
        unwatchConditions();
        freshness.stop();
        await live.stop();
        await scheduler.stop();
        await mutex.idle();
        logger.debug('client closed');
      })();
      return closing;
    },
  };

  if (options.live) live.start();
  return client;
}
