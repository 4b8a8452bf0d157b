/**
 * What the leader does while it leads: it opens the store, claims it (so a leader that was
 * pushed aside cannot write any more), runs the one real client of the store, answers the
 * connections' requests and tells every context about status, changes and rejections.
 * Used by `hostFerry` in a page or worker and, for one background run, by the service worker.
 */
import {
  type ClientOptions,
  createClient,
  type FerryClient,
  type Unsubscribe,
} from '@ferry/client';
import {
  type ChannelMessage,
  errorData,
  type LeaderInfo,
  type RequestCall,
  type WriteArgs,
} from './channel.ts';
import { createBrowserEnvironment } from './environment.ts';
import { openIndexedDbStore } from './indexeddb-store.ts';
import { withReportedVisibility } from './reported-visibility.ts';

export interface HostOptions extends Omit<ClientOptions, 'store' | 'environment'> {
  /** Names the IndexedDB database, the Web Lock and the BroadcastChannel: one per user per app. */
  name: string;
  /**
   * A contender takes the lead by force when the leader has not acknowledged a request for
   * this long (a frozen tab); default 5000.
   */
  leaderTimeoutMs?: number;
  /** Default: the global `indexedDB`. */
  indexedDB?: IDBFactory;
}

export const DEFAULT_LEADER_TIMEOUT_MS = 5_000;

export interface LeaderSession {
  readonly client: FerryClient;
  readonly info: LeaderInfo;
  /** Stops the client, tells the others, and closes the store. */
  end(): Promise<void>;
}

/** Request ids a leader remembers, so a request sent again after a hand-over runs once. */
const REMEMBERED_REQUESTS = 1_000;

function clientOptionsOf(options: HostOptions): Omit<ClientOptions, 'store'> {
  const { name: _name, leaderTimeoutMs: _timeout, indexedDB: _idb, ...clientOptions } = options;
  return clientOptions;
}

async function callClient(client: FerryClient, call: RequestCall): Promise<unknown> {
  switch (call.method) {
    case 'get':
      return client.collection(call.collection, { space: call.space }).get(call.key);
    case 'query':
      return client.collection(call.collection, { space: call.space }).query();
    case 'find':
      return client.collection(call.collection, { space: call.space }).find(call.query);
    case 'count':
      return client.collection(call.collection, { space: call.space }).count(call.query);
    case 'getMany':
      return client.collection(call.collection, { space: call.space }).getMany(call.keys);
    case 'write':
      return write(client, call.write);
    case 'bulkPut':
      return client.collection(call.collection, { space: call.space }).bulkPut(call.entries);
    case 'bulkDelete':
      return client.collection(call.collection, { space: call.space }).bulkDelete(call.keys);
    case 'sync':
      return client.sync(call.trigger === undefined ? undefined : { trigger: call.trigger });
    case 'history':
      return client.history();
    case 'inspect':
      return client.inspect(call.options);
    case 'getClientId':
      return client.getClientId();
    case 'startLive':
      return client.startLive();
    case 'stopLive':
      return client.stopLive();
  }
}

function write(client: FerryClient, args: WriteArgs): Promise<void> {
  const collection = client.collection(args.collection, { space: args.space });
  const writeOptions = args.ifVersion === undefined ? undefined : { ifVersion: args.ifVersion };
  if (args.op === 'delete') return collection.delete(args.key, writeOptions);
  if (args.op === 'patch') return collection.patch(args.key, args.value ?? {}, writeOptions);
  return collection.put(args.key, args.value ?? {}, writeOptions);
}

export async function startLeaderSession(
  options: HostOptions,
  channel: BroadcastChannel,
  leaderId: string,
  /** Applied over the host's client options (the service worker turns the scheduler off). */
  overrides: Partial<Omit<ClientOptions, 'store'>> = {},
): Promise<LeaderSession> {
  const store = await openIndexedDbStore({
    name: options.name,
    ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
  });
  let claimed: Awaited<ReturnType<typeof store.claim>>;
  try {
    claimed = await store.claim();
  } catch (error) {
    await store.close();
    throw error;
  }
  const visibility = withReportedVisibility(createBrowserEnvironment());
  const client = createClient({
    ...clientOptionsOf(options),
    ...overrides,
    store: claimed,
    environment: visibility.environment,
  });
  const info: LeaderInfo = { leaderId, epoch: claimed.epoch };
  const post = (message: ChannelMessage) => channel.postMessage(message);
  const announce = () =>
    post({
      type: 'leader',
      ...info,
      status: client.getStatus(),
      capabilities: client.capabilities(),
    });

  const seen = new Set<string>();
  const remember = (id: string) => {
    seen.add(id);
    if (seen.size > REMEMBERED_REQUESTS) {
      const oldest = seen.values().next().value;
      if (oldest !== undefined) seen.delete(oldest);
    }
  };

  const answer = async (id: string, to: string, call: RequestCall) => {
    post({ type: 'ack', id, ...info });
    try {
      const value = await callClient(client, call);
      post({ type: 'response', id, to, ...info, ok: true, value });
    } catch (error) {
      post({ type: 'response', id, to, ...info, ok: false, error: errorData(error) });
    }
  };

  const onMessage = (event: MessageEvent<ChannelMessage>) => {
    const message = event.data;
    if (message.type === 'hello') {
      if (message.visible !== undefined) visibility.report(message.from, message.visible);
      announce();
    } else if (message.type === 'visibility') {
      visibility.report(message.from, message.visible);
    } else if (message.type === 'network') {
      visibility.networkChanged();
    } else if (message.type === 'request' && !seen.has(message.id)) {
      remember(message.id);
      void answer(message.id, message.from, message.call);
    }
  };
  channel.addEventListener('message', onMessage);

  const unsubscribes: Unsubscribe[] = [
    client.on('status', (status) => post({ type: 'status', status, ...info })),
    client.on('change', (event) => post({ type: 'change', event, ...info })),
    client.on('rejected', (event) => post({ type: 'rejected', event, ...info })),
    client.on('run', (record) => post({ type: 'run', record, ...info })),
    client.on('progress', (progress) => post({ type: 'progress', progress, ...info })),
  ];
  announce();

  let ending: Promise<void> | undefined;
  return {
    client,
    info,
    end() {
      ending ??= (async () => {
        channel.removeEventListener('message', onMessage);
        for (const unsubscribe of unsubscribes) unsubscribe();
        visibility.dispose();
        try {
          await client.close();
        } finally {
          post({ type: 'released', ...info });
          await claimed.close();
          await store.close();
        }
      })();
      return ending;
    },
  };
}
