/**
 * `connectFerry`: a `FerryClient` for any context of the app (a page, a worker, the service
 * worker) that talks to whichever context leads the store's sync, over the store's
 * BroadcastChannel. Every tab therefore sees the same data, the same status and the same
 * rejections, while exactly one engine runs.
 *
 * Requests wait for a leader; when the leader changes (its tab closed, or it froze and was
 * replaced), the requests it had not answered are sent to the new one, which runs each id
 * once. Live queries re-read through the leader after every change it announces.
 */
import {
  type ClientEvents,
  type Collection,
  type CollectionsOptions,
  type FerryClient,
  FerryClosedError,
  type InspectorSnapshot,
  type Query,
  type QueryOptions,
  type Row,
  type RunRecord,
  type SchedulerCapabilities,
  type SyncResult,
  type SyncStatus,
} from '@ferry/client';
import {
  checkQuery,
  collectionSpace,
  createEmitter,
  createSubscriptions,
  type DeclaredIndexes,
  deepFreeze,
  INITIAL_STATUS,
  indexDefinitionsOf,
  indexesByCollection,
  type LocalWrite,
  prepareWrite,
  syncTrigger,
} from '@ferry/client/internal';
import type { ClientId, JsonObject } from '@ferry/protocol';
import {
  type ChannelMessage,
  channelName,
  type LeaderInfo,
  type RequestCall,
  randomId,
  reviveError,
  type WireQuery,
  type WriteArgs,
} from './channel.ts';
import { type BrowserCapabilities, browserCapabilities } from './environment.ts';
import { FerryLeaderUnavailableError } from './errors.ts';

export interface ConnectOptions {
  /** The store's name, as given to `hostFerry`. */
  name: string;
  /** The space of collections opened without one (as the host's `defaultSpace`). */
  defaultSpace?: string;
  /**
   * The host's `spaces` option (`openFerry` passes it on): `collection()` then throws
   * `FerryConfigError` at once for a space the leader does not pull, as `createClient`'s
   * does. Without it, the leader refuses each call on such a collection with that error.
   */
  spaces?: readonly string[];
  /**
   * The host's `collections` option (`openFerry` passes it on): a query that names an index
   * not declared, or does not fit its index, then fails at once as on `createClient`'s
   * client (`subscribe` throws `FerryValidationError`). Without it, the leader checks such
   * queries: `find` and `count` reject the same way, but `subscribe` cannot throw, so its
   * listener is never called and the error is logged with `console.error`.
   */
  collections?: CollectionsOptions;
  /**
   * Reject a request with `FerryLeaderUnavailableError` when no leader acknowledges it within
   * this many milliseconds. Default: wait, since a host takes over from a silent leader.
   */
  ackTimeoutMs?: number;
  /**
   * After each local write, ask the service worker (if one controls the page) for a
   * Background Sync with this tag, so the write is pushed when the network returns even if
   * every tab is closed by then; false turns it off. Default `ferry-sync`.
   */
  backgroundSyncTag?: string | false;
}

export interface BrowserFerryClient<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
> extends FerryClient<Schema> {
  /** The leader's scheduler capabilities, plus what this browser offers for background work. */
  capabilities(): SchedulerCapabilities & { background: BrowserCapabilities };
}

interface Pending {
  call: RequestCall;
  resolve(value: unknown): void;
  reject(error: Error): void;
  ackedBy?: string;
  timer?: ReturnType<typeof setTimeout>;
}

export const DEFAULT_BACKGROUND_SYNC_TAG = 'ferry-sync';

/** The part of a page's document this file uses. */
interface VisibleDocument extends EventTarget {
  readonly visibilityState: string;
}

const UNKNOWN_CAPABILITIES: SchedulerCapabilities = {
  triggers: {
    start: false,
    online: false,
    interval: false,
    visible: false,
    poke: false,
    'local-change': false,
    // Requested with sync(), so always accepted.
    background: true,
    push: true,
    manual: true,
  },
  constraints: { network: false, unmetered: false, battery: false },
};

export function connectFerry<
  Schema extends Record<string, JsonObject> = Record<string, JsonObject>,
>(options: ConnectOptions): BrowserFerryClient<Schema> {
  const connectionId = randomId();
  const channel = new BroadcastChannel(channelName(options.name));
  // An app's listener that throws must not break delivery to the others, nor go unseen.
  const emitter = createEmitter<ClientEvents>((error, name) =>
    console.error(`A Ferry '${String(name)}' listener threw`, error),
  );
  const subscriptions = createSubscriptions((error, stage) =>
    console.error(`A Ferry live query failed (${stage})`, error),
  );
  const pending = new Map<string, Pending>();
  let leader: LeaderInfo | undefined;
  let status: SyncStatus = INITIAL_STATUS;
  let capabilities = UNKNOWN_CAPABILITIES;
  let closed = false;
  let sequence = 0;
  // Known only when given: then queries are checked here, at once, as the leader would.
  const indexes: DeclaredIndexes | undefined =
    options.collections === undefined
      ? undefined
      : indexesByCollection(indexDefinitionsOf(options.collections));

  const post = (message: ChannelMessage) => channel.postMessage(message);
  const fromLeader = (info: LeaderInfo) =>
    leader !== undefined && info.leaderId === leader.leaderId;
  const assertOpen = () => {
    if (closed) throw new FerryClosedError('client');
  };

  const send = (id: string, entry: Pending) => {
    post({ type: 'request', id, from: connectionId, call: entry.call });
    if (options.ackTimeoutMs !== undefined && entry.timer === undefined) {
      entry.timer = setTimeout(() => {
        if (entry.ackedBy !== undefined || !pending.delete(id)) return;
        entry.reject(new FerryLeaderUnavailableError(options.name, options.ackTimeoutMs ?? 0));
      }, options.ackTimeoutMs);
    }
  };

  const request = (call: RequestCall): Promise<unknown> => {
    assertOpen();
    const id = `${connectionId}.${++sequence}`;
    return new Promise((resolve, reject) => {
      const entry: Pending = { call, resolve, reject };
      pending.set(id, entry);
      send(id, entry);
    });
  };

  const settle = (message: Extract<ChannelMessage, { type: 'response' }>) => {
    const entry = pending.get(message.id);
    if (entry === undefined) return;
    // A leader that was replaced may still answer "leadership lost": the new one will answer.
    if (!message.ok && message.error.code === 'leadership_lost') return;
    pending.delete(message.id);
    clearTimeout(entry.timer);
    if (message.ok) entry.resolve(message.value);
    else entry.reject(reviveError(message.error));
  };

  const setStatus = (next: SyncStatus) => {
    // A leader announces itself again to every new connection: only a change is news.
    if (JSON.stringify(next) === JSON.stringify(status)) return;
    status = Object.freeze(next);
    emitter.emit('status', status);
  };

  const onMessage = (event: MessageEvent<ChannelMessage>) => {
    const message = event.data;
    switch (message.type) {
      case 'leader': {
        if (leader !== undefined && message.epoch < leader.epoch) return;
        const previous = leader;
        leader = { leaderId: message.leaderId, epoch: message.epoch };
        capabilities = message.capabilities;
        setStatus(message.status);
        if (previous?.leaderId === leader.leaderId) return;
        for (const [id, entry] of pending) if (entry.ackedBy !== leader.leaderId) send(id, entry);
        // What the old leader changed before going may not have been announced. (Before the
        // first leader nothing was read: the reads waiting for it are answered by it.)
        if (previous !== undefined) {
          subscriptions.notify({ cause: 'pull', collections: [], spaces: 'all' });
        }
        return;
      }
      case 'released':
        if (fromLeader(message)) leader = undefined;
        return;
      case 'ack': {
        const entry = pending.get(message.id);
        if (entry !== undefined) entry.ackedBy = message.leaderId;
        return;
      }
      case 'response':
        if (message.to === connectionId) settle(message);
        return;
      case 'status':
        if (fromLeader(message)) setStatus(message.status);
        return;
      case 'change':
        if (!fromLeader(message)) return;
        subscriptions.notify(message.event);
        emitter.emit('change', message.event);
        return;
      case 'rejected':
        if (fromLeader(message)) emitter.emit('rejected', message.event);
        return;
      case 'run':
        if (fromLeader(message)) emitter.emit('run', message.record);
        return;
      case 'progress':
        if (fromLeader(message)) emitter.emit('progress', message.progress);
        return;
    }
  };
  channel.addEventListener('message', onMessage);

  // Named structurally: this file also runs, and is type-checked, in workers.
  const doc = (globalThis as { document?: VisibleDocument }).document;
  const reportVisibility = () =>
    post({ type: 'visibility', from: connectionId, visible: doc?.visibilityState === 'visible' });
  doc?.addEventListener('visibilitychange', reportVisibility);
  // A page hears the network change; the leader, in a worker, may not.
  const page = doc === undefined ? undefined : (globalThis as unknown as EventTarget);
  const reportNetwork = () =>
    post({ type: 'network', from: connectionId, online: globalThis.navigator?.onLine !== false });
  page?.addEventListener('online', reportNetwork);
  page?.addEventListener('offline', reportNetwork);
  post({
    type: 'hello',
    from: connectionId,
    ...(doc ? { visible: doc.visibilityState === 'visible' } : {}),
  });

  const requestBackgroundSync = () => {
    const tag = options.backgroundSyncTag ?? DEFAULT_BACKGROUND_SYNC_TAG;
    const container = (globalThis as { navigator?: { serviceWorker?: ServiceWorkerContainer } })
      .navigator?.serviceWorker;
    if (tag === false || container?.controller == null) return;
    void container.ready
      .then((registration) => {
        const sync = (registration as { sync?: { register(tag: string): Promise<void> } }).sync;
        return sync?.register(tag);
      })
      // Refused (no permission, unsupported): the foreground triggers still push the write.
      .catch(() => {});
  };

  // Writes are checked here as the leader checks them, so that a bad one fails the same way
  // (a value the channel would carry changed, such as a class instance, or not at all, such
  // as a function) and waits for no leader.
  const writeCall = async (args: WriteArgs): Promise<void> => {
    assertOpen();
    prepareWrite(args);
    await request({ method: 'write', write: args });
    requestBackgroundSync();
  };

  const bulkCall = async (
    call: Extract<RequestCall, { method: 'bulkPut' | 'bulkDelete' }>,
    writes: readonly LocalWrite[],
  ) => {
    assertOpen();
    for (const write of writes) prepareWrite(write);
    await request(call);
    requestBackgroundSync();
  };

  const collection = <T extends JsonObject, Input extends JsonObject = T>(
    name: string,
    space: string,
  ): Collection<T, Input> => {
    const query = async (queryOptions?: QueryOptions<T>): Promise<Row<T>[]> => {
      const rows = (await request({ method: 'query', space, collection: name })) as Row<T>[];
      const where = queryOptions?.where;
      return where === undefined ? rows : rows.filter((row) => where(row.value, row.key));
    };
    /** Throws as the leader would for a bad query, when this connection knows the indexes. */
    const check = (query: Query<T>) => {
      assertOpen();
      // An index the connection was not told of is the leader's to check.
      if (indexes === undefined && query.index !== undefined) return;
      checkQuery(indexes ?? NO_INDEXES, name, query as Query<JsonObject>);
    };
    // The leader runs the query through its store's index; a filter, which cannot cross the
    // channel, is applied here, so the limit is applied here too when there is one.
    const find = async (query: Query<T> = {}): Promise<Row<T>[]> => {
      check(query);
      const { filter, ...rest } = query;
      const wire = (filter === undefined ? rest : { ...rest, limit: undefined }) as WireQuery;
      const rows = (await request({
        method: 'find',
        space,
        collection: name,
        query: wire,
      })) as Row<T>[];
      if (filter === undefined) return rows;
      const kept = rows.filter((row) => filter(row.value, row.key));
      return query.limit === undefined ? kept : kept.slice(0, query.limit);
    };
    const writeArgs = (key: string, op: WriteArgs['op'], ifVersion?: number) => ({
      space,
      collection: name,
      key,
      op,
      ...(ifVersion === undefined ? {} : { ifVersion }),
    });
    return {
      name,
      space,
      get: async (key) =>
        (await request({ method: 'get', space, collection: name, key })) as T | undefined,
      query,
      find,
      async count(query = {}) {
        check(query);
        // As a local count: the whole selection, whatever limit, order and after a find
        // query carries.
        if (query.filter !== undefined) {
          const { limit: _limit, order: _order, after: _after, ...selection } = query as Query<T>;
          return (await find(selection)).length;
        }
        return (await request({
          method: 'count',
          space,
          collection: name,
          query: query as WireQuery,
        })) as number;
      },
      getMany: async (keys) =>
        (await request({ method: 'getMany', space, collection: name, keys })) as (T | undefined)[],
      put: (key, value, writeOptions) =>
        writeCall({ ...writeArgs(key, 'put', writeOptions?.ifVersion), value }),
      patch: (key, changes, writeOptions) =>
        writeCall({
          ...writeArgs(key, 'patch', writeOptions?.ifVersion),
          value: changes as JsonObject,
        }),
      delete: (key, writeOptions) => writeCall(writeArgs(key, 'delete', writeOptions?.ifVersion)),
      // One request, so the leader records the lot in one commit, all or nothing.
      bulkPut(entries) {
        const pairs = Array.from(
          Symbol.iterator in entries ? entries : Object.entries(entries),
          ([key, value]): [string, JsonObject] => [key, value],
        );
        return bulkCall(
          { method: 'bulkPut', space, collection: name, entries: pairs },
          pairs.map(([key, value]) => ({ space, collection: name, key, op: 'put', value })),
        );
      },
      bulkDelete(keys) {
        const list = Array.from(keys);
        return bulkCall(
          { method: 'bulkDelete', space, collection: name, keys: list },
          list.map((key) => ({ space, collection: name, key, op: 'delete' })),
        );
      },
      subscribe(
        first: ((rows: Row<T>[]) => void) | Query<T>,
        second?: QueryOptions<T> | ((rows: Row<T>[]) => void),
      ) {
        assertOpen();
        const live = typeof first !== 'function';
        if (live) check(first);
        const listener = (live ? second : first) as (rows: Row<T>[]) => void;
        // As the engine's live queries do: rows frozen, and a row that did not change is the
        // same object as in the last delivery.
        let delivered = new Map<string, Row<T>>();
        const read = async () => {
          const rows = await (live ? find(first) : query(second as QueryOptions<T> | undefined));
          const kept = new Map<string, Row<T>>();
          const shared = rows.map((row) => {
            const old = delivered.get(row.key);
            const same = old !== undefined && sameRow(old, row);
            const out = same ? old : deepFreeze(row);
            kept.set(row.key, out);
            return out;
          });
          delivered = kept;
          return shared;
        };
        return subscriptions.add({
          space,
          collection: name,
          read,
          // A new array every time: the app may sort or change the array it is given.
          listener: (rows) => listener(rows.slice() as Row<T>[]),
        });
      },
    };
  };

  return {
    collection(name, collectionOptions) {
      assertOpen();
      // Checked at once, as createClient's collection() does: a programming error throws.
      const space = collectionSpace(name, collectionOptions?.space, options);
      return collection(name, space);
    },
    sync: async (syncOptions) => {
      // Checked here too: a call the leader would refuse must not wait for a leader first.
      const trigger = syncTrigger(syncOptions);
      return (await request({ method: 'sync', trigger })) as SyncResult;
    },
    getStatus: () => status,
    subscribeStatus(listener) {
      assertOpen();
      return emitter.on('status', listener);
    },
    on(name, listener) {
      assertOpen();
      return emitter.on(name, listener);
    },
    history: async () => (await request({ method: 'history' })) as RunRecord[],
    // The leader's snapshot: the engine, its outbox and its history are there.
    inspect: async (inspectOptions) =>
      (await request({
        method: 'inspect',
        ...(inspectOptions === undefined ? {} : { options: inspectOptions }),
      })) as InspectorSnapshot,
    capabilities: () => ({ ...capabilities, background: browserCapabilities() }),
    startLive() {
      assertOpen();
      void request({ method: 'startLive' }).catch(() => {});
    },
    // Like close(), a stop that has nothing left to stop once closed.
    stopLive: async () => {
      if (!closed) await request({ method: 'stopLive' });
    },
    getClientId: async () => (await request({ method: 'getClientId' })) as ClientId,
    async close() {
      if (closed) return;
      closed = true;
      doc?.removeEventListener('visibilitychange', reportVisibility);
      page?.removeEventListener('online', reportNetwork);
      page?.removeEventListener('offline', reportNetwork);
      post({ type: 'visibility', from: connectionId, visible: false });
      channel.removeEventListener('message', onMessage);
      channel.close();
      subscriptions.clear();
      for (const entry of pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(new FerryClosedError('client'));
      }
      pending.clear();
      // As a closed engine's status: stopped, for good.
      setStatus({
        ...status,
        phase: 'stopped',
        state: 'stopped',
        nextRunAt: null,
        live: 'off',
        liveRetryAt: null,
      });
    },
  };
}

/** A connection that was not told of the host's indexes checks queries without one only. */
const NO_INDEXES: DeclaredIndexes = new Map();

/** Two rows the leader sent are the same row: same key, version, pending state and value. */
function sameRow(a: Row, b: Row): boolean {
  return (
    a.key === b.key &&
    a.version === b.version &&
    a.pending === b.pending &&
    sameJson(a.value, b.value)
  );
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every(
    (key) =>
      Object.hasOwn(b, key) &&
      sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
