/** Ferry's side of each workload, through `createClient` and the memory store. */
import { type ClientOptions, createClient, createMemoryStore, type Store } from '@ferry/client';
import { type JsonObject, ROUTES, SPACES_PARAM } from '@ferry/protocol';
import type { ClientSystem, Target, WriterOptions } from './types.ts';

const COLLECTION = 'items';

/**
 * A memory store that, while `discard` is set, keeps the cursor and metadata of a pull
 * but drops its records: how a W2/W8 client reaches the head of a large data set without
 * holding it, like the peers' clients that start from a sequence number.
 */
function positionStore(): { store: Store; keepRecords(): void } {
  const inner = createMemoryStore();
  let discard = true;
  const store: Store = {
    getRecord: (address) => inner.getRecord(address),
    listRecords: (space, collection) => inner.listRecords(space, collection),
    getRecords: (space, collection, keys) => inner.getRecords(space, collection, keys),
    defineIndexes: (indexes) => inner.defineIndexes(indexes),
    scanIndex: (scan, order, limit) => inner.scanIndex(scan, order, limit),
    countIndex: (scan) => inner.countIndex(scan),
    listOutbox: () => inner.listOutbox(),
    getMeta: (key) => inner.getMeta(key),
    commit: (batch) =>
      inner.commit(discard ? { ...batch, putRecords: [], deleteRecords: [] } : batch),
    close: () => inner.close(),
  };
  return { store, keepRecords: () => (discard = false) };
}

function open(target: Target, store: Store, live = false, more: Partial<ClientOptions> = {}) {
  return createClient<{ items: JsonObject }>({
    url: target.url,
    store,
    getToken: () => target.credential,
    spaces: [target.space],
    defaultSpace: target.space,
    live,
    ...more,
  });
}

/** A fetch that counts the push and pull requests it sends. */
function countingFetch(): { fetch: typeof fetch; count(): number } {
  let sent = 0;
  return {
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.endsWith(ROUTES.push) || url.endsWith(ROUTES.pull)) sent += 1;
      return fetch(input, init);
    },
    count: () => sent,
  };
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const ferryClient: ClientSystem = {
  async openReplica(target, start) {
    let store = createMemoryStore();
    if (start.from === 'head') {
      const position = positionStore();
      store = position.store;
      const warmup = open(target, store);
      await warmup.sync();
      await warmup.close();
      position.keepRecords();
    }
    const client = open(target, store);
    return {
      sync: async () => {
        await client.sync();
      },
      count: async () => (await store.listRecords(target.space, COLLECTION)).length,
      close: () => client.close(),
    };
  },
  pushRequest(target, clientId, firstId, records) {
    const mutations = records.map((r, i) => ({
      id: firstId + i,
      space: target.space,
      collection: COLLECTION,
      key: r.key,
      op: 'put',
      value: r.value,
    }));
    return {
      path: ROUTES.push,
      headers: { authorization: `Bearer ${target.credential}` },
      body: JSON.stringify({ clientId, mutations }),
    };
  },
  acknowledged(status, text, _sent) {
    if (status !== 200) throw new Error(`push answered ${status}: ${text.slice(0, 200)}`);
    const body = JSON.parse(text) as { results: { status: string }[] };
    const applied = body.results.filter((r) => r.status === 'applied').length;
    if (applied !== body.results.length) throw new Error(`push results not all applied: ${text}`);
    return applied;
  },
  eventStream(target) {
    return {
      path: `${ROUTES.events}?${SPACES_PARAM}=${encodeURIComponent(target.space)}`,
      headers: { authorization: `Bearer ${target.credential}` },
      answersAtOnce: true,
      firstBytesWithinMs: 0,
    };
  },
  async openWriter(target, options: WriterOptions = { mode: 'sync' }) {
    const counting = countingFetch();
    const { mode } = options;
    // Left to its scheduler, the writer is a live client, as an app's would be.
    const client = open(target, createMemoryStore(), mode !== 'sync', {
      fetch: counting.fetch,
      ...(mode === 'debounce' ? { schedule: { localChangeDelayMs: 1_000 } } : {}),
    });
    if (mode !== 'sync') {
      await waitUntil(() => client.getStatus().live === 'open', 30_000, 'the live stream');
      await waitUntil(() => client.getStatus().state === 'idle', 30_000, 'the first sync');
    }
    const items = client.collection(COLLECTION);
    return {
      async write(record) {
        await items.put(record.key, record.value);
        if (mode === 'sync') await client.sync();
      },
      requests: counting.count,
      close: () => client.close(),
    };
  },
  async openWatcher(target, onSeen) {
    const client = open(target, createMemoryStore(), true);
    const seen = new Set<string>();
    client.collection(COLLECTION).subscribe((rows) => {
      for (const row of rows) {
        if (seen.has(row.key)) continue;
        seen.add(row.key);
        onSeen(row.key);
      }
    });
    await waitUntil(() => client.getStatus().live === 'open', 30_000, 'the live stream');
    return { close: () => client.close() };
  },
  async localLatency(records, samples) {
    const store = createMemoryStore();
    const space = 'local';
    await store.commit({
      putRecords: records.map((r, i) => ({
        space,
        collection: COLLECTION,
        key: r.key,
        value: r.value,
        version: i + 1,
      })),
    });
    const client = open({ url: 'http://127.0.0.1:9', credential: 'none', space }, store);
    const items = client.collection(COLLECTION);
    const waiting = new Map<string, () => void>();
    const stop = items.subscribe((rows) => {
      for (const [key, done] of waiting) {
        if (rows.some((row) => row.key === key)) {
          waiting.delete(key);
          done();
        }
      }
    });
    await items.query();
    const latencies: number[] = [];
    for (const sample of samples) {
      const seen = new Promise<void>((resolve) => waiting.set(sample.key, resolve));
      const started = performance.now();
      await items.put(sample.key, sample.value);
      await seen;
      latencies.push(performance.now() - started);
    }
    stop();
    await client.close();
    return latencies;
  },
};
