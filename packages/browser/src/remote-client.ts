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
  type FerryClient,
  FerryClosedError,
  FerryConfigError,
  type InspectorSnapshot,
  type Query,
  type QueryOptions,
  type Row,
  type RunRecord,
  type SchedulerCapabilities,
  type SyncResult,
  type SyncStatus,
} from '@ferry/client';
import { createEmitter, createSubscriptions, INITIAL_STATUS } from '@ferry/client/internal';
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
    status = next;
    emitter.emit('status', next);
  };

  const onMessage = (event: MessageEvent<ChannelMessage>) => {
    const message = event.data;
    switch (message.type) {
      case 'leader': {
        if (leader !== undefined && message.epoch < leader.epoch) return;
        const changed = leader?.leaderId !== message.leaderId;
        leader = { leaderId: message.leaderId, epoch: message.epoch };
        capabilities = message.capabilities;
        setStatus(message.status);
        if (!changed) return;
        for (const [id, entry] of pending) if (entry.ackedBy !== leader.leaderId) send(id, entry);
        // What the old leader changed before going may not have been announced.
        subscriptions.notify({ cause: 'pull', collections: [], spaces: 'all' });
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

  const writeCall = async (args: WriteArgs): Promise<void> => {
    await request({ method: 'write', write: args });
    requestBackgroundSync();
  };

  const bulkCall = async (call: Extract<RequestCall, { method: 'bulkPut' | 'bulkDelete' }>) => {
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
    // The leader runs the query through its store's index; a filter, which cannot cross the
    // channel, is applied here, so the limit is applied here too when there is one.
    const find = async (query: Query<T> = {}): Promise<Row<T>[]> => {
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
        // As a local count: the whole selection, whatever limit a find query carries.
        if (query.filter !== undefined) {
          const { limit: _limit, ...selection } = query as Query<T>;
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
      bulkPut: (entries) =>
        bulkCall({
          method: 'bulkPut',
          space,
          collection: name,
          entries: Array.from(
            Symbol.iterator in entries ? entries : Object.entries(entries),
            ([key, value]): [string, JsonObject] => [key, value],
          ),
        }),
      bulkDelete: (keys) =>
        bulkCall({ method: 'bulkDelete', space, collection: name, keys: Array.from(keys) }),
      subscribe(
        first: ((rows: Row<T>[]) => void) | Query<T>,
        second?: QueryOptions<T> | ((rows: Row<T>[]) => void),
      ) {
        assertOpen();
        const live = typeof first !== 'function';
        const listener = (live ? second : first) as (rows: Row<T>[]) => void;
        return subscriptions.add({
          space,
          collection: name,
          read: () => (live ? find(first) : query(second as QueryOptions<T> | undefined)),
          // A new array every time: the app may sort or change the array it is given.
          listener: (rows) => listener(rows.slice() as Row<T>[]),
        });
      },
    };
  };

  return {
    collection(name, collectionOptions) {
      assertOpen();
      const space = collectionOptions?.space ?? options.defaultSpace;
      if (space === undefined) {
        throw new FerryConfigError(
          `collection('${name}') needs a space: pass { space } or set the defaultSpace option.`,
        );
      }
      return collection(name, space);
    },
    sync: async () => (await request({ method: 'sync' })) as SyncResult,
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
      void request({ method: 'startLive' }).catch(() => {});
    },
    stopLive: async () => {
      await request({ method: 'stopLive' });
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
    },
  };
}
